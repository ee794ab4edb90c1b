"""Deadlines on referrals: the reminders scheduled by the transitions, and what a periodic
job does with each one when it falls due."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Q, Value, When

from ..models import (
    Assignment,
    AssignmentState,
    EventKind,
    NotificationKind,
    Referral,
    Reminder,
    ReminderKind,
    first_contact_hours,
)
from .notifications import _notify, site_coordinators
from .transitions import _audit, _back_to_queue, _event, _lock, _now


def _remind(referral: Referral, kind: str, due_at: datetime, assignment=None) -> None:
    Reminder.objects.create(referral=referral, assignment=assignment, kind=kind, due_at=due_at)


def contact_reminder_at(referral: Referral) -> datetime:
    """When the supporter holding `referral` is reminded that first contact is due:
    REMINDER_BEFORE_HOURS before the deadline, or half-way through the deadline when it is
    shorter than twice that (an urgent one: 2 hours before 4)."""
    lead = min(settings.REMINDER_BEFORE_HOURS, first_contact_hours(referral.urgency) / 2)
    return referral.first_contact_due_at - timedelta(hours=lead)


def deadlines_bring_forward(referral: Referral) -> None:
    """After `referral.first_contact_due_at` moved earlier (a request raised it to urgent): its
    pending overdue check moves to the new deadline and any pending reminder of its supporter
    to the new reminder time, neither ever later than it was (one statement)."""
    due, remind_at = referral.first_contact_due_at, contact_reminder_at(referral)
    Reminder.objects.filter(
        Q(kind=ReminderKind.CONTACT_OVERDUE, due_at__gt=due)
        | Q(kind=ReminderKind.CONTACT_REMINDER, due_at__gt=remind_at),
        referral=referral,
        processed_at__isnull=True,
    ).update(
        due_at=Case(
            When(kind=ReminderKind.CONTACT_OVERDUE, then=Value(due)), default=Value(remind_at)
        )
    )


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
    # Each takes the referral, the reminder's assignment (None for the overdue check) and now.
    handlers: dict[str, Callable[..., str]] = {
        ReminderKind.ACCEPT_DUE: _accept_due,
        ReminderKind.CONTACT_REMINDER: _contact_reminder,
        ReminderKind.CONTACT_OVERDUE: _contact_overdue,
    }
    result = handlers[reminder.kind](referral, assignment, now) or "skipped"
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
