"""A mail server that accepts a connection and never answers fails the send in EMAIL_TIMEOUT
seconds instead of holding the worker (and whatever it has locked) for ever."""

from __future__ import annotations

import smtplib
import socket
import threading

import pytest
from django.test import override_settings

from post_program.celery import app as celery_app
from post_program.mail import email_compose, email_send


@pytest.fixture
def silent_mail_server():
    """A loopback server that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []

    def accept():
        try:
            while True:
                accepted.append(server.accept()[0])
        except OSError:
            return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in accepted:
        connection.close()


def test_a_send_to_a_server_that_never_answers_fails_instead_of_hanging(silent_mail_server):
    outcome = {}

    def send():
        try:
            email_send(email_compose(to="a@example.org", subject="POST", body="Open POST."))
        except OSError as exc:
            outcome["error"] = exc

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=silent_mail_server,
        EMAIL_TIMEOUT=1,
    ):
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        # Without a time-out the send would still be waiting for the greeting.
        sender.join(timeout=20)

    assert not sender.is_alive()
    assert isinstance(outcome.get("error"), smtplib.SMTPServerDisconnected)
    assert "timed out" in str(outcome["error"])


def test_every_task_has_a_soft_and_a_hard_time_limit_above_a_mail_time_out(settings):
    soft, hard = celery_app.conf.task_soft_time_limit, celery_app.conf.task_time_limit

    assert settings.EMAIL_TIMEOUT < soft < hard
