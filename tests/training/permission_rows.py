"""Who may use each training page. Sessions here are led by supporter_a (a facilitator who is
neither director nor lead); the physician of department A is the one signed up."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from tests.factories import PhysicianFactory
from tests.permission_table import Row, everyone, only
from training.models import CourseKind, Enrollment

from .factories import (
    CourseFactory,
    EnrollmentFactory,
    TrainingCompletionFactory,
    TrainingSessionFactory,
)


def _upcoming(cast):
    return TrainingSessionFactory(facilitator=cast.supporter_a, capacity=5)


def _started(cast):
    starts_at = timezone.now() - timedelta(hours=1)
    return TrainingSessionFactory(
        facilitator=cast.supporter_a, starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)
    )


def _enrollment(cast):
    return EnrollmentFactory(session=_upcoming(cast), physician=cast.physician_profile)


def _trainee(cast):
    """A physician of department A (site North) who completed the initial course."""
    physician = PhysicianFactory(department=cast.department_a)
    TrainingCompletionFactory(
        physician=physician, course=CourseKind.INITIAL, completed_on=date(2024, 1, 10)
    )
    return physician


def _session_data(cast):
    starts = timezone.localtime() + timedelta(days=10)
    return {
        "course": CourseFactory().pk,
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Room 4",
        "video_url": "",
        "facilitator": cast.director.pk,
        "capacity": 12,
    }


def _marks(cast):
    """Mark every seat of the physician (made by the row's kwargs) as attended."""
    return {
        f"mark_{pk}": Enrollment.Status.ATTENDED
        for pk in Enrollment.objects.filter(physician=cast.physician_profile).values_list(
            "pk", flat=True
        )
    }


def _started_with_physician(cast):
    session = _started(cast)
    EnrollmentFactory(session=session, physician=cast.physician_profile)
    return {"pk": session.pk}


_course_data = {
    "name": "Peer support refresher 2",
    "kind": "refresher",
    "hours": "3.5",
    "topics": "Caseload\nBoundaries",
    "is_active": "on",
}

STAFF_READ = only("director", "coordinator", "lead")
DIRECTOR_ONLY = only("director")
DIRECTOR_WRITES = only("director", ok=302)
PHYSICIANS = only("supporter_a", "supporter_b", "physician")
SESSION = {"kwargs": lambda cast: {"pk": _upcoming(cast).pk}}

ROWS = [
    # The calendar and a session: everyone in the program.
    Row("training:session_list", everyone(200)),
    Row("training:session_list", everyone(405), method="post"),
    Row("training:session_detail", everyone(200), **SESSION),
    Row("training:session_detail", everyone(405), method="post", **SESSION),
    Row("training:session_ics", everyone(200), **SESSION),
    Row("training:session_ics", everyone(405), method="post", **SESSION),
    # Scheduling and courses: the director.
    Row("training:session_create", DIRECTOR_ONLY),
    Row("training:session_create", DIRECTOR_WRITES, method="post", data=_session_data),
    Row("training:session_create", everyone(405), method="delete"),
    Row("training:session_update", DIRECTOR_ONLY, **SESSION),
    Row(
        "training:session_update",
        DIRECTOR_WRITES,
        method="post",
        data=lambda cast: {**_session_data(cast), "capacity": 20},
        **SESSION,
    ),
    Row("training:session_update", everyone(405), method="delete", **SESSION),
    Row("training:course_list", DIRECTOR_ONLY),
    Row("training:course_list", everyone(405), method="post"),
    Row("training:course_create", DIRECTOR_ONLY),
    Row("training:course_create", DIRECTOR_WRITES, method="post", data=lambda cast: _course_data),
    Row("training:course_create", everyone(405), method="delete"),
    Row("training:course_update", DIRECTOR_ONLY, kwargs=lambda cast: {"pk": CourseFactory().pk}),
    Row(
        "training:course_update",
        DIRECTOR_WRITES,
        method="post",
        kwargs=lambda cast: {"pk": CourseFactory().pk},
        data=lambda cast: _course_data,
    ),
    Row(
        "training:course_update",
        everyone(405),
        method="delete",
        kwargs=lambda cast: {"pk": CourseFactory().pk},
    ),
    Row("training:completion_create", DIRECTOR_ONLY),
    Row(
        "training:completion_create",
        DIRECTOR_WRITES,
        method="post",
        data=lambda cast: {
            "physician": cast.physician_profile.physician_id,
            "course": "initial",
            "completed_on": "2024-03-01",
        },
    ),
    Row("training:completion_create", everyone(405), method="delete"),
    # Sign-up: oneself (physician), a department's physicians (lead), anyone (director).
    # Supporters may sign up only themselves: naming someone else is refused as bad input.
    Row(
        "training:session_signup",
        {
            "director": 302,
            "lead": 302,
            "physician": 302,
            "coordinator": 403,
            "supporter_a": 400,
            "supporter_b": 400,
            "anonymous": 302,
        },
        method="post",
        data=lambda cast: {"physician": cast.physician_profile.physician_id},
        **SESSION,
    ),
    Row("training:session_signup", everyone(405), **SESSION),
    # Cancelling the physician's sign-up: they, their lead, the director. The coordinator of
    # their site and the facilitator see it but may not cancel; others cannot see it.
    Row(
        "training:enrollment_cancel",
        {
            "director": 302,
            "lead": 302,
            "physician": 302,
            "coordinator": 403,
            "supporter_a": 403,
            "supporter_b": 404,
            "anonymous": 302,
        },
        method="post",
        kwargs=lambda cast: {"pk": _enrollment(cast).pk},
    ),
    Row(
        "training:enrollment_cancel",
        everyone(405),
        kwargs=lambda cast: {"pk": _enrollment(cast).pk},
    ),
    # Attendance: the facilitator (supporter_a) and the director.
    Row(
        "training:session_attendance",
        only("director", "supporter_a"),
        kwargs=lambda cast: {"pk": _started(cast).pk},
    ),
    Row(
        "training:session_attendance",
        only("director", "supporter_a", ok=302),
        method="post",
        kwargs=_started_with_physician,
        data=_marks,
    ),
    Row(
        "training:session_attendance",
        everyone(405),
        method="delete",
        kwargs=lambda cast: {"pk": _started(cast).pk},
    ),
    # Training status: staff roles, each for the departments they may see.
    Row("training:training_status", STAFF_READ),
    Row("training:training_status", everyone(405), method="post"),
    # Activation of a trained physician of North/A: the director and North's coordinator; the
    # lead sees the physician but may not activate; others cannot see them.
    Row(
        "training:supporter_activate",
        {
            "director": 302,
            "coordinator": 302,
            "lead": 403,
            "supporter_a": 404,
            "supporter_b": 404,
            "physician": 404,
            "anonymous": 302,
        },
        method="post",
        kwargs=lambda cast: {"physician_pk": _trainee(cast).pk},
    ),
    Row(
        "training:supporter_activate",
        everyone(405),
        kwargs=lambda cast: {"physician_pk": _trainee(cast).pk},
    ),
    # One's own record: anyone on the roster.
    Row("training:my_training", PHYSICIANS),
    Row("training:my_training", everyone(405), method="post"),
]
