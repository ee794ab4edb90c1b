"""Every kind of email the program sends reaches a real SMTP server through the outbox and
Django's SMTP backend: a password reset, a referral notification, a training sign-up and the
monthly digest. With the broker stopped the requests succeed and the rows wait; once it is
back, the sweep sends each one, and the server receives each exactly once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from post_program import tasks as core_tasks
from post_program.models import OutboxEmail
from reporting import services as reporting_services
from tests.broker import drain, free_port, own_redis, real_broker, run  # noqa: F401 - fixture
from tests.factories import PhysicianFactory
from tests.interactions.factories import referral_new
from tests.training.factories import TrainingSessionFactory

PHYSICIAN_NAME = "Zebedee Quartermaine"


@dataclass
class Received:
    to: list[str]
    subject: str
    text: str  # the whole message as sent, decoded


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message it accepts."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        body = parsed.get_body()
        text = str(parsed) + (body.get_content() if body is not None else "")
        self.messages.append(Received(list(envelope.rcpt_tos), str(parsed["Subject"]), text))
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[Collector]:
    """A real SMTP server on loopback, with Django's SMTP backend pointed at it."""
    collector = Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield collector
    finally:
        controller.stop()


def _everything_the_program_sends(cast) -> dict[str, str]:
    """Do one of each thing that sends an email; returns who should get which kind."""
    Client().post(reverse("account_reset_password"), {"email": cast.physician.email})
    colleague = PhysicianFactory(department=cast.department_a, name=PHYSICIAN_NAME)
    referral_new(
        department=cast.department_a, physician=colleague, requester=cast.physician, notify=True
    )
    trainee = PhysicianFactory(department=cast.department_a)
    response = cast.client("lead").post(
        reverse("training:session_signup", args=[TrainingSessionFactory().pk]),
        {"physician": trainee.physician_id},
    )
    assert response.status_code == 302
    assert reporting_services.digest_send_monthly(today=date(2024, 5, 1)) == 2
    return {
        cast.physician.email: "account.password_reset_key",
        cast.coordinator.email: "interactions.new_referral",
        trainee.email: "training.enrollment",
        cast.director.email: "reporting.digest",
        cast.lead.email: "reporting.digest",
    }


def _assert_received_once_each(smtp: Collector, expected: dict[str, str]) -> None:
    rows = {row.to_email: row for row in OutboxEmail.objects.all()}
    assert {to: row.kind for to, row in rows.items()} == expected
    assert sorted(m.to[0] for m in smtp.messages) == sorted(expected)
    for message in smtp.messages:
        (to,) = message.to
        assert message.subject == rows[to].subject
        assert rows[to].sent_at is not None
        assert PHYSICIAN_NAME not in message.text
        assert "Zebedee" not in message.text
    assert any("new request" in m.subject for m in smtp.messages)
    assert mail.outbox == []  # it all went through the real server


@pytest.mark.django_db
def test_each_kind_of_email_arrives_at_a_real_smtp_server(
    cast, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        expected = _everything_the_program_sends(cast)
    _assert_received_once_each(smtp_server, expected)
    reset = next(m for m in smtp_server.messages if m.to == [cast.physician.email])
    assert "/accounts/password/reset/key/" in reset.text


@pytest.mark.django_db(transaction=True)
def test_broker_stopped_then_started_each_email_arrives_once(
    cast,
    smtp_server,
    own_redis,  # noqa: F811 - the fixture imported above
):
    own_redis.start()
    own_redis.stop()  # Redis stopped
    with real_broker(own_redis.url):
        expected = _everything_the_program_sends(cast)
    assert smtp_server.messages == []
    assert OutboxEmail.objects.filter(sent_at__isnull=True).count() == len(expected)

    own_redis.start()  # Redis is back: beat's sweep queues each row and a worker sends it
    past = timezone.now() - timedelta(minutes=5)
    OutboxEmail.objects.update(created_at=past, next_attempt_at=past)
    with real_broker(own_redis.url):
        assert core_tasks.outbox_sweep() == len(expected)
    taken = drain(own_redis.url)
    pks = OutboxEmail.objects.values_list("pk", flat=True)
    assert sorted(args for _, args in taken) == sorted([pk] for pk in pks)
    run(taken)
    run(taken)  # a duplicate delivery of the same tasks sends nothing more
    with real_broker(own_redis.url):
        assert core_tasks.outbox_sweep() == 0
    _assert_received_once_each(smtp_server, expected)
