"""What each role sees on the training pages, and that list pages keep a query budget."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import PeerSupporterFactory, PhysicianFactory
from training.models import CourseKind, Enrollment

from .factories import (
    CourseFactory,
    EnrollmentFactory,
    TrainingCompletionFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db


def _names(response) -> str:
    return response.content.decode()


# --- The calendar ---------------------------------------------------------------------------


def test_calendar_lists_upcoming_sessions_with_seats_and_ones_own_sign_up(cast):
    past = TrainingSessionFactory(
        course=CourseFactory(name="Old course"),
        starts_at=timezone.now() - timedelta(days=3),
        ends_at=timezone.now() - timedelta(days=3, hours=-2),
    )
    full = TrainingSessionFactory(course=CourseFactory(name="Full course"), capacity=1)
    EnrollmentFactory(session=full)
    EnrollmentFactory(session=full, physician=cast.physician_profile, status="waitlisted")
    open_session = TrainingSessionFactory(course=CourseFactory(name="Open course"), capacity=5)
    page = _names(cast.client("physician").get(reverse("training:session_list")))
    assert "Full course" in page and "Open course" in page
    assert "Old course" not in page
    assert "Waitlisted" in page
    assert "5 of 5" in page
    assert "Schedule a session" not in page
    assert past.pk and open_session.pk


def test_director_sees_recent_sessions_for_attendance_and_a_facilitator_only_theirs(cast):
    def ended(facilitator, name):
        starts_at = timezone.now() - timedelta(days=2)
        return TrainingSessionFactory(
            course=CourseFactory(name=name),
            facilitator=facilitator,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
        )

    ended(cast.supporter_a, "Led by A")
    ended(cast.director, "Led by director")
    director = _names(cast.client("director").get(reverse("training:session_list")))
    assert "Led by A" in director and "Led by director" in director
    assert "Schedule a session" in director
    facilitator = _names(cast.client("supporter_a").get(reverse("training:session_list")))
    assert "Led by A" in facilitator and "Led by director" not in facilitator
    physician = _names(cast.client("physician").get(reverse("training:session_list")))
    assert "Led by A" not in physician


def test_calendar_query_count_does_not_grow_with_sessions(cast, django_assert_max_num_queries):
    client = cast.client("physician")
    url = reverse("training:session_list")
    TrainingSessionFactory()
    client.get(url)  # warm up
    for _ in range(15):
        session = TrainingSessionFactory()
        EnrollmentFactory.create_batch(2, session=session)
    EnrollmentFactory(session=session, physician=cast.physician_profile)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count("<time") == 16


# --- Who sees who signed up -----------------------------------------------------------------


@pytest.fixture
def signed_up(cast):
    """A session led by supporter_a with a physician each from A, B and C signed up."""
    session = TrainingSessionFactory(facilitator=cast.supporter_a, capacity=10)
    people = {
        "a": cast.physician_profile,
        "b": PhysicianFactory(department=cast.department_b, name="Bea South"),
        "c": PhysicianFactory(department=cast.department_c, name="Cal Surgery"),
    }
    for physician in people.values():
        EnrollmentFactory(session=session, physician=physician)
    return session, {key: p.name for key, p in people.items()}


@pytest.mark.parametrize(
    ("member", "sees"),
    [
        ("director", {"a", "b", "c"}),
        ("supporter_a", {"a", "b", "c"}),  # the facilitator needs the list
        ("coordinator", {"a", "c"}),  # site North
        ("lead", {"a"}),  # department A
        ("physician", {"a"}),  # themself
        ("supporter_b", set()),
    ],
)
def test_who_sees_which_sign_ups(cast, signed_up, member, sees):
    session, names = signed_up
    page = _names(cast.client(member).get(reverse("training:session_detail", args=[session.pk])))
    assert {key for key, name in names.items() if name in page} == sees


def test_session_detail_query_count_holds_as_sign_ups_grow(cast, django_assert_max_num_queries):
    session = TrainingSessionFactory(capacity=100)
    url = reverse("training:session_detail", args=[session.pk])
    client = cast.client("director")
    EnrollmentFactory(session=session)
    client.get(url)
    EnrollmentFactory.create_batch(20, session=session)
    with django_assert_max_num_queries(12):
        client.get(url)


# --- Training status ------------------------------------------------------------------------


@pytest.fixture
def trained(cast, settings):
    """supporter_a current, supporter_b lapsed, one more in C never trained."""
    settings.REFRESHER_MONTHS = 24
    today = timezone.localdate()
    TrainingCompletionFactory(
        physician=cast.supporter_a_profile.physician,
        course=CourseKind.INITIAL,
        completed_on=today - timedelta(days=100),
    )
    TrainingCompletionFactory(
        physician=cast.supporter_b_profile.physician,
        course=CourseKind.INITIAL,
        completed_on=today - timedelta(days=365 * 3),
    )
    return PeerSupporterFactory(physician__department=cast.department_c)


@pytest.mark.parametrize(
    ("member", "sees"),
    [
        ("director", {"supporter_a", "supporter_b", "c"}),
        ("coordinator", {"supporter_a", "c"}),
        ("lead", {"supporter_a"}),
    ],
)
def test_training_status_covers_the_departments_one_may_see(cast, trained, member, sees):
    page = _names(cast.client(member).get(reverse("training:training_status")))
    names = {
        "supporter_a": cast.supporter_a.name,
        "supporter_b": cast.supporter_b.name,
        "c": trained.physician.name,
    }
    assert {key for key, name in names.items() if name in page} == sees


def test_training_status_shows_lapsed_in_words_and_filters(cast, trained):
    client = cast.client("director")
    page = _names(client.get(reverse("training:training_status")))
    assert page.count("Lapsed") >= 2  # supporter_b and the never-trained supporter
    assert "Current until" in page
    lapsed = _names(client.get(reverse("training:training_status"), {"training": "lapsed"}))
    assert cast.supporter_b.name in lapsed and cast.supporter_a.name not in lapsed
    current = _names(client.get(reverse("training:training_status"), {"training": "current"}))
    assert cast.supporter_a.name in current and cast.supporter_b.name not in current


def test_training_status_query_count_does_not_grow(cast, django_assert_max_num_queries):
    client = cast.client("director")
    url = reverse("training:training_status")
    client.get(url)
    for supporter in PeerSupporterFactory.create_batch(20, physician__department=cast.department_a):
        TrainingCompletionFactory(physician=supporter.physician, completed_on=date(2024, 1, 1))
    for physician in PhysicianFactory.create_batch(5, department=cast.department_a):
        TrainingCompletionFactory(physician=physician, completed_on=date(2024, 1, 1))
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count("Activate as supporter") == 5


def test_the_lead_sees_who_is_ready_but_has_no_activate_button(cast):
    trainee = PhysicianFactory(department=cast.department_a, name="Ready Trainee")
    TrainingCompletionFactory(physician=trainee, completed_on=date(2024, 1, 1))
    page = _names(cast.client("lead").get(reverse("training:training_status")))
    assert "Ready Trainee" in page
    assert "Activate as supporter" not in page


# --- One's own record -----------------------------------------------------------------------


@freeze_time("2025-06-01 12:00")
@pytest.mark.parametrize(
    ("completed", "expect"),
    [
        (None, "not completed the initial peer supporter course"),
        (date(2024, 1, 10), "current until <strong>Jan. 10, 2026</strong>"),
        (date(2023, 6, 20), "Your refresher is due soon"),
        (date(2023, 5, 31), "was current until May 31, 2025 and has lapsed"),
    ],
)
def test_my_training_says_where_one_stands(cast, settings, completed, expect):
    settings.REFRESHER_MONTHS = 24
    settings.REFRESHER_REMINDER_DAYS = 30
    if completed:
        TrainingCompletionFactory(
            physician=cast.supporter_a_profile.physician, completed_on=completed
        )
    page = _names(cast.client("supporter_a").get(reverse("training:my_training")))
    assert expect in page


def test_my_training_lists_only_ones_own_sign_ups(cast):
    mine = EnrollmentFactory(physician=cast.physician_profile, session__course__name="Mine")
    EnrollmentFactory(session__course__name="Someone else's")
    page = _names(cast.client("physician").get(reverse("training:my_training")))
    assert "Mine" in page and "Someone else" not in page
    assert f'action="{reverse("training:enrollment_cancel", args=[mine.pk])}"' in page


def test_a_trained_physician_is_told_about_activation(cast):
    TrainingCompletionFactory(physician=cast.physician_profile, completed_on=date(2024, 1, 1))
    page = _names(cast.client("physician").get(reverse("training:my_training")))
    assert "can be activated as a peer supporter" in page


# --- Links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "home", "links"),
    [
        ("director", "home_director", ["session_list", "session_create", "training_status"]),
        ("coordinator", "home_coordinator", ["training_status"]),
        ("lead", "home_lead", ["session_list", "training_status"]),
        ("supporter_a", "home_supporter", ["my_training"]),
        ("physician", "home_physician", ["session_list"]),
    ],
)
def test_home_pages_link_to_the_training_pages_of_the_role(cast, member, home, links):
    page = _names(cast.client(member).get(reverse(home)))
    for name in links:
        assert f'href="{reverse(f"training:{name}")}"' in page


def test_nothing_links_a_physician_to_staff_pages(cast):
    page = _names(cast.client("physician").get(reverse("home_physician")))
    assert reverse("training:training_status") not in page
    assert reverse("training:session_create") not in page


def test_enrollment_status_choices_match_the_constraint():
    """The model's statuses and the database check list the same values."""
    from training.models import Enrollment as Model

    constraint = next(c for c in Model._meta.constraints if c.name == "enrollment_status_valid")
    listed = set(dict(constraint.condition.children)["status__in"])
    assert listed == set(Enrollment.Status.values)
