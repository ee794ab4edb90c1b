"""The monthly digest: a link to the dashboards for directors and leads, no figures, no
names, sent once a month even when the job runs every day."""

from __future__ import annotations

import re
import smtplib
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import timezone

from post_program import tasks as core_tasks
from post_program.models import OutboxEmail
from reporting import services, tasks
from reporting.models import DigestDelivery
from tests.factories import UserFactory


@pytest.fixture
def digest(django_capture_on_commit_callbacks):
    """Run the digest job, and send what it writes to the outbox as a worker would."""

    def _run(today: date) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return services.digest_send_monthly(today=today)

    return _run


def test_directors_and_leads_get_a_link_and_nothing_else(program, digest):
    assert digest(date(2024, 5, 1)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["director@example.org", "lead@example.org"]
    for message in mail.outbox:
        body = message.body
        assert f"{settings.SITE_URL}/reports/" in body
        assert message.subject == "Your monthly report of the peer support program is ready"
        # No figure and no name: nothing but the link carries a digit; no department or person.
        assert not re.search(r"\d", body.replace(settings.SITE_URL, ""))
        for word in ("Emergency", "Surgery", "North", "South", program.lead.name):
            assert word not in body and word not in message.subject


def test_the_digest_goes_once_a_month(program, digest):
    digest(date(2024, 5, 1))
    assert digest(date(2024, 5, 2)) == 0
    assert len(mail.outbox) == 2
    assert digest(date(2024, 6, 1)) == 2
    assert DigestDelivery.objects.count() == 4


def test_inactive_accounts_and_other_roles_get_nothing(program, digest):
    program.lead.is_active = False
    program.lead.save()
    UserFactory(email="nobody@example.org")
    digest(date(2024, 5, 1))
    assert [m.to[0] for m in mail.outbox] == ["director@example.org"]


def test_a_failed_email_is_neither_lost_nor_sent_twice(program, digest, monkeypatch):
    def down(self, messages):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", down)
    assert digest(date(2024, 5, 1)) == 2  # written to the outbox, the send failed
    assert mail.outbox == [] and DigestDelivery.objects.count() == 2
    assert digest(date(2024, 5, 2)) == 0  # a rerun writes nothing more
    monkeypatch.undo()  # the mail server is back: the outbox sweep sends each once
    past = timezone.now() - timedelta(days=1)
    OutboxEmail.objects.update(created_at=past, next_attempt_at=past)
    assert core_tasks.outbox_sweep() == 2
    assert core_tasks.outbox_sweep() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["director@example.org", "lead@example.org"]


@pytest.mark.django_db(transaction=True)
def test_the_digest_is_not_sent_inside_a_transaction(program, monkeypatch):
    """An email sent inside the transaction that records it would go out again if that
    transaction then failed; the mail server is called only after the record commits."""
    inside = []
    send = locmem.EmailBackend.send_messages

    def watched(self, messages):
        inside.append(transaction.get_connection().in_atomic_block)
        return send(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", watched)
    assert services.digest_send_monthly(today=date(2024, 5, 1)) == 2
    assert inside == [False, False]


def test_the_task_is_scheduled_daily(program):
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-monthly-digest"]
    assert entry["task"] == "reporting.tasks.digest_send_monthly"
    assert tasks.digest_send_monthly.delay().get() == 2
