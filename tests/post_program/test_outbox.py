"""The core outbox: every email is a row written with the change that calls for it, sent by a
worker after commit, retried with back-off, and swept again when the mail server or the broker
was down; the person who asked for it sees success either way."""

from __future__ import annotations

import socket
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from post_program import outbox, tasks
from post_program.models import OutboxEmail

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    """A loopback port with nothing listening: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_down():
    """The mail server refuses connections for as long as the block lasts."""
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_closed_port(),
        EMAIL_TIMEOUT=2,
    )


def _make_due(*emails: OutboxEmail) -> None:
    """Move the clock past the back-off and the sweep's grace period for these rows."""
    past = timezone.now() - timedelta(hours=5)
    OutboxEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
        created_at=past, next_attempt_at=past
    )


def test_an_email_is_sent_once_after_commit_and_its_body_erased(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = outbox.outbox_write(
            kind="test", to="a@example.org", subject="POST", body="Open POST."
        )
        assert mail.outbox == []  # nothing leaves before the change commits
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["a@example.org"], "POST", "Open POST.")
    ]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1 and email.body == ""
    assert outbox.outbox_send(email_id=email.pk) is False
    assert len(mail.outbox) == 1


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.outbox_write(kind="test", to="a@example.org", subject="POST", body="x")
        raise RuntimeError
    assert mail.outbox == [] and not OutboxEmail.objects.exists()


def test_a_failed_send_backs_off_and_the_sweep_sends_it_when_due(caplog):
    email = OutboxEmail.objects.create(kind="test", to_email="a@example.org", subject="S")
    with mock.patch("post_program.outbox.email_send", side_effect=OSError("a@example.org")):
        assert outbox.outbox_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert email.sent_at is None and email.claimed_at is None
    assert email.attempts == 1 and email.last_error == "OSError"
    assert email.next_attempt_at > timezone.now()
    assert "a@example.org" not in caplog.text
    # Not due yet: neither a duplicate message nor the sweep sends it during the back-off.
    assert outbox.outbox_send(email_id=email.pk) is False
    assert tasks.outbox_sweep() == 0
    _make_due(email)
    assert tasks.outbox_sweep() == 1  # eager in tests: the sweep sends it
    assert len(mail.outbox) == 1
    assert tasks.outbox_sweep() == 0


def test_the_back_off_grows_and_the_sweep_gives_up_after_many_attempts():
    assert outbox.retry_delay(1) < outbox.retry_delay(2) < outbox.retry_delay(3)
    assert outbox.retry_delay(50) == outbox.retry_delay(60)
    fresh = OutboxEmail.objects.create(kind="t", to_email="a@example.org", subject="S")
    stuck = OutboxEmail.objects.create(
        kind="t", to_email="b@example.org", subject="S", attempts=outbox.MAX_SEND_ATTEMPTS
    )
    due = OutboxEmail.objects.create(kind="t", to_email="c@example.org", subject="S")
    _make_due(stuck, due)
    assert outbox.outbox_due() == [due.pk]
    assert fresh.pk


def test_the_claim_is_committed_before_the_smtp_call_and_no_lock_is_held(transactional_db):
    """A second worker arriving during the SMTP call sees the claim and leaves the row; the
    sending worker holds no transaction (so no row lock) while it talks to the server."""
    email = OutboxEmail.objects.create(kind="t", to_email="a@example.org", subject="S")
    seen = {}

    def during_smtp(message, **kwargs):
        seen["in_transaction"] = transaction.get_connection().in_atomic_block
        seen["claimed"] = OutboxEmail.objects.get(pk=email.pk).claimed_at is not None
        seen["second_worker_sent"] = outbox.outbox_send(email_id=email.pk)

    with mock.patch("post_program.outbox.email_send", side_effect=during_smtp):
        assert outbox.outbox_send(email_id=email.pk) is True
    assert seen == {"in_transaction": False, "claimed": True, "second_worker_sent": False}


def test_a_claim_left_by_a_dead_worker_goes_stale_and_is_sent_again():
    email = OutboxEmail.objects.create(
        kind="t",
        to_email="a@example.org",
        subject="S",
        claimed_at=timezone.now() - outbox.CLAIM_TIMEOUT - timedelta(seconds=1),
        attempts=1,
    )
    _make_due(email)
    assert outbox.outbox_due() == [email.pk]
    assert outbox.outbox_send(email_id=email.pk) is True


# --- allauth's own mail ------------------------------------------------------------------------


def test_a_password_reset_succeeds_while_smtp_is_down_and_is_sent_later(
    cast, client, smtp_down, django_capture_on_commit_callbacks
):
    user = cast.physician
    with smtp_down, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    (email,) = OutboxEmail.objects.all()
    assert email.to_email == user.email and email.sent_at is None
    assert email.attempts == 1 and email.last_error  # the worker tried, the server refused
    assert "/accounts/password/reset/key/" in email.body  # kept until it is sent
    assert mail.outbox == []

    _make_due(email)  # the mail server is back
    assert tasks.outbox_sweep() == 1
    (message,) = mail.outbox
    assert message.to == [user.email] and "/accounts/password/reset/key/" in message.body
    email.refresh_from_db()
    assert email.sent_at is not None and email.body == ""  # the link does not outlive the email
