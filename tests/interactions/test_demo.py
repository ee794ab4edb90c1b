"""The demo holds referrals in every status, outcome and source, made through the services."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Count

from interactions.models import (
    AssignmentState,
    EventKind,
    Notification,
    Outcome,
    Referral,
    Reminder,
    Source,
    Status,
    Urgency,
)
from post_program.models import Physician, User


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--today", "2026-06-30", stdout=mock.MagicMock())


def _counts(field: str) -> dict[str, int]:
    return dict(Referral.objects.values_list(field).annotate(n=Count("pk")))


def test_every_status_outcome_and_source_is_there(demo):
    assert set(_counts("status")) == set(Status.values)
    outcomes = _counts("outcome")
    assert set(outcomes) - {""} == set(Outcome.values)
    assert outcomes[Outcome.SUPPORTED] > sum(
        n for outcome, n in outcomes.items() if outcome not in ("", Outcome.SUPPORTED)
    )
    assert set(_counts("source")) == set(Source.values)


def test_the_coordinator_s_queue_has_urgent_overdue_and_unlisted_colleagues(demo):
    coordinator = User.objects.get(email="coordinator@example.org")
    site_id = coordinator.role_assignments.get().site_id
    queue = Referral.objects.open().filter(department__site_id=site_id)
    assert queue.filter(urgency=Urgency.SAFETY).exists()
    assert queue.filter(physician__isnull=True).exclude(named_colleague="").exists()
    assert any(referral.is_overdue for referral in queue)
    assert queue.filter(source=Source.EVENT, status=Status.NEW).count() == 2


def test_the_demo_people_have_something_to_see(demo):
    supporter = Physician.objects.get(physician_id="DEMO-SUPPORTER").supporter
    held = set(Referral.objects.filter(assigned_to=supporter).values_list("status", flat=True))
    assert {Status.ASSIGNED, Status.ACCEPTED, Status.CLOSED} <= held
    physician = User.objects.get(email="physician@example.org")
    mine = Referral.objects.filter(referrer=physician)
    assert mine.filter(source=Source.SELF).exists() and mine.open().exists()


def test_the_history_is_complete_and_loading_sent_nothing(demo):
    declined = Referral.objects.filter(assignments__state=AssignmentState.DECLINED)
    assert declined.exists()
    for referral in Referral.objects.prefetch_related("events"):
        kinds = [event.kind for event in referral.events.all()]
        assert kinds[0] == EventKind.RECEIVED
        assert referral.events.all()[len(kinds) - 1].to_status == referral.status
    assert not Notification.objects.exists()
    assert not Reminder.objects.exists()
    assert Referral.objects.values("referral_id").distinct().count() == Referral.objects.count()
