"""Launching, opening and closing campaigns; who is invited."""

from __future__ import annotations

import logging
import smtplib
from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from post_program.models import AuditEvent
from surveys import services
from surveys.models import Campaign, Invitation, Response
from tests.factories import PeerSupporterFactory, PhysicianFactory

from .factories import (
    PROGRAM_EVALUATION_YES,
    answer_data,
    evaluation_created,
    settled,
    tokens_in,
    version_of,
)


def _form(cast, **overrides):
    today = timezone.localdate()
    data = {
        "name": "Program evaluation, spring",
        "version": version_of("program_evaluation").pk,
        "audience": "departments",
        "departments": [cast.department_a.pk, cast.department_b.pk],
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=21)).isoformat(),
        "reminder_days": "7, 14",
    }
    data.update(overrides)
    return data


def test_director_launches_a_campaign_for_two_departments(cast, django_capture_on_commit_callbacks):
    left = PhysicianFactory(department=cast.department_a, ended_on=date(2020, 1, 1))
    no_email = PhysicianFactory(department=cast.department_b, email="")
    other = PhysicianFactory(department=cast.department_c)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        page = cast.client("director").post(reverse("surveys:campaign_create"), _form(cast))
    campaign = Campaign.objects.get()
    assert page.status_code == 302
    assert page["Location"] == reverse("surveys:campaign_detail", kwargs={"pk": campaign.pk})
    assert campaign.status == Campaign.Status.OPEN
    invited = set(campaign.invitations.values_list("physician_id", flat=True))
    assert invited == {
        cast.physician_profile.pk,
        cast.supporter_a_profile.physician_id,
        cast.supporter_b_profile.physician_id,
    }
    assert not {left.pk, no_email.pk, other.pk} & invited
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(
        ["physician@example.org", "supporter.a@example.org", "supporter.b@example.org"]
    )
    assert len(set(tokens_in(mail.outbox))) == 3
    assert AuditEvent.objects.filter(action="survey.campaign_create").count() == 1
    assert AuditEvent.objects.filter(action="survey.campaign_open").count() == 1


def test_physician_answers_from_the_emailed_link(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("director").post(reverse("surveys:campaign_create"), _form(cast))
    message = next(m for m in mail.outbox if m.to == ["physician@example.org"])
    (token,) = tokens_in([message])
    url = reverse("surveys:response_create", kwargs={"token": token})
    assert Client().post(url, answer_data(PROGRAM_EVALUATION_YES)).status_code == 302
    settled()
    assert Response.objects.get().department == cast.department_a


def test_a_future_campaign_waits_for_its_opening_day(cast, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    data = _form(
        cast,
        opens_on=(today + timedelta(days=3)).isoformat(),
        closes_on=(today + timedelta(days=30)).isoformat(),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("director").post(reverse("surveys:campaign_create"), data)
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.SCHEDULED
    assert not campaign.invitations.exists()
    assert services.campaigns_open_due() == 0
    assert mail.outbox == []
    with freeze_time(today + timedelta(days=3, hours=12)):
        assert services.campaigns_open_due() == 1
        services.invitations_send()
        assert services.campaigns_open_due() == 0  # idempotent
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert campaign.invitations.count() == 3
    assert len(mail.outbox) == 3


def test_supporters_audience_invites_active_supporters_only(cast):
    paused = PeerSupporterFactory(status="paused")
    campaign = services.campaign_create(
        actor=cast.director,
        name="Training follow-up",
        version=version_of("supporter_training"),
        audience="supporters",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=10),
    )
    services.campaign_open(campaign_id=campaign.pk)
    invited = set(campaign.invitations.values_list("physician_id", flat=True))
    assert invited == {
        cast.supporter_a_profile.physician_id,
        cast.supporter_b_profile.physician_id,
    }
    assert paused.physician_id not in invited


def test_opening_twice_creates_no_second_invitation(cast):
    campaign = evaluation_created(cast)
    assert services.campaign_open(campaign_id=campaign.pk) == 2
    assert services.campaign_open(campaign_id=campaign.pk) == 0
    assert Invitation.objects.count() == 2
    mail.outbox.clear()
    assert services.invitations_send(campaign_id=campaign.pk) == 2
    assert services.invitations_send(campaign_id=campaign.pk) == 0
    assert len(mail.outbox) == 2


def test_an_email_that_fails_is_sent_again_on_the_next_run(cast, monkeypatch):
    campaign = evaluation_created(cast)
    services.campaign_open(campaign_id=campaign.pk)
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send

    def flaky_send(message, *args, **kwargs):
        if message.to == ["physician@example.org"]:
            raise OSError("mail server unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    mail.outbox.clear()
    assert services.invitations_send(campaign_id=campaign.pk) == 1
    failed = Invitation.objects.get(physician=cast.physician_profile)
    assert failed.sent_at is None
    assert not failed.tokens.exists()
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert services.invitations_send(campaign_id=campaign.pk) == 1
    assert [m.to for m in mail.outbox] == [["supporter.a@example.org"], ["physician@example.org"]]
    assert failed.tokens.count() == 1


def test_a_refused_address_stays_out_of_the_log(cast, monkeypatch, caplog):
    """The mail server's refusal names the address; the log says which invitation, and why
    in one word, never the address (so the log does not list who is surveyed)."""
    campaign = evaluation_created(cast)
    services.campaign_open(campaign_id=campaign.pk)
    from django.core.mail import EmailMessage

    def refused(message, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})

    monkeypatch.setattr(EmailMessage, "send", refused)
    with caplog.at_level(logging.DEBUG):
        assert services.invitations_send(campaign_id=campaign.pk) == 0

    records = [r for r in caplog.records if r.name.startswith("surveys")]
    failures = [r for r in records if "could not be sent" in r.getMessage()]
    assert len(failures) == 2
    assert all("SMTPRecipientsRefused" in r.getMessage() and r.exc_info is None for r in failures)
    assert not any("@example.org" in r.getMessage() or r.exc_info for r in records)


def test_director_closes_a_campaign(cast):
    campaign = evaluation_created(cast)
    services.campaign_open(campaign_id=campaign.pk)
    url = reverse("surveys:campaign_close", kwargs={"pk": campaign.pk})
    page = cast.client("director").post(url)
    assert page.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    assert AuditEvent.objects.filter(action="survey.campaign_close").count() == 1
    cast.client("director").post(url)  # closing again changes nothing
    assert AuditEvent.objects.filter(action="survey.campaign_close").count() == 1


def test_the_job_closes_campaigns_after_their_closing_date(cast):
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=cast.director,
        name="Evaluation",
        version=version_of("program_evaluation"),
        audience="departments",
        departments=[cast.department_a],
        opens_on=today,
        closes_on=today + timedelta(days=10),
    )
    services.campaign_open(campaign_id=campaign.pk)
    with freeze_time(today + timedelta(days=10, hours=23)):
        assert services.campaigns_close_due() == 0
    with freeze_time(today + timedelta(days=11, hours=1)):
        assert services.campaigns_close_due() == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"departments": []}, "departments", "Choose at least one department."),
        ({"audience": "supporters"}, "departments", "Leave departments empty"),
        ({"audience": "everyone"}, "audience", "Select a valid choice"),
        ({"opens_on": "2001-01-01"}, "opens_on", "cannot be in the past"),
        ({"opens_on": "not a date"}, "opens_on", "Enter a valid date"),
        ({"closes_on": "2001-01-01"}, "closes_on", "on or after the opening"),
        ({"reminder_days": "7, soon"}, "reminder_days", "is not a whole number of days"),
        ({"reminder_days": "40"}, "reminder_days", "before the closing date"),
        ({"reminder_days": "0"}, "reminder_days", "after the opening day"),
        ({"name": ""}, "name", "This field is required"),
        ({"version": "999999"}, "version", "Select a valid choice"),
    ],
)
def test_campaign_form_refuses_bad_input(cast, overrides, field, message):
    page = cast.client("director").post(
        reverse("surveys:campaign_create"), _form(cast, **overrides)
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert field in form.errors
    assert any(message in error for error in form.errors[field])
    assert not Campaign.objects.exists()


def test_the_service_refuses_an_invalid_campaign_too(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.campaign_create(
            actor=cast.director,
            name="Bad",
            version=version_of("program_evaluation"),
            audience="departments",
            departments=[],
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() - timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"departments", "closes_on"}


def test_campaign_form_offers_the_current_version_of_active_instruments(cast):
    page = cast.client("director").get(reverse("surveys:campaign_create"))
    labels = [label for _, label in page.context["form"].fields["version"].choices]
    assert len(labels) == 4
    assert "Program evaluation (version 1)" in labels
