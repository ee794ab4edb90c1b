"""Reminders reach only those who have not answered, once per due reminder, with a link that
works."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from surveys import services
from surveys.models import Invitation

from .factories import PROGRAM_EVALUATION_YES, answer_data, tokens_in, version_of

START = "2024-03-04 09:00:00"


def _launch(cast):
    """A campaign for departments A and B opened on START: three invitations sent."""
    today = timezone.localdate()
    campaign = services.campaign_create(
        actor=cast.director,
        name="Program evaluation",
        version=version_of("program_evaluation"),
        audience="departments",
        departments=[cast.department_a, cast.department_b],
        opens_on=today,
        closes_on=today + timedelta(days=21),
        reminder_days=[7, 14],
    )
    services.campaign_open(campaign_id=campaign.pk)
    mail.outbox.clear()
    services.invitations_send(campaign_id=campaign.pk)
    links = {m.to[0]: tokens_in([m])[0] for m in mail.outbox}
    mail.outbox.clear()
    return campaign, links


def _answer(token):
    url = reverse("surveys:response_create", kwargs={"token": token})
    return Client().post(url, answer_data(PROGRAM_EVALUATION_YES))


@freeze_time(START)
def test_a_reminder_reaches_only_those_who_have_not_answered(cast):
    _, links = _launch(cast)
    assert _answer(links["physician@example.org"]).status_code == 302
    with freeze_time("2024-03-11 08:59:00"):
        assert services.reminders_send_due() == 0
    with freeze_time("2024-03-11 09:05:00"):
        assert services.reminders_send_due() == 2
        assert sorted(m.to[0] for m in mail.outbox) == [
            "supporter.a@example.org",
            "supporter.b@example.org",
        ]
        assert {m.subject for m in mail.outbox} == {
            "Your answers to a short, anonymous survey of the peer support program are still "
            "welcome"
        }
        assert services.reminders_send_due() == 0  # running the job again sends nothing
    assert len(mail.outbox) == 2


@freeze_time(START)
def test_the_second_reminder_follows_and_then_there_are_no_more(cast):
    _, links = _launch(cast)
    with freeze_time("2024-03-11 10:00:00"):
        assert services.reminders_send_due() == 3
    assert _answer(links["supporter.a@example.org"]).status_code == 302
    with freeze_time("2024-03-18 10:00:00"):
        assert services.reminders_send_due() == 2
    with freeze_time("2024-03-24 10:00:00"):
        assert services.reminders_send_due() == 0
    assert set(Invitation.objects.values_list("reminders_sent", flat=True)) == {1, 2}


@freeze_time(START)
def test_a_reminder_link_works_and_so_does_the_first_one_until_one_is_used(cast):
    _, links = _launch(cast)
    with freeze_time("2024-03-11 10:00:00"):
        services.reminders_send_due()
        reminder = next(m for m in mail.outbox if m.to == ["physician@example.org"])
        (fresh,) = tokens_in([reminder])
        assert fresh != links["physician@example.org"]
        first_url = reverse(
            "surveys:response_create", kwargs={"token": links["physician@example.org"]}
        )
        assert Client().get(first_url).status_code == 200
        assert _answer(fresh).status_code == 302
        assert Client().get(first_url).status_code == 410


@freeze_time(START)
def test_no_reminder_after_the_campaign_closed(cast):
    campaign, _ = _launch(cast)
    services.campaign_close(actor=cast.director, campaign=campaign)
    with freeze_time("2024-03-11 10:00:00"):
        assert services.reminders_send_due() == 0
    assert mail.outbox == []


@freeze_time(START)
def test_no_reminder_once_the_link_expired(cast):
    _launch(cast)
    Invitation.objects.update(expires_on=timezone.localdate() + timedelta(days=3))
    with freeze_time("2024-03-11 10:00:00"):
        assert services.reminders_send_due() == 0


@freeze_time(START)
def test_the_periodic_job_runs_every_step(cast):
    from surveys import tasks

    _launch(cast)
    with freeze_time("2024-03-11 10:00:00"):
        result = tasks.surveys_run_schedule()
    assert result == {"opened": 0, "invitations": 0, "reminders": 3, "closed": 0, "settled": 0}
    with freeze_time("2024-03-26 10:00:00"):
        result = tasks.surveys_run_schedule()
    assert result["closed"] == 1
