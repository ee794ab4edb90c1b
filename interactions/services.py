"""Writes to referrals: each runs in one transaction, records the referral's history and an
audit row, and queues its emails through the outbox after commit.

Named `<entity>_<action>` with keyword-only arguments. Every transition takes an optional `at`
(default now) so history can be recorded with its real times, and `notify=False` records
history quietly: no emails and no deadline reminders (the demo, imports).
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from post_program.jobs import enqueue_on_commit
from post_program.models import Department, PeerSupporter, Physician, RoleAssignment, User
from post_program.services import audit_record
from surveys import services as survey_services

from .models import (
    EVENT_REASON,
    MAX_DURATION_MINUTES,
    Assignment,
    AssignmentState,
    ContactMethod,
    DebriefRequest,
    DebriefTrigger,
    DeclineReason,
    DepartmentPreference,
    DifficultEvent,
    EscalationResource,
    EventKind,
    Interaction,
    InteractionSource,
    Modality,
    Notification,
    NotificationKind,
    Outcome,
    OutreachAttempt,
    OutreachMethod,
    Referral,
    ReferralEvent,
    Reminder,
    ReminderKind,
    Source,
    Status,
    Topic,
    Urgency,
    new_referral_id,
    physician_pseudonym,
)

logger = logging.getLogger(__name__)

# A send that failed this many times is left for a person to look at (admin: pending rows).
MAX_SEND_ATTEMPTS = 8


class ReferralError(Exception):
    """A transition that cannot happen; the message is fit to show to the user."""


class ReferralChanged(ReferralError):
    """The referral changed since the user looked at it (another coordinator was quicker)."""


@dataclass(frozen=True)
class RequestResult:
    referral: Referral
    created: bool  # False: the request joined an open referral, or the form was sent twice


# --- helpers -----------------------------------------------------------------------------------


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def _event(
    referral: Referral,
    kind: str,
    *,
    actor: User | None,
    at: datetime,
    from_status: str = "",
    supporter: PeerSupporter | None = None,
    submission_key: uuid.UUID | None = None,
    **detail,
) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        from_status=from_status,
        to_status=referral.status,
        supporter=supporter,
        submission_key=submission_key,
        detail=detail,
    )


def _audit(actor: User | None, action: str, referral: Referral, **detail) -> None:
    audit_record(
        actor=actor, action=action, obj=referral, referral_id=referral.referral_id, **detail
    )


def _lock(referral: Referral | int) -> Referral:
    """The referral's row, locked until the end of the transaction, as it is now."""
    pk = referral.pk if isinstance(referral, Referral) else referral
    return Referral.objects.select_for_update().select_related("department").get(pk=pk)


def _check_version(referral: Referral, expected_version: int | None) -> None:
    if expected_version is not None and referral.version != expected_version:
        raise ReferralChanged(
            "This referral changed while you were looking at it (someone else acted on it). "
            "Here is what it looks like now."
        )


def site_coordinators(site_id: int) -> list[User]:
    """Who is told about a site's referrals: its coordinators, or the directors if it has none."""
    users = list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=RoleAssignment.Role.COORDINATOR,
            role_assignments__site_id=site_id,
        ).distinct()
    )
    if not users:
        users = list(
            User.objects.filter(
                is_active=True, role_assignments__role=RoleAssignment.Role.DIRECTOR
            ).distinct()
        )
    return users


def _notify(
    kind: str,
    referral: Referral,
    *,
    users: Iterable[User] = (),
    supporter: PeerSupporter | None = None,
    skip: User | None = None,
) -> list[Notification]:
    """Write outbox rows in the current transaction; each is sent by a task after commit."""
    rows = [
        Notification(kind=kind, recipient=user, to_email=user.email, referral=referral)
        for user in users
        if skip is None or user.pk != skip.pk
    ]
    if supporter is not None:
        physician = supporter.physician
        user = physician.user
        email = user.email if user is not None else physician.email
        if email:
            rows.append(Notification(kind=kind, recipient=user, to_email=email, referral=referral))
    notifications = [row for row in rows if row.to_email]
    for notification in notifications:
        notification.save()
        _queue_send(notification.pk)
    return notifications


def _queue_send(notification_id: int) -> None:
    # The row is the record of the work: if the broker is down now, the sweeper sends it later.
    enqueue_on_commit("interactions.tasks.notification_send", notification_id, broker_down_ok=True)


def _remind(referral: Referral, kind: str, due_at: datetime, assignment=None) -> None:
    Reminder.objects.create(referral=referral, assignment=assignment, kind=kind, due_at=due_at)


# --- requests ----------------------------------------------------------------------------------


def _join(
    referral: Referral,
    *,
    requester: User,
    source: str,
    urgency: str,
    referrer_may_be_named: bool,
    submission_key: uuid.UUID | None,
    at: datetime,
    notify: bool,
) -> RequestResult:
    """A request for a physician who already has an open referral joins that referral."""
    _event(
        referral,
        EventKind.REQUESTED_AGAIN,
        actor=requester,
        at=at,
        from_status=referral.status,
        submission_key=submission_key,
        source=source,
        referrer_may_be_named=referrer_may_be_named,
    )
    raised = urgency == Urgency.SAFETY and referral.urgency != Urgency.SAFETY
    if raised:
        referral.urgency = Urgency.SAFETY
        referral.version += 1
        referral.save(update_fields=["urgency", "version"])
        _event(referral, EventKind.URGENCY_RAISED, actor=requester, at=at)
        if notify:
            _notify(NotificationKind.URGENT, referral, users=site_coordinators(referral.site.pk))
    _audit(requester, "referral.request_again", referral, urgency_raised=raised)
    return RequestResult(referral=referral, created=False)


def _by_submission_key(submission_key: uuid.UUID | None) -> Referral | None:
    if submission_key is None:
        return None
    referral = Referral.objects.filter(submission_key=submission_key).first()
    if referral is None:
        event = ReferralEvent.objects.filter(submission_key=submission_key).first()
        referral = event.referral if event is not None else None
    return referral


@transaction.atomic
def referral_request(
    *,
    requester: User,
    source: str,
    department: Department,
    reason: str,
    physician: Physician | None = None,
    named_colleague: str = "",
    note: str = "",
    urgency: str = Urgency.ROUTINE,
    contact_method: str = ContactMethod.ANY,
    department_preference: str = DepartmentPreference.NONE,
    requested_supporter: PeerSupporter | None = None,
    referrer_may_be_named: bool = False,
    submission_key: uuid.UUID | None = None,
    event: DifficultEvent | None = None,
    referral_id: str = "",
    at: datetime | None = None,
    notify: bool = True,
) -> RequestResult:
    """Record a request for support. A physician with an open referral keeps that one: the
    request joins it (and can raise it to urgent). The same form sent twice is one request.

    `notify`: the site's coordinators get an email (an urgent one for a safety concern), and
    the first-contact deadline is scheduled. `referral_id`: a stable key given by the caller
    (imports, the demo); a new random one otherwise.
    """
    at = _now(at)
    again = _by_submission_key(submission_key)
    if again is not None:
        return RequestResult(referral=again, created=False)
    if physician is not None:
        department = physician.department
        named_colleague = ""
    join = {
        "requester": requester,
        "source": source,
        "urgency": urgency,
        "referrer_may_be_named": referrer_may_be_named,
        "submission_key": submission_key,
        "at": at,
        "notify": notify,
    }
    if physician is not None:
        open_referral = (
            Referral.objects.select_for_update().open().filter(physician=physician).first()
        )
        if open_referral is not None:
            return _join(open_referral, **join)
    referral = Referral(
        referral_id=referral_id or new_referral_id(),
        received_at=at,
        first_contact_due_at=at + timedelta(hours=settings.FIRST_CONTACT_DEADLINE_HOURS),
        source=source,
        physician=physician,
        named_colleague=named_colleague.strip(),
        department=department,
        referrer=requester,
        referrer_may_be_named=referrer_may_be_named and source == Source.THIRD_PARTY,
        reason=reason,
        note=note.strip(),
        urgency=urgency,
        contact_method=contact_method,
        department_preference=department_preference,
        requested_supporter=requested_supporter,
        event=event,
        submission_key=submission_key,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # Another request for the same physician (or the same form) committed in between.
        again = _by_submission_key(submission_key)
        if again is not None:
            return RequestResult(referral=again, created=False)
        open_referral = (
            Referral.objects.select_for_update().open().filter(physician=physician).first()
            if physician is not None
            else None
        )
        if open_referral is None:
            raise
        return _join(open_referral, **join)
    _event(referral, EventKind.RECEIVED, actor=requester, at=at, source=source)
    _audit(requester, "referral.request", referral, source=source, urgency=urgency)
    if notify:
        coordinators = site_coordinators(department.site_id)
        if urgency == Urgency.SAFETY:
            _notify(NotificationKind.URGENT, referral, users=coordinators)
        else:
            # A coordinator recording an event needs no email about their own referrals.
            _notify(NotificationKind.NEW_REFERRAL, referral, users=coordinators, skip=requester)
        _remind(referral, ReminderKind.CONTACT_OVERDUE, referral.first_contact_due_at)
    return RequestResult(referral=referral, created=True)


@transaction.atomic
def event_record(
    *,
    actor: User,
    occurred_on: date,
    department: Department,
    category: str,
    physicians: Iterable[Physician],
    referral_ids: Sequence[str] = (),
    at: datetime | None = None,
    notify: bool = True,
) -> tuple[DifficultEvent, list[RequestResult]]:
    """Record a difficult event and open one referral per physician involved (source
    `event`); a physician who already has an open referral keeps it. `referral_ids` gives
    stable keys to the new referrals, in the order of `physicians` (the demo)."""
    at = _now(at)
    physicians = list(physicians)
    keys = [*referral_ids, *[""] * (len(physicians) - len(referral_ids))][: len(physicians)]
    event = DifficultEvent.objects.create(
        occurred_on=occurred_on,
        department=department,
        category=category,
        recorded_by=actor,
        recorded_at=at,
    )
    results = [
        referral_request(
            requester=actor,
            source=Source.EVENT,
            department=department,
            physician=physician,
            reason=EVENT_REASON[category],
            event=event,
            referral_id=referral_id,
            at=at,
            notify=notify,
        )
        for physician, referral_id in zip(physicians, keys, strict=True)
    ]
    audit_record(
        actor=actor,
        action="event.record",
        obj=event,
        department_id=department.pk,
        category=category,
        referral_ids=[result.referral.referral_id for result in results],
    )
    return event, results


# --- assignment --------------------------------------------------------------------------------


def assignment_rule_errors(referral: Referral, supporter: PeerSupporter) -> list[str]:
    """The rules no assignment may break, whoever chooses the supporter."""
    errors = []
    if supporter.status != PeerSupporter.Status.ACTIVE:
        errors.append("This supporter is not active.")
    if referral.physician_id is not None:
        if supporter.physician_id == referral.physician_id:
            errors.append("A physician cannot be their own supporter.")
        elif supporter.conflicts.filter(pk=referral.physician_id).exists():
            errors.append("This supporter declared a conflict with the physician.")
    return errors


@transaction.atomic
def referral_assign(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    expected_version: int | None = None,
    at: datetime | None = None,
    notify: bool = True,
) -> Assignment:
    """Offer the referral to a supporter (or reassign it). Safe when two coordinators click at
    once: the row lock serialises them and `expected_version` makes the second one fail with
    ReferralChanged instead of silently replacing the first one's choice."""
    at = _now(at)
    referral = _lock(referral)
    _check_version(referral, expected_version)
    if not referral.is_open:
        raise ReferralError("This referral is closed.")
    errors = assignment_rule_errors(referral, supporter)
    if errors:
        raise ReferralError(" ".join(errors))
    current = Assignment.objects.select_for_update().filter(
        referral=referral, state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED]
    )
    previous = current.first()
    if previous is not None:
        if previous.supporter_id == supporter.pk:
            raise ReferralError("This supporter already has this referral.")
        previous.state = AssignmentState.WITHDRAWN
        previous.responded_at = at
        previous.save(update_fields=["state", "responded_at"])
    assignment = Assignment.objects.create(
        referral=referral,
        supporter=supporter,
        assigned_by=actor,
        assigned_at=at,
        accept_due_at=at + timedelta(hours=settings.ACCEPT_WITHIN_HOURS),
    )
    from_status = referral.status
    referral.status = Status.ASSIGNED
    referral.assigned_to = supporter
    referral.assigned_at = at
    referral.accepted_at = None
    referral.version += 1
    referral.save(update_fields=["status", "assigned_to", "assigned_at", "accepted_at", "version"])
    kind = EventKind.REASSIGNED if previous is not None else EventKind.ASSIGNED
    _event(
        referral,
        kind,
        actor=actor,
        at=at,
        from_status=from_status,
        supporter=supporter,
        assignment_id=assignment.pk,
    )
    _audit(
        actor,
        f"referral.{kind}",
        referral,
        supporter_id=supporter.pk,
        assignment_id=assignment.pk,
        previous_supporter_id=previous.supporter_id if previous else None,
    )
    if notify:
        _notify(NotificationKind.ASSIGNED, referral, supporter=supporter)
        _remind(referral, ReminderKind.ACCEPT_DUE, assignment.accept_due_at, assignment)
        remind_at = referral.first_contact_due_at - timedelta(hours=settings.REMINDER_BEFORE_HOURS)
        if referral.first_contact_at is None and remind_at > at:
            _remind(referral, ReminderKind.CONTACT_REMINDER, remind_at, assignment)
    return assignment


def _pending_assignment(referral: Referral, supporter: PeerSupporter) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update()
        .filter(referral=referral, state=AssignmentState.PENDING)
        .first()
    )
    if assignment is None or assignment.supporter_id != supporter.pk:
        raise ReferralError("This referral is no longer waiting for your answer.")
    return assignment


@transaction.atomic
def referral_accept(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    at: datetime | None = None,
) -> Referral:
    """The assigned supporter takes the case."""
    at = _now(at)
    referral = _lock(referral)
    assignment = _pending_assignment(referral, supporter)
    assignment.state = AssignmentState.ACCEPTED
    assignment.responded_at = at
    assignment.save(update_fields=["state", "responded_at"])
    from_status = referral.status
    # A case reassigned after a first contact goes straight back to "contacted".
    referral.status = Status.CONTACTED if referral.first_contact_at else Status.ACCEPTED
    referral.accepted_at = at
    referral.version += 1
    referral.save(update_fields=["status", "accepted_at", "version"])
    _event(
        referral,
        EventKind.ACCEPTED,
        actor=actor,
        at=at,
        from_status=from_status,
        supporter=supporter,
    )
    _audit(
        actor, "referral.accept", referral, supporter_id=supporter.pk, assignment_id=assignment.pk
    )
    return referral


def _back_to_queue(referral: Referral) -> str:
    from_status = referral.status
    referral.status = Status.NEW
    referral.assigned_to = None
    referral.assigned_at = None
    referral.accepted_at = None
    referral.version += 1
    referral.save(update_fields=["status", "assigned_to", "assigned_at", "accepted_at", "version"])
    return from_status


@transaction.atomic
def referral_decline(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    reason: str,
    at: datetime | None = None,
    notify: bool = True,
) -> Referral:
    """The assigned supporter declines (with a reason); the referral returns to the queue and
    the coordinators are told."""
    if reason not in DeclineReason.values:
        raise ReferralError("Choose a reason.")
    at = _now(at)
    referral = _lock(referral)
    assignment = _pending_assignment(referral, supporter)
    assignment.state = AssignmentState.DECLINED
    assignment.responded_at = at
    assignment.decline_reason = reason
    assignment.save(update_fields=["state", "responded_at", "decline_reason"])
    from_status = _back_to_queue(referral)
    _event(
        referral,
        EventKind.DECLINED,
        actor=actor,
        at=at,
        from_status=from_status,
        supporter=supporter,
        reason=reason,
    )
    _audit(
        actor,
        "referral.decline",
        referral,
        supporter_id=supporter.pk,
        assignment_id=assignment.pk,
        reason=reason,
    )
    if notify:
        _notify(NotificationKind.RETURNED, referral, users=site_coordinators(referral.site.pk))
    return referral


@transaction.atomic
def referral_record_contact(
    *, actor: User | None, referral: Referral | int, at: datetime | None = None
) -> Referral:
    """The first outreach that reached the physician (issue 4 records it from an outreach
    attempt; this is the transition itself)."""
    at = _now(at)
    referral = _lock(referral)
    if referral.status != Status.ACCEPTED or referral.first_contact_at is not None:
        raise ReferralError("Only an accepted referral without a first contact can be contacted.")
    referral.status = Status.CONTACTED
    referral.first_contact_at = at
    referral.version += 1
    referral.save(update_fields=["status", "first_contact_at", "version"])
    _event(
        referral,
        EventKind.CONTACTED,
        actor=actor,
        at=at,
        from_status=Status.ACCEPTED,
        supporter=referral.assigned_to,
    )
    _audit(actor, "referral.contact", referral)
    return referral


@transaction.atomic
def referral_close(
    *,
    actor: User | None,
    referral: Referral | int,
    outcome: str,
    at: datetime | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Close with an outcome. A pending offer to a supporter is withdrawn."""
    if outcome not in Outcome.values:
        raise ReferralError("Choose an outcome.")
    at = _now(at)
    referral = _lock(referral)
    _check_version(referral, expected_version)
    if not referral.is_open:
        raise ReferralError("This referral is already closed.")
    Assignment.objects.filter(referral=referral, state=AssignmentState.PENDING).update(
        state=AssignmentState.WITHDRAWN, responded_at=at
    )
    from_status = referral.status
    referral.status = Status.CLOSED
    referral.outcome = outcome
    referral.closed_at = at
    referral.version += 1
    referral.save(update_fields=["status", "outcome", "closed_at", "version"])
    _event(
        referral,
        EventKind.CLOSED,
        actor=actor,
        at=at,
        from_status=from_status,
        supporter=referral.assigned_to,
        outcome=outcome,
    )
    if outcome == Outcome.SUPPORTED and referral.physician_id is not None:
        survey_services.invitation_schedule(
            instrument="recipient_feedback",
            physician_id=referral.physician_id,
            due_at=at + timedelta(days=settings.RECIPIENT_FEEDBACK_DELAY_DAYS),
            source_key=f"referral:{referral.pk}",
        )
    _audit(actor, "referral.close", referral, outcome=outcome)
    return referral


def referral_record_view(*, actor: User, referral: Referral) -> None:
    """Every view of a referral page leaves an audit row (who viewed which referral)."""
    _audit(actor, "referral.view", referral)


def referrals_record_list(*, actor: User, page: str, referrals: Iterable[Referral]) -> None:
    """A list that shows identities leaves an audit row naming the referrals it showed."""
    audit_record(
        actor=actor,
        action="referral.list",
        page=page,
        referral_ids=[referral.referral_id for referral in referrals],
    )


# --- case work: outreach, the interaction log, closing -----------------------------------------


class CaseWorkError(ReferralError):
    """Input the case work refuses. `errors` maps form field names (or "" for the whole form)
    to messages fit to show the supporter."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"": errors}
        super().__init__(" ".join(self.errors.values()))


WORKABLE_STATUSES = (Status.ACCEPTED, Status.CONTACTED)


def _local_day(at: datetime) -> date:
    return timezone.localdate(at)


def _check_holder(referral: Referral, supporter: PeerSupporter) -> None:
    """The supporter must hold the referral and have accepted it."""
    if referral.assigned_to_id != supporter.pk:
        raise CaseWorkError("Only the supporter holding this case can work on it.")
    if referral.status == Status.ASSIGNED:
        raise CaseWorkError("Accept the case first.")
    if referral.status not in WORKABLE_STATUSES:
        raise CaseWorkError("This case is closed.")


def outreach_errors(
    referral: Referral, *, attempted_at: datetime, reached: bool, now: datetime | None = None
) -> dict[str, str]:
    """What is wrong with an outreach attempt on `referral`, by form field."""
    now = _now(now)
    if attempted_at > now:
        return {"attempted_at": "The attempt cannot be in the future."}
    # Times are entered to the minute: the minute the referral arrived is not "before" it.
    if attempted_at < referral.received_at.replace(second=0, microsecond=0):
        received = timezone.localtime(referral.received_at)
        return {
            "attempted_at": f"The referral arrived on {received:%Y-%m-%d at %H:%M}: the "
            "attempt cannot be before that."
        }
    first = referral.first_contact_at
    if reached and first is not None and attempted_at < first:
        return {
            "attempted_at": "First contact is already recorded at "
            f"{timezone.localtime(first):%Y-%m-%d %H:%M}; a later attempt cannot reach them "
            "earlier. Ask a coordinator if that time is wrong."
        }
    return {}


@transaction.atomic
def outreach_record(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    attempted_at: datetime,
    method: str,
    reached: bool,
    now: datetime | None = None,
) -> OutreachAttempt:
    """Log an attempt to reach the physician. The first attempt that reached them records the
    referral's first contact (the "contacted" transition) at the attempt's time."""
    referral = _lock(referral)
    _check_holder(referral, supporter)
    if method not in OutreachMethod.values:
        raise CaseWorkError({"method": "Choose how you tried to reach them."})
    errors = outreach_errors(referral, attempted_at=attempted_at, reached=reached, now=now)
    if errors:
        raise CaseWorkError(errors)
    attempted_at = max(attempted_at, referral.received_at)
    attempt = OutreachAttempt.objects.create(
        referral=referral,
        supporter=supporter,
        attempted_at=attempted_at,
        method=method,
        reached=reached,
        logged_by=actor if actor is not None and actor.is_authenticated else None,
    )
    _audit(
        actor,
        "referral.outreach",
        referral,
        attempt_id=attempt.pk,
        method=method,
        reached=reached,
    )
    if reached and referral.status == Status.ACCEPTED:
        referral_record_contact(actor=actor, referral=referral, at=attempted_at)
    return attempt


def interaction_errors(
    *,
    supporter: PeerSupporter,
    occurred_on: date,
    duration_minutes: int,
    successful: bool,
    escalated: bool,
    escalated_to: str,
    topics: Sequence[str],
    modality: str = "",
    referral: Referral | None = None,
    physician: Physician | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """Every rule an interaction must meet, by form field, with a message that says how to
    fix it. The form and the service both ask this, so the page and the shell agree."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if occurred_on > today:
        errors["occurred_on"] = "The date cannot be in the future."
    elif referral is not None and occurred_on < _local_day(referral.received_at):
        errors["occurred_on"] = (
            f"The referral arrived on {_local_day(referral.received_at):%Y-%m-%d}: the "
            "interaction cannot be before that day."
        )
    elif occurred_on < supporter.activated_on:
        errors["occurred_on"] = (
            f"You became a peer supporter on {supporter.activated_on:%Y-%m-%d}: the "
            "interaction cannot be before that day."
        )
    if successful and not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = (
            f"A support conversation lasts from 1 to {MAX_DURATION_MINUTES} minutes (24 hours)."
        )
    elif not 0 <= duration_minutes <= MAX_DURATION_MINUTES:
        errors["duration_minutes"] = f"Enter 0 to {MAX_DURATION_MINUTES} minutes."
    if modality and modality not in Modality.values:
        errors["modality"] = "Choose how you talked from the list."
    if escalated and not escalated_to:
        errors["escalated_to"] = "Say which professional help you pointed them to."
    elif escalated_to and not escalated:
        errors["escalated_to"] = (
            "You chose a resource: tick “I pointed them to professional help”, or clear it."
        )
    elif escalated_to and escalated_to not in EscalationResource.values:
        errors["escalated_to"] = "Choose the resource from the list."
    if any(topic not in Topic.values for topic in topics):
        errors["topics"] = "Choose topics from the list."
    elif successful and not topics:
        errors["topics"] = "Choose at least one topic (“Other” if none fits)."
    if physician is not None and physician.pk == supporter.physician_id:
        errors["colleague"] = "You cannot log an interaction with yourself."
    return errors


@transaction.atomic
def interaction_log(
    *,
    actor: User | None,
    supporter: PeerSupporter,
    occurred_on: date,
    duration_minutes: int,
    successful: bool,
    modality: str = "",
    topics: Sequence[str] = (),
    escalated: bool = False,
    escalated_to: str = "",
    follow_up_planned: bool = False,
    follow_up_note: str = "",
    referral: Referral | int | None = None,
    department: Department | None = None,
    physician: Physician | None = None,
    today: date | None = None,
) -> Interaction:
    """Log an interaction: on a referral the supporter holds (its source, department and
    physician come from the referral, and first contact must be recorded), or without one
    (`proactive`: the physician's department and, optionally, their roster entry).

    The physician's keyed pseudonym is stored with the interaction; reports count it."""
    if referral is not None:
        referral = _lock(referral)
        _check_holder(referral, supporter)
        if referral.first_contact_at is None:
            raise CaseWorkError(
                "Log the outreach that reached them first: it records the first contact."
            )
        source = referral.source
        department = referral.department
        physician = referral.physician
    else:
        source = InteractionSource.PROACTIVE
        if physician is not None:
            department = physician.department
        if department is None:
            raise CaseWorkError({"department": "Choose the physician's department."})
    topics = sorted(set(topics), key=list(Topic.values).index) if topics else []
    errors = interaction_errors(
        supporter=supporter,
        occurred_on=occurred_on,
        duration_minutes=duration_minutes,
        successful=successful,
        escalated=escalated,
        escalated_to=escalated_to,
        topics=topics,
        modality=modality,
        referral=referral,
        physician=physician,
        today=today,
    )
    if errors:
        raise CaseWorkError(errors)
    interaction = Interaction.objects.create(
        occurred_on=occurred_on,
        supporter=supporter,
        physician=physician,
        physician_pseudonym=physician_pseudonym(physician.physician_id) if physician else "",
        department=department,
        duration_minutes=duration_minutes,
        successful=successful,
        source=source,
        modality=modality,
        escalated=escalated,
        escalated_to=escalated_to if escalated else "",
        topics=topics,
        follow_up_planned=follow_up_planned,
        follow_up_note=follow_up_note.strip(),
        referral=referral,
        logged_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        action="interaction.log",
        obj=interaction,
        interaction_id=interaction.interaction_id,
        referral_id=referral.referral_id if referral is not None else None,
        supporter_id=supporter.pk,
        source=source,
        successful=successful,
        escalated=escalated,
    )
    return interaction


def close_errors(referral: Referral, outcome: str) -> dict[str, str]:
    """What must be true before a supporter closes a case with `outcome`."""
    if outcome not in Outcome.values:
        return {"outcome": "Choose an outcome."}
    contacted = referral.first_contact_at is not None
    if outcome == Outcome.UNREACHABLE:
        if contacted:
            return {"outcome": "You reached them, so they are not unreachable: choose another."}
        if not referral.outreach_attempts.exists():
            return {"outcome": "Log the attempts you made to reach them before closing."}
        return {}
    if not contacted:
        return {"outcome": "Log the outreach that reached them first, or close as unreachable."}
    if outcome == Outcome.SUPPORTED and not referral.interactions.filter(successful=True).exists():
        return {"outcome": "Log the support conversation before closing the case as supported."}
    return {}


@transaction.atomic
def case_close(
    *,
    actor: User | None,
    referral: Referral | int,
    supporter: PeerSupporter,
    outcome: str,
    at: datetime | None = None,
) -> Referral:
    """The supporter closes the case they hold with its outcome."""
    referral = _lock(referral)
    _check_holder(referral, supporter)
    errors = close_errors(referral, outcome)
    if errors:
        raise CaseWorkError(errors)
    return referral_close(actor=actor, referral=referral, outcome=outcome, at=at)


def interactions_record_list(*, actor: User, page: str, interactions: Iterable) -> None:
    """A list of interactions that names physicians leaves an audit row with their ids."""
    audit_record(
        actor=actor,
        action="interaction.list",
        page=page,
        interaction_ids=[interaction.interaction_id for interaction in interactions],
    )


# --- availability and supporter care -----------------------------------------------------------


@transaction.atomic
def supporter_availability_set(
    *,
    actor: User | None,
    supporter: PeerSupporter,
    accepting_referrals: bool,
    away_until: date | None,
    caseload_cap: int,
) -> PeerSupporter:
    """A supporter's own availability; the suggestions read it at once."""
    supporter = PeerSupporter.objects.select_for_update().get(pk=supporter.pk)
    values = {
        "accepting_referrals": accepting_referrals,
        "away_until": away_until,
        "caseload_cap": caseload_cap,
    }
    changed = [name for name, value in values.items() if getattr(supporter, name) != value]
    for name in changed:
        setattr(supporter, name, values[name])
    if changed:
        supporter.save(update_fields=changed)
    audit_record(actor=actor, action="supporter.availability", obj=supporter, changed=changed)
    return supporter


@transaction.atomic
def supporter_conflict_declare(
    *, actor: User | None, supporter: PeerSupporter, physician: Physician
) -> None:
    """The supporter must never be assigned to this physician (the suggestions and the
    assignment rules check it)."""
    if physician.pk == supporter.physician_id:
        raise CaseWorkError({"physician": "You cannot declare a conflict with yourself."})
    supporter.conflicts.add(physician)
    audit_record(
        actor=actor, action="supporter.conflict_declare", obj=supporter, physician_id=physician.pk
    )


@transaction.atomic
def supporter_conflict_withdraw(
    *, actor: User | None, supporter: PeerSupporter, physician: Physician
) -> None:
    supporter.conflicts.remove(physician)
    audit_record(
        actor=actor, action="supporter.conflict_withdraw", obj=supporter, physician_id=physician.pk
    )


@transaction.atomic
def debrief_request(
    *, actor: User | None, supporter: PeerSupporter, trigger: str, notify: bool = True
) -> tuple[DebriefRequest, bool]:
    """Ask the coordinators of the supporter's site for a debrief. One open request at a
    time: asking again returns the open one. Returns (request, created)."""
    if trigger not in DebriefTrigger.values:
        raise CaseWorkError("Choose why you would like a debrief.")
    PeerSupporter.objects.select_for_update().get(pk=supporter.pk)
    open_request = DebriefRequest.objects.filter(supporter=supporter, held_at__isnull=True).first()
    if open_request is not None:
        return open_request, False
    request = DebriefRequest.objects.create(supporter=supporter, trigger=trigger)
    audit_record(actor=actor, action="debrief.request", obj=request, trigger=trigger)
    if notify:
        site_id = Department.objects.filter(pk=supporter.physician.department_id).values_list(
            "site_id", flat=True
        )[0]
        _notify(NotificationKind.DEBRIEF, None, users=site_coordinators(site_id), skip=actor)
    return request, True


@transaction.atomic
def debrief_mark_held(
    *, actor: User | None, debrief: DebriefRequest, at: datetime | None = None
) -> DebriefRequest:
    debrief = DebriefRequest.objects.select_for_update().get(pk=debrief.pk)
    if debrief.held_at is not None:
        raise CaseWorkError("This debrief is already marked as held.")
    debrief.held_at = _now(at)
    debrief.held_by = actor if actor is not None and actor.is_authenticated else None
    debrief.save(update_fields=["held_at", "held_by"])
    audit_record(actor=actor, action="debrief.held", obj=debrief)
    return debrief


# --- retention ---------------------------------------------------------------------------------

# Events recorded by whoever asked for support: their actor is the referrer (or, for a
# self-referral, the physician), so retention forgets it.
REQUESTER_EVENT_KINDS = (EventKind.RECEIVED, EventKind.REQUESTED_AGAIN, EventKind.URGENCY_RAISED)


@dataclass
class PurgeResult:
    cutoff: datetime
    referrals: int = 0
    interactions: int = 0
    physician_links: int = 0
    colleague_names: int = 0
    notes: int = 0
    referrer_links: int = 0
    requester_events: int = 0
    follow_up_notes: int = 0
    email_addresses: int = 0
    referral_ids: list[str] | None = None

    def add(self, other: PurgeResult) -> None:
        for name in (
            "referrals",
            "interactions",
            "physician_links",
            "colleague_names",
            "notes",
            "referrer_links",
            "requester_events",
            "follow_up_notes",
            "email_addresses",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_counts(self) -> dict[str, int]:
        return {
            "referrals": self.referrals,
            "interactions": self.interactions,
            "physician_links": self.physician_links,
            "colleague_names": self.colleague_names,
            "notes": self.notes,
            "referrer_links": self.referrer_links,
            "requester_events": self.requester_events,
            "follow_up_notes": self.follow_up_notes,
            "email_addresses": self.email_addresses,
        }


def retention_cutoff(now: datetime | None = None) -> datetime:
    return _now(now) - timedelta(days=settings.RETENTION_DAYS)


def _expired_referrals(cutoff: datetime):
    return Referral.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, deidentified_at__isnull=True
    )


def _expired_proactive(cutoff: datetime):
    """Interactions without a referral are each their own case, closed the day they happened."""
    return Interaction.objects.filter(
        referral__isnull=True,
        occurred_on__lt=_local_day(cutoff),
        deidentified_at__isnull=True,
    )


def retention_due(*, now: datetime | None = None) -> dict[str, int]:
    """How many closed cases and proactive interactions are due for de-identification."""
    cutoff = retention_cutoff(now)
    return {
        "referrals": _expired_referrals(cutoff).count(),
        "proactive_interactions": _expired_proactive(cutoff).count(),
    }


@transaction.atomic
def _purge_referrals(ids: list[int], *, now: datetime, cutoff: datetime) -> PurgeResult:
    result = PurgeResult(cutoff=cutoff)
    referrals = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status=Status.CLOSED, deidentified_at__isnull=True)
        .select_related("physician")
        .order_by("pk")
    )
    for referral in referrals:
        result.physician_links += referral.physician_id is not None
        result.colleague_names += bool(referral.named_colleague)
        result.notes += bool(referral.note)
        result.referrer_links += referral.referrer_id is not None
        if referral.physician_id is not None:
            referral.physician_pseudonym = physician_pseudonym(referral.physician.physician_id)
        referral.physician = None
        referral.named_colleague = ""
        referral.note = ""
        referral.referrer = None
        referral.requested_supporter = None
        referral.submission_key = None
        referral.deidentified_at = now
    Referral.objects.bulk_update(
        referrals,
        [
            "physician_pseudonym",
            "physician",
            "named_colleague",
            "note",
            "referrer",
            "requested_supporter",
            "submission_key",
            "deidentified_at",
        ],
    )
    purged = [referral.pk for referral in referrals]
    result.referrals = len(purged)
    result.requester_events = ReferralEvent.objects.filter(
        referral_id__in=purged, kind__in=REQUESTER_EVENT_KINDS, actor__isnull=False
    ).update(actor=None)
    ReferralEvent.objects.filter(referral_id__in=purged, submission_key__isnull=False).update(
        submission_key=None
    )
    result.email_addresses = (
        Notification.objects.filter(referral_id__in=purged).exclude(to_email="").update(to_email="")
    )
    interactions = Interaction.objects.filter(referral_id__in=purged, deidentified_at__isnull=True)
    result.add(_purge_interactions(interactions, now=now, cutoff=cutoff))
    result.referral_ids = [referral.referral_id for referral in referrals]
    if purged:
        audit_record(
            actor=None,
            action="retention.purge",
            cutoff=cutoff.isoformat(),
            referral_ids=result.referral_ids,
            **result.as_counts(),
        )
    return result


def _purge_interactions(interactions, *, now: datetime, cutoff: datetime) -> PurgeResult:
    """Empty the physician link (the pseudonym stays: it was stored when the interaction was
    logged, or is computed now for a row that lacks it) and the private follow-up note."""
    result = PurgeResult(cutoff=cutoff)
    rows = list(
        interactions.select_for_update(of=("self",)).select_related("physician").order_by("pk")
    )
    for interaction in rows:
        if interaction.physician_id is not None:
            result.physician_links += 1
            if not interaction.physician_pseudonym:
                interaction.physician_pseudonym = physician_pseudonym(
                    interaction.physician.physician_id
                )
        result.follow_up_notes += bool(interaction.follow_up_note)
        interaction.physician = None
        interaction.follow_up_note = ""
        interaction.deidentified_at = now
    Interaction.objects.bulk_update(
        rows, ["physician", "physician_pseudonym", "follow_up_note", "deidentified_at"]
    )
    result.interactions = len(rows)
    return result


@transaction.atomic
def _purge_proactive(ids: list[int], *, now: datetime, cutoff: datetime) -> PurgeResult:
    result = _purge_interactions(
        Interaction.objects.filter(pk__in=ids, deidentified_at__isnull=True), now=now, cutoff=cutoff
    )
    if result.interactions:
        audit_record(
            actor=None,
            action="retention.purge",
            cutoff=cutoff.isoformat(),
            interaction_ids=list(
                Interaction.objects.filter(pk__in=ids).values_list("interaction_id", flat=True)
            ),
            **result.as_counts(),
        )
    return result


def retention_purge(*, now: datetime | None = None, batch_size: int = 500) -> PurgeResult:
    """De-identify every case closed more than RETENTION_DAYS ago (and every proactive
    interaction older than that): remove notes, free-text names, email addresses and the
    referrer, and replace each link to the supported physician with its keyed pseudonym.

    Nothing a report counts changes: dates, sources, outcomes, durations, departments and
    supporters stay, and unique physicians are counted on the pseudonym. Runs in batches, one
    transaction and one audit row each, so a large backlog never holds long locks; running it
    again finds nothing to do."""
    now = _now(now)
    cutoff = retention_cutoff(now)
    total = PurgeResult(cutoff=cutoff, referral_ids=[])
    while True:
        ids = list(
            _expired_referrals(cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        batch = _purge_referrals(ids, now=now, cutoff=cutoff)
        total.add(batch)
        total.referral_ids.extend(batch.referral_ids or [])
    while True:
        ids = list(
            _expired_proactive(cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        total.add(_purge_proactive(ids, now=now, cutoff=cutoff))
    return total


# --- deadlines ---------------------------------------------------------------------------------


def reminders_due_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    return list(
        Reminder.objects.filter(processed_at__isnull=True, due_at__lte=_now(now))
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def reminder_process(*, reminder_id: int, now: datetime | None = None) -> str:
    """Act on one due deadline, once: return an unaccepted assignment to the queue, remind
    the supporter before first contact is due, or alert the coordinators when it is overdue.
    Returns what was done ("returned", "sent", "skipped", or "" when not due or done)."""
    now = _now(now)
    reminder = (
        Reminder.objects.select_for_update(skip_locked=True)
        .filter(pk=reminder_id, processed_at__isnull=True, due_at__lte=now)
        .first()
    )
    if reminder is None:
        return ""
    referral = _lock(reminder.referral_id)
    assignment = (
        Assignment.objects.select_for_update().get(pk=reminder.assignment_id)
        if reminder.assignment_id
        else None
    )
    handler = {
        ReminderKind.ACCEPT_DUE: _accept_due,
        ReminderKind.CONTACT_REMINDER: _contact_reminder,
        ReminderKind.CONTACT_OVERDUE: _contact_overdue,
    }[reminder.kind]
    result = handler(referral, assignment, now) or "skipped"
    reminder.processed_at = now
    reminder.result = result
    reminder.save(update_fields=["processed_at", "result"])
    return result


def _accept_due(referral: Referral, assignment: Assignment, now: datetime) -> str:
    if assignment.state != AssignmentState.PENDING or not referral.is_open:
        return ""
    assignment.state = AssignmentState.EXPIRED
    assignment.responded_at = now
    assignment.save(update_fields=["state", "responded_at"])
    from_status = _back_to_queue(referral)
    _event(
        referral,
        EventKind.EXPIRED,
        actor=None,
        at=now,
        from_status=from_status,
        supporter=assignment.supporter,
        assignment_id=assignment.pk,
    )
    _audit(
        None,
        "referral.expire",
        referral,
        assignment_id=assignment.pk,
        supporter_id=assignment.supporter_id,
    )
    _notify(NotificationKind.RETURNED, referral, users=site_coordinators(referral.site.pk))
    return "returned"


def _contact_reminder(referral: Referral, assignment: Assignment, now: datetime) -> str:
    active = assignment.state in (AssignmentState.PENDING, AssignmentState.ACCEPTED)
    if not (active and referral.is_open and referral.first_contact_at is None):
        return ""
    _notify(NotificationKind.REMINDER, referral, supporter=assignment.supporter)
    _event(referral, EventKind.REMINDED, actor=None, at=now, supporter=assignment.supporter)
    _audit(None, "referral.remind", referral, supporter_id=assignment.supporter_id)
    return "sent"


def _contact_overdue(referral: Referral, assignment: None, now: datetime) -> str:
    if not (referral.is_open and referral.first_contact_at is None):
        return ""
    _notify(NotificationKind.OVERDUE, referral, users=site_coordinators(referral.site.pk))
    _event(referral, EventKind.ESCALATED, actor=None, at=now)
    _audit(None, "referral.escalate", referral)
    return "sent"


# --- outbox ------------------------------------------------------------------------------------

SUBJECTS = {
    NotificationKind.NEW_REFERRAL: "A new request for peer support",
    NotificationKind.URGENT: "URGENT: a request for peer support with a safety concern",
    NotificationKind.ASSIGNED: "A referral was assigned to you",
    NotificationKind.RETURNED: "A referral is back in the queue",
    NotificationKind.REMINDER: "First contact is due soon",
    NotificationKind.OVERDUE: "First contact is overdue",
    NotificationKind.DEBRIEF: "A peer supporter asked for a debrief",
}
BODIES = {
    NotificationKind.NEW_REFERRAL: "A new request for peer support needs a supporter.",
    NotificationKind.URGENT: (
        "A request for peer support reports a safety concern. Please look at it now."
    ),
    NotificationKind.ASSIGNED: (
        "You were asked to support a colleague. Please accept or decline within "
        "{accept_hours} hours."
    ),
    NotificationKind.RETURNED: "A referral was not taken up and needs a supporter again.",
    NotificationKind.REMINDER: "First contact for a referral you hold is due soon.",
    NotificationKind.OVERDUE: "First contact for a referral is overdue.",
    NotificationKind.DEBRIEF: (
        "A peer supporter of your site asked for a debrief with a coordinator. Please get in "
        "touch with them."
    ),
}


def notification_message(notification: Notification) -> tuple[str, str]:
    """Subject and body: what kind of thing happened and a link; no names, no details."""
    if notification.kind == NotificationKind.DEBRIEF:
        path = reverse("interactions:supporter_load")
    elif notification.referral_id:
        path = reverse("interactions:referral_detail", args=[notification.referral_id])
    else:
        path = reverse("home")
    link = settings.SITE_URL.rstrip("/") + path
    body = BODIES[notification.kind].format(accept_hours=settings.ACCEPT_WITHIN_HOURS)
    return (
        f"POST: {SUBJECTS[notification.kind]}",
        f"{body}\n\nOpen it in POST (sign-in required):\n{link}\n\n"
        "This email holds no details on purpose. Peer support is confidential.\n",
    )


def notification_send(*, notification_id: int) -> bool:
    """Send one outbox email, at most once: the row is locked while sending and marked sent in
    the same transaction, so a second run (a retry, the sweeper, a duplicate message) finds it
    sent and does nothing. Returns True when this call sent it."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.sent_at is not None:
            return False
        subject, body = notification_message(notification)
        notification.attempts += 1
        try:
            send_mail(subject, body, None, [notification.to_email])
        except (smtplib.SMTPException, OSError) as exc:
            notification.last_error = type(exc).__name__
            notification.save(update_fields=["attempts", "last_error"])
            logger.warning(
                "Notification %s not sent (%s); the sweeper retries",
                notification.pk,
                type(exc).__name__,
            )
            return False
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["sent_at", "attempts", "last_error"])
        return True


def notifications_to_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Pending outbox rows old enough that their on-commit send must have failed or been lost."""
    return list(
        Notification.objects.pending()
        .filter(created_at__lte=timezone.now() - older_than, attempts__lt=MAX_SEND_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
