"""Bad input on every training form is refused with a message, and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from post_program.models import AuditEvent
from tests.factories import PhysicianFactory
from training.models import Course, CourseKind, TrainingCompletion, TrainingSession

from .factories import CourseFactory, EnrollmentFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _local(delta: timedelta) -> str:
    return (timezone.localtime() + delta).strftime("%Y-%m-%dT%H:%M")


def _session_data(cast, **overrides):
    data = {
        "course": CourseFactory().pk,
        "starts_at": _local(timedelta(days=5)),
        "ends_at": _local(timedelta(days=5, hours=3)),
        "location": "Room 4",
        "video_url": "",
        "facilitator": cast.director.pk,
        "capacity": "10",
    }
    data.update(overrides)
    return data


# --- Scheduling a session -------------------------------------------------------------------


def test_a_valid_session_is_scheduled_and_audited(cast):
    response = cast.client("director").post(
        reverse("training:session_create"),
        _session_data(cast, video_url="video.example.org/room", location=""),
    )
    session = TrainingSession.objects.get()
    assert response["Location"] == reverse("training:session_detail", args=[session.pk])
    assert session.video_url == "https://video.example.org/room"
    assert AuditEvent.objects.filter(action="training.session.create").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_at": ""}, "This field is required"),
        ({"starts_at": "tomorrow at nine"}, "Enter a valid date/time"),
        ({"starts_at": _local(timedelta(hours=-1))}, "must start in the future"),
        ({"ends_at": _local(timedelta(days=4))}, "must end after it starts"),
        ({"location": "", "video_url": ""}, "Give a place, a video link or both"),
        ({"location": "   ", "video_url": ""}, "Give a place, a video link or both"),
        ({"video_url": "not a link at all"}, "Enter a valid URL"),
        ({"capacity": "0"}, "greater than or equal to 1"),
        ({"capacity": "501"}, "less than or equal to 500"),
        ({"capacity": "many"}, "Enter a whole number"),
        ({"course": "999999"}, "Select a valid choice"),
        ({"facilitator": "999999"}, "Select a valid choice"),
    ],
)
def test_bad_session_input_is_refused(cast, overrides, message):
    response = cast.client("director").post(
        reverse("training:session_create"), _session_data(cast, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_retired_course_cannot_be_scheduled(cast):
    retired = CourseFactory(is_active=False)
    response = cast.client("director").post(
        reverse("training:session_create"), _session_data(cast, course=retired.pk)
    )
    assert b"Select a valid choice" in response.content
    assert not TrainingSession.objects.exists()


def test_a_physician_without_a_role_cannot_facilitate(cast):
    response = cast.client("director").post(
        reverse("training:session_create"),
        _session_data(cast, facilitator=cast.physician.pk),
    )
    assert b"Select a valid choice" in response.content


def test_editing_a_session_checks_the_capacity_against_seats_taken(cast):
    session = TrainingSessionFactory(capacity=3, facilitator=cast.director)
    EnrollmentFactory.create_batch(3, session=session)
    data = _session_data(cast, capacity="2")
    data["starts_at"] = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M")
    response = cast.client("director").post(
        reverse("training:session_update", args=[session.pk]), data
    )
    assert response.status_code == 200
    assert b"cannot be lower than that" in response.content
    session.refresh_from_db()
    assert session.capacity == 3


def test_editing_keeps_the_course_and_saves_changes(cast):
    session = TrainingSessionFactory(capacity=3, facilitator=cast.director)
    other_course = CourseFactory()
    data = _session_data(cast, capacity="8", course=other_course.pk, location="Room 9")
    data["starts_at"] = timezone.localtime(session.starts_at).strftime("%Y-%m-%dT%H:%M")
    data["ends_at"] = timezone.localtime(session.ends_at).strftime("%Y-%m-%dT%H:%M")
    response = cast.client("director").post(
        reverse("training:session_update", args=[session.pk]), data
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.capacity, session.location) == (8, "Room 9")
    assert session.course != other_course


# --- Courses --------------------------------------------------------------------------------

COURSE = {"name": "Refresher B", "kind": "refresher", "hours": "3", "topics": "", "is_active": "on"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "initial a"}, "already exists"),
        ({"kind": "advanced"}, "Select a valid choice"),
        ({"hours": "0"}, "greater than or equal to 0.5"),
        ({"hours": "101"}, "less than or equal to 100"),
        ({"hours": "eight"}, "Enter a number"),
        ({"hours": "2.25"}, "no more than 1 decimal place"),
    ],
)
def test_bad_course_input_is_refused(cast, overrides, message):
    CourseFactory(name="Initial A")
    response = cast.client("director").post(
        reverse("training:course_create"), {**COURSE, **overrides}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Course.objects.count() == 1


def test_a_course_is_added_and_edited(cast):
    client = cast.client("director")
    assert client.post(reverse("training:course_create"), COURSE).status_code == 302
    course = Course.objects.get()
    assert (course.kind, course.hours, course.is_active) == ("refresher", 3, True)
    response = client.post(
        reverse("training:course_update", args=[course.pk]),
        {**COURSE, "topics": "One\n\nTwo ", "is_active": ""},
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.topic_list == ["One", "Two"]
    assert course.is_active is False
    # Keeping its own name is not a clash.
    response = client.post(reverse("training:course_update", args=[course.pk]), COURSE)
    assert response.status_code == 302


def test_unknown_course_is_404(cast):
    response = cast.client("director").get(reverse("training:course_update", args=[999]))
    assert response.status_code == 404


# --- Completions entered by hand ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"physician": "", "course": "initial", "completed_on": "2024-01-01"}, "who completed"),
        ({"physician": "NOPE", "course": "initial", "completed_on": "2024-01-01"}, "the list"),
        ({"physician": "{id}", "course": "advanced", "completed_on": "2024-01-01"}, "valid choice"),
        ({"physician": "{id}", "course": "initial", "completed_on": "01/02/2024"}, "valid date"),
        ({"physician": "{id}", "course": "initial", "completed_on": "2999-01-01"}, "the future"),
    ],
)
def test_bad_completion_input_is_refused(cast, data, message):
    data = {**data, "physician": data["physician"].format(id=cast.physician_profile.physician_id)}
    response = cast.client("director").post(reverse("training:completion_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TrainingCompletion.objects.exists()


def test_a_completion_is_for_a_physician_found_by_name_not_typed_by_id(cast, monkeypatch):
    from training import forms

    nadia = PhysicianFactory(department=cast.department_b, name="Nadia Newcomer")
    PhysicianFactory(department=cast.department_b, name="Nathan Other")
    url = reverse("training:completion_create")
    client = cast.client("director")
    small = client.get(url).content.decode()
    assert '<select name="physician"' in small and "Physician ID" not in small
    assert "Find a physician by name" not in small

    monkeypatch.setattr(forms, "SELECT_LIMIT", 1)
    big = client.get(url).content.decode()
    # Nobody is listed before a search.
    assert "Find a physician by name" in big and "Physician ID" not in big
    assert "Nadia Newcomer" not in big

    # The search narrows the list, keeps the other answers, and records nothing.
    found = client.post(
        url, {"name": "nadia", "course": "refresher", "completed_on": "2024-01-01", "find": "Find"}
    )
    assert found.status_code == 200
    page = found.content.decode()
    assert 'id="error-summary"' not in page
    select = page[page.index('<select name="physician"') : page.index("</select>")]
    assert f'value="{nadia.physician_id}"' in select and "Nathan Other" not in select
    assert 'value="2024-01-01"' in page
    assert '<option value="refresher" selected>' in page
    assert not TrainingCompletion.objects.exists()

    data = {"name": "nadia", "course": "initial", "completed_on": "2024-01-01"}
    response = client.post(url, {**data, "physician": nadia.physician_id})
    assert response.status_code == 302 and "nadia" not in response["Location"].lower()
    assert TrainingCompletion.objects.get().physician == nadia


def test_a_completion_without_a_physician_is_summarised_and_records_nothing(cast, monkeypatch):
    from training import forms

    monkeypatch.setattr(forms, "SELECT_LIMIT", 1)
    data = {"name": "nad", "physician": "", "course": "initial", "completed_on": "2024-01-01"}
    response = cast.client("director").post(reverse("training:completion_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('id="error-summary"')
    message = "Choose the physician who completed the course."
    assert message in page[start : page.index("</ul>", start)]
    assert page.count(message) == 2  # the summary and the field
    assert 'value="nad"' in page  # the search is kept
    assert not TrainingCompletion.objects.exists()


def test_a_duplicate_completion_is_refused(cast):
    data = {
        "physician": cast.physician_profile.physician_id,
        "course": "initial",
        "completed_on": "2024-01-01",
    }
    client = cast.client("director")
    assert client.post(reverse("training:completion_create"), data).status_code == 302
    response = client.post(reverse("training:completion_create"), data)
    assert b"already recorded" in response.content
    completion = TrainingCompletion.objects.get()
    assert completion.source == TrainingCompletion.Source.MANUAL
    assert completion.course == CourseKind.INITIAL


# --- The status filter ----------------------------------------------------------------------


def test_a_department_outside_ones_scope_in_the_filter_is_ignored_not_shown(cast):
    from tests.factories import PeerSupporterFactory

    south = PeerSupporterFactory(physician__department=cast.department_b)
    response = cast.client("lead").get(
        reverse("training:training_status"), {"department": cast.department_b.pk}
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert south.physician.name.encode() not in response.content
