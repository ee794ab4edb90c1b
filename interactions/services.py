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

from .models import (
    EVENT_REASON,
    Assignment,
    AssignmentState,
    ContactMethod,
    DeclineReason,
    DepartmentPreference,
    DifficultEvent,
    EventKind,
    Notification,
    NotificationKind,
    Outcome,
    Referral,
    ReferralEvent,
    Reminder,
    ReminderKind,
    Source,
    Status,
    Urgency,
    new_referral_id,
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
    from .tasks import notification_send

    # The row is the record of the work: if the broker is down now, the sweeper sends it later.
    enqueue_on_commit(notification_send, notification_id, broker_down_ok=True)


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
    link = settings.SITE_URL.rstrip("/") + (
        reverse("interactions:referral_detail", args=[notification.referral_id])
        if notification.referral_id
        else reverse("home")
    )
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
