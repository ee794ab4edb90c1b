"""Deadlines are rows with due times, processed by a periodic job: tested under a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from freezegun import freeze_time

from interactions import services, tasks
from interactions.models import (
    AssignmentState,
    EventKind,
    Reminder,
    ReminderKind,
    Status,
)
from post_program.models import AuditEvent

from .factories import referral_new

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-03-02T08:00:00+00:00")


@pytest.fixture
def hours(settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    settings.ACCEPT_WITHIN_HOURS = 4
    settings.REMINDER_BEFORE_HOURS = 6


def _run_at(moment: datetime) -> dict:
    with freeze_time(moment):
        return tasks.deadlines_process()


def _received_and_assigned(cast, django_capture_on_commit_callbacks, assign_after=1):
    with freeze_time(T0), django_capture_on_commit_callbacks(execute=True):
        referral = referral_new(department=cast.department_a, notify=True)
    with (
        freeze_time(T0 + timedelta(hours=assign_after)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.referral_assign(
            actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile
        )
    mail.outbox.clear()
    return referral


def test_receipt_and_assignment_schedule_their_deadlines(
    cast, hours, django_capture_on_commit_callbacks
):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    due = dict(Reminder.objects.filter(referral=referral).values_list("kind", "due_at"))
    assert due == {
        ReminderKind.CONTACT_OVERDUE: T0 + timedelta(hours=24),
        ReminderKind.ACCEPT_DUE: T0 + timedelta(hours=1 + 4),
        ReminderKind.CONTACT_REMINDER: T0 + timedelta(hours=24 - 6),
    }


def test_nothing_happens_before_a_deadline(cast, hours, django_capture_on_commit_callbacks):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    assert _run_at(T0 + timedelta(hours=4, minutes=59)) == {}
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED and mail.outbox == []


def test_an_assignment_not_accepted_in_time_returns_to_the_queue(
    cast, hours, django_capture_on_commit_callbacks
):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_at(T0 + timedelta(hours=5)) == {"returned": 1}
    referral.refresh_from_db()
    assert referral.status == Status.NEW and referral.assigned_to is None
    assignment = referral.assignments.get()
    assert assignment.state == AssignmentState.EXPIRED
    assert assignment.responded_at == T0 + timedelta(hours=5)
    event = referral.events.get(kind=EventKind.EXPIRED)
    assert event.at == T0 + timedelta(hours=5) and event.from_status == Status.ASSIGNED
    assert AuditEvent.objects.filter(action="referral.expire").count() == 1
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
    assert "back in the queue" in mail.outbox[0].subject
    # Running again does nothing more.
    assert _run_at(T0 + timedelta(hours=6)) == {}


def test_an_accepted_assignment_is_not_returned(cast, hours, django_capture_on_commit_callbacks):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    with freeze_time(T0 + timedelta(hours=2)):
        services.referral_accept(
            actor=cast.supporter_a, referral=referral, supporter=cast.supporter_a_profile
        )
    assert _run_at(T0 + timedelta(hours=5)) == {"skipped": 1}
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED


def test_the_supporter_is_reminded_before_first_contact_is_due(
    cast, hours, django_capture_on_commit_callbacks
):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    with freeze_time(T0 + timedelta(hours=2)):
        services.referral_accept(
            actor=cast.supporter_a, referral=referral, supporter=cast.supporter_a_profile
        )
    _run_at(T0 + timedelta(hours=5))  # the acceptance deadline passes quietly
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_at(T0 + timedelta(hours=18)) == {"sent": 1}
    assert [m.to for m in mail.outbox] == [[cast.supporter_a.email]]
    assert "due soon" in mail.outbox[0].subject
    assert referral.events.filter(kind=EventKind.REMINDED).count() == 1


def test_no_reminder_once_contact_is_made(cast, hours, django_capture_on_commit_callbacks):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    with freeze_time(T0 + timedelta(hours=2)):
        services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_a_profile)
        services.referral_record_contact(actor=None, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_at(T0 + timedelta(hours=30)) == {"skipped": 3}
    assert mail.outbox == []


def test_coordinators_are_alerted_when_first_contact_is_overdue(
    cast, hours, django_capture_on_commit_callbacks
):
    with freeze_time(T0), django_capture_on_commit_callbacks(execute=True):
        referral = referral_new(department=cast.department_a, notify=True)
    mail.outbox.clear()
    assert _run_at(T0 + timedelta(hours=23, minutes=59)) == {}
    with django_capture_on_commit_callbacks(execute=True):
        assert _run_at(T0 + timedelta(hours=24)) == {"sent": 1}
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
    assert "overdue" in mail.outbox[0].subject
    escalation = referral.events.get(kind=EventKind.ESCALATED)
    assert escalation.at == T0 + timedelta(hours=24)
    with freeze_time(T0 + timedelta(hours=25)):
        assert referral.is_overdue


def test_a_late_assignment_schedules_no_reminder_after_the_deadline(
    cast, hours, django_capture_on_commit_callbacks
):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks, assign_after=20)
    kinds = set(Reminder.objects.filter(referral=referral).values_list("kind", flat=True))
    assert ReminderKind.CONTACT_REMINDER not in kinds


def test_a_reminder_is_processed_once_even_if_two_runs_meet(
    cast, hours, django_capture_on_commit_callbacks
):
    referral = _received_and_assigned(cast, django_capture_on_commit_callbacks)
    reminder = Reminder.objects.get(referral=referral, kind=ReminderKind.ACCEPT_DUE)
    moment = T0 + timedelta(hours=6)
    with freeze_time(moment):
        assert services.reminder_process(reminder_id=reminder.pk) == "returned"
        assert services.reminder_process(reminder_id=reminder.pk) == ""
    reminder.refresh_from_db()
    assert (reminder.processed_at, reminder.result) == (moment, "returned")


def test_history_recorded_quietly_schedules_nothing(cast, hours):
    referral = referral_new(department=cast.department_a, notify=False)
    services.referral_assign(
        actor=None, referral=referral, supporter=cast.supporter_a_profile, notify=False
    )
    assert not Reminder.objects.filter(referral=referral).exists()
