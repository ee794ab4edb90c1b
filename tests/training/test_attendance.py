"""Attendance and completion at a session, and what a completion unlocks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from post_program.models import AuditEvent, PeerSupporter
from surveys.models import PlannedInvitation
from tests.factories import PhysicianFactory
from training import services
from training.models import CourseKind, Enrollment, TrainingCompletion

from .factories import CourseFactory, EnrollmentFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

S = Enrollment.Status


def _started_session(*, kind=CourseKind.INITIAL, **kwargs):
    starts_at = timezone.now() - timedelta(hours=2)
    return TrainingSessionFactory(
        course=CourseFactory(kind=kind),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        **kwargs,
    )


def test_marks_write_one_completion_per_completed_seat(cast):
    session = _started_session(kind=CourseKind.REFRESHER)
    done, came, away = (EnrollmentFactory(session=session) for _ in range(3))
    completions = services.attendance_record(
        actor=cast.director,
        session=session,
        marks={done.pk: S.COMPLETED, came.pk: S.ATTENDED, away.pk: S.ABSENT},
    )
    assert [(c.physician, c.course, c.completed_on) for c in completions] == [
        (done.physician, "refresher", timezone.localdate(session.ends_at))
    ]
    assert completions[0].session == session
    assert completions[0].recorded_by == cast.director
    statuses = dict(session.enrollments.values_list("pk", "status"))
    assert statuses == {done.pk: S.COMPLETED, came.pk: S.ATTENDED, away.pk: S.ABSENT}
    # The survey engine is asked to invite the new completion to an evaluation, at once.
    planned = PlannedInvitation.objects.get()
    assert planned.source_key == f"training_completion:{completions[0].pk}"
    assert (planned.trigger, planned.physician) == ("training_evaluation", done.physician)
    assert planned.due_at == completions[0].recorded_at
    event = AuditEvent.objects.get(action="training.attendance.record")
    assert event.detail["completed_enrollment_ids"] == [done.pk]


def test_attended_can_become_completed_later_but_completed_is_final(cast):
    session = _started_session()
    enrollment = EnrollmentFactory(session=session)
    services.attendance_record(
        actor=cast.director, session=session, marks={enrollment.pk: S.ATTENDED}
    )
    assert not TrainingCompletion.objects.exists()
    services.attendance_record(
        actor=cast.director, session=session, marks={enrollment.pk: S.COMPLETED}
    )
    assert TrainingCompletion.objects.count() == 1
    # Saving the same sheet again changes nothing; undoing a completion is refused.
    assert (
        services.attendance_record(
            actor=cast.director, session=session, marks={enrollment.pk: S.COMPLETED}
        )
        == []
    )
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.attendance_record(
            actor=cast.director, session=session, marks={enrollment.pk: S.ABSENT}
        )
    assert TrainingCompletion.objects.count() == 1


def test_attendance_waits_for_the_session_to_start(cast):
    session = TrainingSessionFactory()
    enrollment = EnrollmentFactory(session=session)
    with pytest.raises(ValidationError, match="once the session has started"):
        services.attendance_record(
            actor=cast.director, session=session, marks={enrollment.pk: S.COMPLETED}
        )


@pytest.mark.parametrize("status", [S.WAITLISTED, S.CANCELLED], ids=["waitlisted", "cancelled"])
def test_only_seat_holders_are_marked(cast, status):
    session = _started_session()
    enrollment = EnrollmentFactory(session=session, status=status)
    with pytest.raises(ValidationError, match="holding a seat"):
        services.attendance_record(
            actor=cast.director, session=session, marks={enrollment.pk: S.ATTENDED}
        )


def test_marks_for_another_session_or_unknown_marks_are_refused(cast):
    session = _started_session()
    elsewhere = EnrollmentFactory(session=_started_session())
    with pytest.raises(ValidationError, match="not signed up for this session"):
        services.attendance_record(
            actor=cast.director, session=session, marks={elsewhere.pk: S.ATTENDED}
        )
    mine = EnrollmentFactory(session=session)
    with pytest.raises(ValidationError, match="Unknown attendance mark"):
        services.attendance_record(
            actor=cast.director, session=session, marks={mine.pk: S.WAITLISTED}
        )


def test_completion_on_the_same_day_already_imported_is_not_duplicated(cast):
    session = _started_session()
    enrollment = EnrollmentFactory(session=session)
    services.completion_create(
        actor=None,
        physician=enrollment.physician,
        course=CourseKind.INITIAL,
        completed_on=timezone.localdate(session.ends_at),
        source=TrainingCompletion.Source.IMPORT,
    )
    assert (
        services.attendance_record(
            actor=cast.director, session=session, marks={enrollment.pk: S.COMPLETED}
        )
        == []
    )
    assert TrainingCompletion.objects.count() == 1


# --- The attendance page --------------------------------------------------------------------


def test_the_facilitator_records_the_sheet_in_the_browser_form(cast):
    session = _started_session(facilitator=cast.supporter_a)
    done = EnrollmentFactory(session=session, physician=cast.physician_profile)
    away = EnrollmentFactory(session=session)
    waiting = EnrollmentFactory(session=session, status=S.WAITLISTED)
    client = cast.client("supporter_a")
    url = reverse("training:session_attendance", args=[session.pk])
    page = client.get(url)
    assert f'name="mark_{done.pk}"'.encode() in page.content
    assert f'name="mark_{waiting.pk}"'.encode() not in page.content
    response = client.post(url, {f"mark_{done.pk}": "completed", f"mark_{away.pk}": "absent"})
    assert response.status_code == 302
    assert TrainingCompletion.objects.get().physician == cast.physician_profile
    page = client.get(url)
    assert b"Completed (recorded)" in page.content
    assert f'name="mark_{done.pk}"'.encode() not in page.content


@pytest.mark.parametrize("value", ["waitlisted", "graduated", "1"])
def test_bad_marks_in_the_form_are_refused(cast, value):
    session = _started_session()
    enrollment = EnrollmentFactory(session=session)
    response = cast.client("director").post(
        reverse("training:session_attendance", args=[session.pk]),
        {f"mark_{enrollment.pk}": value},
    )
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    enrollment.refresh_from_db()
    assert enrollment.status == S.SIGNED_UP


def test_the_form_refuses_a_sheet_before_the_session(cast):
    session = TrainingSessionFactory()
    enrollment = EnrollmentFactory(session=session)
    response = cast.client("director").post(
        reverse("training:session_attendance", args=[session.pk]),
        {f"mark_{enrollment.pk}": "completed"},
    )
    assert response.status_code == 200
    assert b"once the session has started" in response.content
    assert not TrainingCompletion.objects.exists()


# --- Certification --------------------------------------------------------------------------


def test_initial_completion_makes_a_physician_eligible_and_a_coordinator_activates(cast):
    session = _started_session()
    trainee = PhysicianFactory(department=cast.department_a)
    enrollment = EnrollmentFactory(session=session, physician=trainee)
    url = reverse("training:supporter_activate", args=[trainee.pk])
    response = cast.client("coordinator").post(url, follow=True)
    assert b"Only a physician who completed the initial training" in response.content
    assert not PeerSupporter.objects.filter(physician=trainee).exists()

    services.attendance_record(
        actor=cast.director, session=session, marks={enrollment.pk: S.COMPLETED}
    )
    assert not PeerSupporter.objects.filter(physician=trainee).exists()  # not automatic
    status = cast.client("coordinator").get(reverse("training:training_status"))
    assert trainee.name.encode() in status.content
    assert b"Activate as supporter" in status.content
    assert cast.client("coordinator").post(url).status_code == 302
    supporter = PeerSupporter.objects.get(physician=trainee)
    assert supporter.status == PeerSupporter.Status.ACTIVE
    assert supporter.activated_on == timezone.localdate()
    # Activating again says so instead of writing another activation.
    response = cast.client("director").post(url, follow=True)
    assert b"already a peer supporter" in response.content
    assert AuditEvent.objects.filter(action="supporter.activate").count() == 1


def test_a_refresher_alone_does_not_make_anyone_eligible(cast):
    trainee = PhysicianFactory(department=cast.department_a)
    services.completion_create(
        actor=cast.director,
        physician=trainee,
        course=CourseKind.REFRESHER,
        completed_on=date(2024, 1, 1),
    )
    with pytest.raises(ValidationError, match="initial training"):
        services.supporter_certify(actor=cast.director, physician=trainee)


def test_a_retired_supporter_who_trained_may_be_reactivated(cast):
    supporter = cast.supporter_b_profile
    supporter.status = PeerSupporter.Status.RETIRED
    supporter.save()
    services.completion_create(
        actor=None,
        physician=supporter.physician,
        course=CourseKind.INITIAL,
        completed_on=date(2020, 1, 1),
        source=TrainingCompletion.Source.IMPORT,
    )
    services.supporter_certify(actor=cast.director, physician=supporter.physician)
    supporter.refresh_from_db()
    assert supporter.status == PeerSupporter.Status.ACTIVE


def test_auto_activation_setting_activates_on_initial_completion(cast, settings):
    settings.AUTO_ACTIVATE_SUPPORTERS = True
    initial = _started_session()
    refresher = _started_session(kind=CourseKind.REFRESHER)
    trainee, other = PhysicianFactory.create_batch(2)
    e1 = EnrollmentFactory(session=initial, physician=trainee)
    e2 = EnrollmentFactory(session=refresher, physician=other)
    services.attendance_record(actor=cast.supporter_a, session=initial, marks={e1.pk: S.COMPLETED})
    services.attendance_record(
        actor=cast.supporter_a, session=refresher, marks={e2.pk: S.COMPLETED}
    )
    supporter = PeerSupporter.objects.get(physician=trainee)
    assert supporter.activated_on == timezone.localdate(initial.ends_at)
    assert not PeerSupporter.objects.filter(physician=other).exists()


def test_imported_history_does_not_auto_activate(cast, settings):
    settings.AUTO_ACTIVATE_SUPPORTERS = True
    physician = PhysicianFactory()
    services.completion_create(
        actor=None,
        physician=physician,
        course=CourseKind.INITIAL,
        completed_on=date(2021, 5, 1),
        source=TrainingCompletion.Source.IMPORT,
    )
    assert not PeerSupporter.objects.filter(physician=physician).exists()


def test_completion_service_refuses_bad_values(cast):
    physician = PhysicianFactory()
    with pytest.raises(ValidationError, match="Unknown course"):
        services.completion_create(
            actor=None, physician=physician, course="advanced", completed_on=date(2021, 1, 1)
        )
    with pytest.raises(ValidationError, match="future"):
        services.completion_create(
            actor=None,
            physician=physician,
            course="initial",
            completed_on=timezone.localdate() + timedelta(days=1),
        )
    services.completion_create(
        actor=None, physician=physician, course="initial", completed_on=date(2021, 1, 1)
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.completion_create(
            actor=None, physician=physician, course="initial", completed_on=date(2021, 1, 1)
        )


@pytest.mark.parametrize(
    ("source", "planned"), [("manual", True), ("session", True), ("import", False)]
)
def test_a_completion_asks_for_an_evaluation_unless_it_is_imported_history(cast, source, planned):
    completion = services.completion_create(
        actor=cast.director,
        physician=PhysicianFactory(),
        course=CourseKind.REFRESHER,
        completed_on=date(2022, 2, 2),
        source=source,
    )
    keys = list(PlannedInvitation.objects.values_list("source_key", flat=True))
    assert keys == ([f"training_completion:{completion.pk}"] if planned else [])
