"""The demo's training history: every supporter trained before activation, a few lapsed."""

from __future__ import annotations

import random
from datetime import date

import pytest

from post_program import demo as core_demo
from post_program.models import Department, PeerSupporter
from training import demo
from training.models import CourseKind, Enrollment, TrainingCompletion, TrainingSession
from training.selectors import (
    activation_candidates,
    supporters_training_current,
    supporters_training_lapsed,
)

TODAY = date(2026, 6, 30)


@pytest.fixture
def seeded(db, settings):
    settings.REFRESHER_MONTHS = 24
    ctx = core_demo.DemoContext(today=TODAY, rng=random.Random(2019))
    core_demo.seed(ctx)
    state = ctx.rng.getstate()
    demo.seed(ctx)
    ctx.rng_state_before_training = state
    return ctx


def test_training_leaves_the_shared_dice_alone(seeded):
    assert seeded.rng.getstate() == seeded.rng_state_before_training


def test_every_supporter_completed_the_initial_course_before_activation(seeded):
    supporters = PeerSupporter.objects.select_related("physician")
    assert supporters.count() > 50
    for supporter in supporters:
        initial = supporter.physician.training_completions.filter(course=CourseKind.INITIAL)
        assert initial.count() == 1
        assert initial.get().completed_on < supporter.activated_on


def test_most_are_current_and_a_few_lapsed_including_one_in_the_lead_department(seeded):
    everyone = PeerSupporter.objects.all()
    current = supporters_training_current(everyone, on=TODAY)
    lapsed = list(supporters_training_lapsed(everyone, on=TODAY).select_related("physician"))
    assert current.count() + len(lapsed) == everyone.count()
    assert 3 <= len(lapsed) < current.count() / 4
    assert any(s.physician.department_id == seeded.adopters[0].pk for s in lapsed)
    demo_supporter = PeerSupporter.objects.get(physician__physician_id="DEMO-SUPPORTER")
    assert current.filter(pk=demo_supporter.pk).exists()
    # Refreshers were taken by those who stayed current for more than one interval.
    assert TrainingCompletion.objects.filter(course=CourseKind.REFRESHER).count() >= 10
    assert not TrainingCompletion.objects.filter(completed_on__gt=TODAY).exists()


def test_calendar_has_upcoming_sessions_with_sign_ups_and_a_waitlist(seeded):
    upcoming = TrainingSession.objects.filter(starts_at__date__gt=TODAY)
    assert upcoming.count() >= 3
    assert upcoming.filter(course__kind=CourseKind.INITIAL).exists()
    assert upcoming.filter(course__kind=CourseKind.REFRESHER).exists()
    live = Enrollment.objects.filter(session__in=upcoming)
    assert live.filter(status=Enrollment.Status.SIGNED_UP).count() >= 8
    assert live.filter(status=Enrollment.Status.WAITLISTED).exists()
    for session in upcoming.with_counts():
        assert session.seats_taken <= session.capacity


def test_a_past_session_left_trained_physicians_waiting_for_activation(seeded):
    candidates = activation_candidates(departments=Department.objects.all(), on=TODAY)
    assert candidates.count() == 2
    assert candidates.filter(department=seeded.adopters[0]).exists()
    assert Enrollment.objects.filter(status=Enrollment.Status.ABSENT).count() == 1
