"""Training mail goes through the core outbox: a sign-up succeeds and its email is kept while
the broker is down, and a refresher reminder whose send fails is not lost."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from post_program import tasks as core_tasks
from post_program.models import OutboxEmail
from tests.broker import drain, free_port, own_redis, real_broker, run  # noqa: F401 - fixture
from tests.factories import PeerSupporterFactory, PhysicianFactory, UserFactory
from training import tasks
from training.models import CourseKind, Enrollment, RefresherReminder

from .factories import TrainingCompletionFactory, TrainingSessionFactory

SMTP_DOWN = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=free_port(),  # nothing listens there: connections are refused
    EMAIL_TIMEOUT=2,
)


def _due_now() -> None:
    past = timezone.now() - timedelta(days=1)
    OutboxEmail.objects.update(created_at=past, next_attempt_at=past)


@pytest.mark.django_db
def test_a_refresher_reminder_whose_send_fails_is_sent_later_and_once(
    settings, django_capture_on_commit_callbacks
):
    settings.REFRESHER_MONTHS, settings.REFRESHER_REMINDER_DAYS = 24, 30
    user = UserFactory()
    supporter = PeerSupporterFactory(physician__user=user, physician__email=user.email)
    TrainingCompletionFactory(
        physician=supporter.physician, course=CourseKind.INITIAL, completed_on=date(2022, 5, 1)
    )
    with (
        freeze_time("2024-04-05 10:00"),
        SMTP_DOWN,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert tasks.refresher_reminders_run() == 1
    assert mail.outbox == []
    (email,) = OutboxEmail.objects.filter(to_email=user.email)
    assert email.sent_at is None and email.attempts == 1  # tried, refused, kept

    with freeze_time("2024-04-05 11:00"), django_capture_on_commit_callbacks(execute=True):
        assert tasks.refresher_reminders_run() == 0  # a rerun does not write it twice
    _due_now()
    assert core_tasks.outbox_sweep() == 1  # the mail server is back
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert reverse("training:my_training") in mail.outbox[0].body
    assert RefresherReminder.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_signing_someone_up_while_the_broker_is_down_succeeds_and_mails_later(
    cast,
    own_redis,  # noqa: F811 - the fixture imported above
):
    session = TrainingSessionFactory()
    colleague = PhysicianFactory(department=cast.department_a)
    client = cast.client("lead")
    own_redis.start()
    own_redis.stop()  # Redis stopped
    with real_broker(own_redis.url):
        response = client.post(
            reverse("training:session_signup", args=[session.pk]),
            {"physician": colleague.physician_id},
        )
    assert response.status_code == 302
    assert session.enrollments.get().status == Enrollment.Status.SIGNED_UP
    (email,) = OutboxEmail.objects.filter(to_email=colleague.email)
    assert email.sent_at is None and mail.outbox == []

    own_redis.start()  # Redis is back: beat's sweep queues it and a worker sends it
    _due_now()
    with real_broker(own_redis.url):
        assert core_tasks.outbox_sweep() == 1
    taken = drain(own_redis.url)
    assert taken == [("post_program.tasks.outbox_send_task", [email.pk])]
    run(taken)
    assert [m.to for m in mail.outbox] == [[colleague.email]]
