"""The referral life cycle's invariants hold in the database, whatever code writes the row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from interactions.models import (
    Assignment,
    AssignmentState,
    Referral,
    Reminder,
    ReminderKind,
    Status,
)
from tests.factories import PhysicianFactory

from .factories import referral_assigned, referral_in_status, referral_new

pytestmark = pytest.mark.django_db


def _breaks(referral_or_row, **changes) -> bool:
    """True when saving the row with `changes` violates a constraint."""
    for name, value in changes.items():
        setattr(referral_or_row, name, value)
    try:
        with transaction.atomic():
            referral_or_row.save()
    except IntegrityError:
        return True
    return False


def test_a_closed_referral_needs_a_closing_time_and_an_outcome(cast):
    referral = referral_new(department=cast.department_a)
    assert _breaks(referral, status=Status.CLOSED)
    referral.refresh_from_db()
    assert _breaks(referral, status=Status.CLOSED, closed_at=timezone.now())
    referral.refresh_from_db()
    assert not _breaks(
        referral, status=Status.CLOSED, closed_at=timezone.now(), outcome="unreachable"
    )


def test_an_open_referral_has_no_outcome_and_no_closing_time(cast):
    referral = referral_new(department=cast.department_a)
    assert _breaks(referral, outcome="supported")
    referral.refresh_from_db()
    assert _breaks(referral, closed_at=timezone.now())


def test_an_outcome_must_be_one_of_the_four(cast):
    referral = referral_new(department=cast.department_a)
    assert _breaks(referral, status=Status.CLOSED, closed_at=timezone.now(), outcome="cured")


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.ACCEPTED, Status.CONTACTED])
def test_assigned_statuses_need_a_supporter(cast, status):
    referral = referral_in_status(
        status, department=cast.department_a, supporter=cast.supporter_a_profile
    )
    assert _breaks(referral, assigned_to=None)


def test_a_new_referral_has_nobody_on_it(cast):
    referral = referral_new(department=cast.department_a)
    assert _breaks(referral, assigned_to=cast.supporter_a_profile)


def test_accepted_needs_its_time_and_contacted_its_first_contact(cast):
    accepted = referral_in_status(
        "accepted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    assert _breaks(accepted, accepted_at=None)
    contacted = referral_in_status(
        "contacted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    assert _breaks(contacted, first_contact_at=None)


def test_nothing_happens_before_the_referral_was_received(cast):
    referral = referral_in_status(
        "contacted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    before = referral.received_at - timedelta(minutes=1)
    assert _breaks(referral, first_contact_at=before)
    referral.refresh_from_db()
    assert _breaks(referral, first_contact_due_at=referral.received_at)
    referral.refresh_from_db()
    assert _breaks(referral, assigned_at=before)


def test_one_open_referral_per_physician_but_closed_ones_do_not_count(cast):
    physician = PhysicianFactory(department=cast.department_a)
    closed = referral_in_status(
        "closed",
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        physician=physician,
    )
    first_open = referral_new(department=cast.department_a, physician=physician)
    assert closed.status == Status.CLOSED and first_open.status == Status.NEW
    duplicate = Referral(
        source="self",
        physician=physician,
        department=cast.department_a,
        reason="other",
        first_contact_due_at=timezone.now() + timedelta(hours=24),
    )
    assert _breaks(duplicate)


def test_referrals_for_colleagues_not_on_the_roster_are_not_limited(cast):
    for _ in range(2):
        referral_new(department=cast.department_a, named_colleague="Dr Visiting")
    assert Referral.objects.filter(physician__isnull=True).count() == 2


def test_one_active_assignment_per_referral(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    now = timezone.now()
    second = Assignment(
        referral=referral,
        supporter=cast.supporter_b_profile,
        assigned_at=now,
        accept_due_at=now + timedelta(hours=4),
    )
    assert _breaks(second)
    # Once the first is declined, another may be offered.
    Assignment.objects.filter(referral=referral).update(
        state=AssignmentState.DECLINED, responded_at=now, decline_reason="capacity"
    )
    assert not _breaks(second)


def test_a_declined_assignment_has_a_reason_and_a_response_time(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    assignment = referral.assignments.get()
    assert _breaks(assignment, state=AssignmentState.DECLINED, responded_at=timezone.now())
    assignment.refresh_from_db()
    assert _breaks(assignment, state=AssignmentState.ACCEPTED)


def test_the_overdue_reminder_belongs_to_the_referral_and_is_unique(cast):
    referral = referral_new(department=cast.department_a, notify=True)
    reminder = Reminder.objects.get(referral=referral, kind=ReminderKind.CONTACT_OVERDUE)
    assert reminder.due_at == referral.first_contact_due_at
    copy = Reminder(referral=referral, kind=ReminderKind.CONTACT_OVERDUE, due_at=reminder.due_at)
    assert _breaks(copy)


def test_is_overdue_counts_only_open_uncontacted_referrals_past_their_deadline(cast):
    past = timezone.now() - timedelta(hours=30)
    late = referral_new(department=cast.department_a, at=past)
    on_time = referral_new(department=cast.department_a)
    assert late.is_overdue and not on_time.is_overdue
    assert list(Referral.objects.overdue()) == [late]
