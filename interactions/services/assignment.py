"""Offering a referral to a supporter, and the supporter accepting or declining it."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from post_program import program_settings
from post_program.models import PeerSupporter, User

from ..models import (
    ACTIVE_ASSIGNMENT_STATES,
    Assignment,
    AssignmentState,
    DeclineReason,
    EventKind,
    NotificationKind,
    Referral,
    ReminderKind,
    Status,
)
from .deadlines import _remind, contact_reminder_at
from .notifications import _notify, site_coordinators
from .transitions import ReferralError, _audit, _back_to_queue, _check_version, _event, _lock, _now


def assignment_rule_errors(referral: Referral, supporter: PeerSupporter) -> list[str]:
    """The rules no assignment may break, whoever chooses the supporter."""
    errors = []
    if supporter.status != PeerSupporter.Status.ACTIVE:
        errors.append(gettext("This supporter is not active."))
    if referral.physician_id is not None:
        if supporter.physician_id == referral.physician_id:
            errors.append(gettext("A physician cannot be their own supporter."))
        elif supporter.conflicts.filter(pk=referral.physician_id).exists():
            errors.append(gettext("This supporter declared a conflict with the physician."))
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
        raise ReferralError(gettext("This referral is closed."))
    errors = assignment_rule_errors(referral, supporter)
    if errors:
        raise ReferralError(" ".join(errors))
    current = Assignment.objects.select_for_update().filter(
        referral=referral, state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED]
    )
    previous = current.first()
    if previous is not None:
        if previous.supporter_id == supporter.pk:
            raise ReferralError(gettext("This supporter already has this referral."))
        previous.state = AssignmentState.WITHDRAWN
        previous.responded_at = at
        previous.save(update_fields=["state", "responded_at"])
    assignment = Assignment.objects.create(
        referral=referral,
        supporter=supporter,
        assigned_by=actor,
        assigned_at=at,
        accept_due_at=at + timedelta(hours=program_settings.get().accept_within_hours),
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
        remind_at = contact_reminder_at(referral)
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
        raise ReferralError(gettext("This referral is no longer waiting for your answer."))
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
        raise ReferralError(gettext("Choose a reason."))
    at = _now(at)
    referral = _lock(referral)
    assignment = _pending_assignment(referral, supporter)
    assignment.state = AssignmentState.DECLINED
    assignment.responded_at = at
    assignment.decline_reason = reason
    assignment.save(update_fields=["state", "responded_at", "decline_reason"])
    return _given_back(
        actor=actor,
        referral=referral,
        assignment=assignment,
        kind=EventKind.DECLINED,
        action="referral.decline",
        at=at,
        notify=notify,
    )


@transaction.atomic
def supporter_referrals_return(
    *, actor: User | None, supporter: PeerSupporter, at: datetime | None = None
) -> list[Referral]:
    """Every referral offered to or accepted by a supporter whose account was closed goes back
    to the queue: the offer withdrawn, the history and audit row of each, the coordinators
    told. Returns the referrals given back."""
    at = _now(at)
    referral_ids = Assignment.objects.filter(
        supporter=supporter, state__in=ACTIVE_ASSIGNMENT_STATES
    ).values_list("referral_id", flat=True)
    returned = []
    for referral_id in sorted(referral_ids):
        referral = _lock(referral_id)
        assignment = referral.assignments.select_for_update().get(
            supporter=supporter, state__in=ACTIVE_ASSIGNMENT_STATES
        )
        assignment.state = AssignmentState.WITHDRAWN
        assignment.responded_at = assignment.responded_at or at
        assignment.save(update_fields=["state", "responded_at"])
        returned.append(
            _given_back(
                actor=actor,
                referral=referral,
                assignment=assignment,
                kind=EventKind.ACCOUNT_CLOSED,
                action="referral.account_closed",
                at=at,
                notify=True,
            )
        )
    return returned


def _given_back(
    *,
    actor: User | None,
    referral: Referral,
    assignment: Assignment,
    kind: str,
    action: str,
    at: datetime,
    notify: bool,
) -> Referral:
    """The referral back in the queue after its supporter gave up ``assignment`` (declined,
    with its reason, or withdrawn when their account was closed): its history, its audit row,
    and the coordinators told."""
    from_status = _back_to_queue(referral)
    reason = assignment.decline_reason
    supporter = assignment.supporter
    _event(
        referral,
        kind,
        actor=actor,
        at=at,
        from_status=from_status,
        supporter=supporter,
        reason=reason,
    )
    _audit(
        actor,
        action,
        referral,
        supporter_id=supporter.pk,
        assignment_id=assignment.pk,
        reason=reason,
    )
    if notify:
        _notify(NotificationKind.RETURNED, referral, users=site_coordinators(referral.site.pk))
    return referral
