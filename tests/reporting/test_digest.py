"""The monthly digest: a link to the dashboards for directors and leads, no figures, no
names, sent once a month even when the job runs every day."""

from __future__ import annotations

import re
import smtplib
from datetime import date

from django.conf import settings
from django.core import mail

from reporting import services, tasks
from reporting.models import DigestDelivery
from tests.factories import UserFactory


def test_directors_and_leads_get_a_link_and_nothing_else(program):
    assert services.digest_send_monthly(today=date(2024, 5, 1)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["director@example.org", "lead@example.org"]
    for message in mail.outbox:
        body = message.body
        assert f"{settings.SITE_URL}/reports/" in body
        # No figure and no name: nothing but the link carries a digit; no department or person.
        assert not re.search(r"\d", body.replace(settings.SITE_URL, ""))
        for word in ("Emergency", "Surgery", "North", "South", program.lead.name):
            assert word not in body and word not in message.subject


def test_the_digest_goes_once_a_month(program):
    services.digest_send_monthly(today=date(2024, 5, 1))
    assert services.digest_send_monthly(today=date(2024, 5, 2)) == 0
    assert len(mail.outbox) == 2
    assert services.digest_send_monthly(today=date(2024, 6, 1)) == 2
    assert DigestDelivery.objects.count() == 4


def test_inactive_accounts_and_other_roles_get_nothing(program):
    program.lead.is_active = False
    program.lead.save()
    UserFactory(email="nobody@example.org")
    services.digest_send_monthly(today=date(2024, 5, 1))
    assert [m.to[0] for m in mail.outbox] == ["director@example.org"]


def test_a_failed_email_is_sent_on_the_next_run(program, monkeypatch):
    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(services, "email_send", down)
    assert services.digest_send_monthly(today=date(2024, 5, 1)) == 0
    assert not DigestDelivery.objects.exists()
    monkeypatch.undo()
    assert services.digest_send_monthly(today=date(2024, 5, 2)) == 2


def test_the_task_is_scheduled_daily(program):
    entry = settings.CELERY_BEAT_SCHEDULE["reporting-monthly-digest"]
    assert entry["task"] == "reporting.tasks.digest_send_monthly"
    assert tasks.digest_send_monthly.delay().get() == 2
