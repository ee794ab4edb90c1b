"""Sign-up, the waitlist and cancellation: through the services and the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from post_program.models import AuditEvent
from tests.factories import PhysicianFactory
from training import services
from training.models import Enrollment

from .factories import EnrollmentFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db

S = Enrollment.Status


def _statuses(session) -> dict[int, str]:
    return dict(session.enrollments.values_list("physician_id", "status"))


def test_seats_then_waitlist_in_order_and_cancel_moves_the_first_up(
    cast, django_capture_on_commit_callbacks
):
    session = TrainingSessionFactory(capacity=2)
    a, b, c, d = PhysicianFactory.create_batch(4)
    for physician in (a, b, c, d):
        services.enrollment_create(actor=cast.director, session=session, physician=physician)
    assert _statuses(session) == {
        a.pk: S.SIGNED_UP,
        b.pk: S.SIGNED_UP,
        c.pk: S.WAITLISTED,
        d.pk: S.WAITLISTED,
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_cancel(
            actor=cast.director, enrollment=session.enrollments.get(physician=a)
        )
    assert _statuses(session) == {
        a.pk: S.CANCELLED,
        b.pk: S.SIGNED_UP,
        c.pk: S.SIGNED_UP,  # first on the waitlist moved up
        d.pk: S.WAITLISTED,
    }
    # c is told they moved up and a that their sign-up was cancelled; the emails name nobody.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, c.email])
    for message in mail.outbox:
        assert reverse("training:my_training") in message.body
        assert session.course.name not in message.body + message.subject
        assert a.name not in message.body + message.subject
        assert c.name not in message.body + message.subject
    # Each says, in a sentence, what happened to whom it goes to.
    says = {m.to[0]: (m.subject, m.body.split("\n\n")[0]) for m in mail.outbox}
    assert says[c.email] == (
        "You have a seat in a peer support training session",
        "You have a seat in a peer support training session. The course, its date and its "
        "place are on your training page.",
    )
    assert says[a.email][0] == "Your sign-up for a peer support training session was cancelled"


def test_cancelling_a_waitlisted_place_moves_nobody(cast):
    session = TrainingSessionFactory(capacity=1)
    first, waiting, last = PhysicianFactory.create_batch(3)
    for physician in (first, waiting, last):
        services.enrollment_create(actor=cast.director, session=session, physician=physician)
    services.enrollment_cancel(
        actor=cast.director, enrollment=session.enrollments.get(physician=waiting)
    )
    assert _statuses(session) == {
        first.pk: S.SIGNED_UP,
        waiting.pk: S.CANCELLED,
        last.pk: S.WAITLISTED,
    }


def test_raising_the_capacity_moves_the_waitlist_up(cast):
    session = TrainingSessionFactory(capacity=1)
    physicians = PhysicianFactory.create_batch(4)
    for physician in physicians:
        services.enrollment_create(actor=cast.director, session=session, physician=physician)
    services.session_update(actor=cast.director, session=session, capacity=3)
    statuses = [_statuses(session)[p.pk] for p in physicians]
    assert statuses == [S.SIGNED_UP, S.SIGNED_UP, S.SIGNED_UP, S.WAITLISTED]
    with pytest.raises(ValidationError, match="cannot be lower"):
        services.session_update(actor=cast.director, session=session, capacity=2)


def test_a_physician_cannot_hold_two_places_but_may_return_after_cancelling(cast):
    session = TrainingSessionFactory()
    physician = cast.physician_profile
    enrollment = services.enrollment_create(
        actor=cast.physician, session=session, physician=physician
    )
    with pytest.raises(ValidationError, match="already signed up"):
        services.enrollment_create(actor=cast.physician, session=session, physician=physician)
    services.enrollment_cancel(actor=cast.physician, enrollment=enrollment)
    again = services.enrollment_create(actor=cast.physician, session=session, physician=physician)
    assert again.status == S.SIGNED_UP
    assert session.enrollments.count() == 2


def test_no_sign_up_or_cancellation_once_the_session_started(cast):
    session = TrainingSessionFactory()
    enrollment = services.enrollment_create(
        actor=cast.director, session=session, physician=cast.physician_profile
    )
    later = session.starts_at + timedelta(minutes=1)
    with pytest.raises(ValidationError, match="already started"):
        services.enrollment_create(
            actor=cast.director, session=session, physician=PhysicianFactory(), now=later
        )
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.save()
    with pytest.raises(ValidationError, match="already started"):
        services.enrollment_cancel(actor=cast.director, enrollment=enrollment)


def test_a_physician_who_left_the_roster_cannot_sign_up(cast):
    gone = PhysicianFactory(ended_on=date(2020, 1, 1))
    with pytest.raises(ValidationError, match="no longer on the roster"):
        services.enrollment_create(
            actor=cast.director, session=TrainingSessionFactory(), physician=gone
        )


def test_sign_up_and_cancel_are_audited_with_ids_only(cast):
    session = TrainingSessionFactory()
    enrollment = services.enrollment_create(
        actor=cast.lead, session=session, physician=cast.physician_profile
    )
    services.enrollment_cancel(actor=cast.lead, enrollment=enrollment)
    events = AuditEvent.objects.filter(object_type="training.enrollment").order_by("at", "id")
    assert [e.action for e in events] == [
        "training.enrollment.create",
        "training.enrollment.cancel",
    ]
    assert events[0].detail["physician_id"] == cast.physician_profile.pk
    assert cast.physician_profile.name not in str(events[0].detail)


# --- Through the pages ---------------------------------------------------------------------


def _sign_up(cast, member, session, physician):
    return cast.client(member).post(
        reverse("training:session_signup", args=[session.pk]),
        {"physician": physician.physician_id},
    )


def test_a_physician_signs_themself_up_with_one_button(cast):
    session = TrainingSessionFactory()
    page = cast.client("physician").get(reverse("training:session_detail", args=[session.pk]))
    assert b"Sign me up" in page.content
    assert b"Sign up a physician" not in page.content  # no list of colleagues for a physician
    response = _sign_up(cast, "physician", session, cast.physician_profile)
    assert response.status_code == 302
    assert session.enrollments.get().physician == cast.physician_profile
    page = cast.client("physician").get(reverse("training:session_detail", args=[session.pk]))
    assert b"Sign me up" not in page.content
    assert b"Cancel sign-up" in page.content


def test_a_physician_cannot_sign_up_a_colleague(cast):
    session = TrainingSessionFactory()
    colleague = PhysicianFactory(department=cast.department_a)
    response = _sign_up(cast, "physician", session, colleague)
    assert response.status_code == 400
    assert b"Choose a physician you may sign up from the list" in response.content
    assert not session.enrollments.exists()


def test_a_lead_signs_up_physicians_of_their_departments_only(cast):
    session = TrainingSessionFactory()
    mine = PhysicianFactory(department=cast.department_a)
    other_department = PhysicianFactory(department=cast.department_c)
    page = cast.client("lead").get(reverse("training:session_detail", args=[session.pk]))
    assert mine.physician_id.encode() in page.content
    assert other_department.physician_id.encode() not in page.content
    assert _sign_up(cast, "lead", session, mine).status_code == 302
    assert _sign_up(cast, "lead", session, other_department).status_code == 400
    assert list(session.enrollments.values_list("physician", flat=True)) == [mine.pk]
    assert session.enrollments.get().signed_up_by == cast.lead


def test_the_director_signs_up_anyone_on_the_roster_but_not_someone_who_left(cast):
    session = TrainingSessionFactory()
    south = PhysicianFactory(department=cast.department_b)
    gone = PhysicianFactory(department=cast.department_b, ended_on=date(2021, 1, 1))
    assert _sign_up(cast, "director", session, south).status_code == 302
    assert _sign_up(cast, "director", session, gone).status_code == 400


def test_a_full_session_offers_the_waitlist(cast):
    session = TrainingSessionFactory(capacity=1)
    EnrollmentFactory(session=session)
    page = cast.client("physician").get(reverse("training:session_detail", args=[session.pk]))
    assert b"Put me on the waitlist" in page.content
    response = _sign_up(cast, "physician", session, cast.physician_profile)
    assert response.status_code == 302
    assert session.enrollments.get(physician=cast.physician_profile).status == S.WAITLISTED


def test_signing_up_twice_is_refused_with_a_message(cast):
    session = TrainingSessionFactory()
    _sign_up(cast, "physician", session, cast.physician_profile)
    response = _sign_up(cast, "lead", session, cast.physician_profile)
    assert response.status_code == 400
    assert b"already signed up" in response.content


@pytest.mark.parametrize("data", [{}, {"physician": ""}, {"physician": "NO-SUCH-ID"}])
def test_bad_sign_up_input_is_refused(cast, data):
    session = TrainingSessionFactory()
    response = cast.client("director").post(
        reverse("training:session_signup", args=[session.pk]), data
    )
    assert response.status_code == 400
    assert not session.enrollments.exists()


def test_a_long_roster_is_searched_by_name_and_the_name_stays_out_of_the_url(cast, monkeypatch):
    from training import forms

    session = TrainingSessionFactory()
    nadia = PhysicianFactory(department=cast.department_b, name="Nadia Newcomer")
    PhysicianFactory(department=cast.department_b, name="Nathan Other")
    detail = reverse("training:session_detail", args=[session.pk])
    signup = reverse("training:session_signup", args=[session.pk])
    small = cast.client("lead").get(detail)
    assert b'<select name="physician"' in small.content
    assert b"Find a physician by name" not in small.content

    monkeypatch.setattr(forms, "SELECT_LIMIT", 1)
    client = cast.client("director")
    big = client.get(detail).content.decode()
    # Nobody is listed before a search, and no physician ID is asked for.
    assert "Find a physician by name" in big and "Physician ID" not in big
    assert "Nadia Newcomer" not in big

    found = client.post(signup, {"name": "nadia", "find": "Find"})
    assert found.status_code == 200
    page = found.content.decode()
    select = page[page.index('<select name="physician"') : page.index("</select>")]
    assert f'value="{nadia.physician_id}"' in select and "Nathan Other" not in select
    assert not session.enrollments.exists()

    response = client.post(signup, {"name": "nadia", "physician": nadia.physician_id})
    assert response.status_code == 302 and "nadia" not in response["Location"].lower()
    assert session.enrollments.get().physician == nadia


def test_a_sign_up_without_a_choice_is_summarised_and_signs_nobody_up(cast):
    session = TrainingSessionFactory()
    response = cast.client("lead").post(
        reverse("training:session_signup", args=[session.pk]), {"physician": ""}
    )
    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('id="error-summary"')
    assert "Choose the physician to sign up." in page[start : page.index("</ul>", start)]
    assert page.count("Choose the physician to sign up.") == 2  # the summary and the field
    assert not session.enrollments.exists()


def test_cancel_from_my_training_returns_there(cast):
    enrollment = EnrollmentFactory(physician=cast.physician_profile)
    response = cast.client("physician").post(
        reverse("training:enrollment_cancel", args=[enrollment.pk]), {"next": "mine"}
    )
    assert response["Location"] == reverse("training:my_training")
    enrollment.refresh_from_db()
    assert enrollment.status == S.CANCELLED


def test_cancelling_twice_says_so(cast):
    enrollment = EnrollmentFactory(physician=cast.physician_profile, status=S.CANCELLED)
    client = cast.client("physician")
    response = client.post(reverse("training:enrollment_cancel", args=[enrollment.pk]), follow=True)
    assert b"no longer open" in response.content


# --- Concurrency (PostgreSQL: real row locks) -----------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_overfill_a_session(settings):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    session = TrainingSessionFactory(capacity=3)
    physicians = PhysicianFactory.create_batch(10)
    barrier = Barrier(len(physicians))

    def sign_up(physician):
        try:
            barrier.wait()
            return services.enrollment_create(
                actor=None, session=session, physician=physician, notify=False
            ).status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(physicians)) as pool:
        statuses = list(pool.map(sign_up, physicians))
    assert statuses.count(S.SIGNED_UP) == 3
    assert statuses.count(S.WAITLISTED) == 7
    assert session.enrollments.filter(status=S.SIGNED_UP).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_each_free_one_seat():
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    session = TrainingSessionFactory(capacity=4)
    physicians = PhysicianFactory.create_batch(8)
    enrollments = [
        services.enrollment_create(actor=None, session=session, physician=p, notify=False)
        for p in physicians
    ]
    seated = [e for e in enrollments if e.status == S.SIGNED_UP]
    barrier = Barrier(len(seated))

    def cancel(enrollment):
        try:
            barrier.wait()
            services.enrollment_cancel(actor=None, enrollment=enrollment)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(seated)) as pool:
        list(pool.map(cancel, seated))
    assert session.enrollments.filter(status=S.SIGNED_UP).count() == 4
    assert not session.enrollments.filter(status=S.WAITLISTED).exists()
