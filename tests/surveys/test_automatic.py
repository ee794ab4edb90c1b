"""Automatic invitations: recipient feedback after a case closes as supported, training
evaluation after a course is completed. Each event is invited once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from interactions import services as referral_services
from surveys import services, tasks
from surveys.models import Campaign, Invitation, Response
from surveys.selectors import campaign_results
from tests.interactions.factories import referral_in_status, trained
from training import services as training_services
from training.models import TrainingCompletion

from .factories import RECIPIENT_FEEDBACK_ANSWERS, answer_data, campaign_sent, settled, tokens_in

CLOSED_AT = "2024-05-06 15:00:00"


@pytest.fixture
def closed_case(cast):
    """A case of the plain physician, closed as supported at CLOSED_AT."""
    trained(cast.supporter_a_profile)
    with freeze_time(CLOSED_AT):
        referral = referral_in_status(
            "closed",
            supporter=cast.supporter_a_profile,
            department=cast.department_a,
            physician=cast.physician_profile,
        )
    assert referral.outcome == "supported"
    return referral


def _due(trigger="recipient_feedback"):
    """Run the job that sends planned invitations; the new invitations of `trigger`."""
    return services.invitations_create_due()[trigger]


def _run(capture):
    with capture(execute=True):
        return _due()


def test_feedback_invitation_goes_out_after_the_delay_and_only_once(
    cast, closed_case, django_capture_on_commit_callbacks, settings
):
    settings.RECIPIENT_FEEDBACK_DELAY_DAYS = 3
    mail.outbox.clear()
    with freeze_time("2024-05-09 14:59:00"):
        assert _run(django_capture_on_commit_callbacks) == 0
    with freeze_time("2024-05-09 15:01:00"):
        assert _run(django_capture_on_commit_callbacks) == 1
        assert _run(django_capture_on_commit_callbacks) == 0
    with freeze_time("2024-05-10 09:00:00"):
        assert _run(django_capture_on_commit_callbacks) == 0
    assert [m.to for m in mail.outbox] == [["physician@example.org"]]
    invitation = Invitation.objects.get()
    assert invitation.source_key == f"referral:{closed_case.pk}"
    assert invitation.campaign.trigger == Campaign.Trigger.RECIPIENT_FEEDBACK
    assert invitation.campaign.version.instrument.code == "recipient_feedback"
    # The email says nothing about the case.
    body = mail.outbox[0].body
    assert closed_case.referral_id not in body and cast.supporter_a.name not in body


def test_the_delay_is_a_setting(cast, django_capture_on_commit_callbacks, settings):
    settings.RECIPIENT_FEEDBACK_DELAY_DAYS = 5
    trained(cast.supporter_a_profile)
    with freeze_time(CLOSED_AT):
        referral_in_status(
            "closed",
            supporter=cast.supporter_a_profile,
            department=cast.department_a,
            physician=cast.physician_profile,
        )
    with freeze_time("2024-05-09 16:00:00"):
        assert _run(django_capture_on_commit_callbacks) == 0
    with freeze_time("2024-05-11 16:00:00"):
        assert _run(django_capture_on_commit_callbacks) == 1


def test_the_supported_physician_answers_the_feedback_anonymously(
    cast, closed_case, django_capture_on_commit_callbacks
):
    with freeze_time("2024-05-10 09:00:00"):
        _run(django_capture_on_commit_callbacks)
        (token,) = tokens_in(mail.outbox)
        page = Client().post(
            reverse("surveys:response_create", kwargs={"token": token}),
            answer_data(RECIPIENT_FEEDBACK_ANSWERS),
        )
    assert page.status_code == 302
    settled()
    response = Response.objects.get()
    # Sent because of a case: the response keeps no department to match the case by.
    assert response.department is None
    assert response.submitted_on == date(2024, 5, 1)
    assert response.version.instrument.code == "recipient_feedback"


@pytest.mark.parametrize("outcome", ["declined", "unreachable", "referred_out"])
def test_cases_closed_otherwise_get_no_feedback_survey(cast, outcome):
    trained(cast.supporter_a_profile)
    with freeze_time(CLOSED_AT):
        referral = referral_in_status(
            "contacted", supporter=cast.supporter_a_profile, department=cast.department_a
        )
        referral_services.referral_close(actor=None, referral=referral, outcome=outcome)
    with freeze_time("2024-05-10 09:00:00"):
        assert _due() == 0
    assert not Invitation.objects.exists()


def test_cases_closed_before_the_look_back_window_are_not_invited(cast, closed_case, settings):
    settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS = 14
    with freeze_time("2024-05-30 09:00:00"):
        assert _due() == 0
    assert not Invitation.objects.exists()


def test_a_closed_automatic_campaign_is_followed_by_a_new_one(
    cast, closed_case, django_capture_on_commit_callbacks
):
    with freeze_time("2024-05-10 09:00:00"):
        _run(django_capture_on_commit_callbacks)
    first = Campaign.objects.get()
    services.campaign_close(actor=cast.director, campaign=first)
    with freeze_time("2024-05-10 10:00:00"):
        second = referral_in_status(
            "closed", supporter=cast.supporter_a_profile, department=cast.department_a
        )
    with freeze_time("2024-05-14 09:00:00"):
        assert _run(django_capture_on_commit_callbacks) == 1
    assert Campaign.objects.count() == 2
    new = Campaign.objects.exclude(pk=first.pk).get()
    assert new.status == Campaign.Status.OPEN
    assert new.invitations.get().source_key == f"referral:{second.pk}"


def test_automatic_links_expire_after_the_setting(cast, closed_case, settings):
    settings.SURVEY_AUTOMATIC_LINK_DAYS = 30
    with freeze_time("2024-05-10 09:00:00"):
        _due()
    assert Invitation.objects.get().expires_on == timezone.datetime(2024, 6, 9).date()


def test_training_evaluation_after_a_completed_course_once(
    cast, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with freeze_time("2024-05-06 15:00:00"):
        completion = training_services.completion_create(
            actor=cast.director,
            physician=cast.supporter_b_profile.physician,
            course="refresher",
            completed_on=timezone.localdate(),
            source=TrainingCompletion.Source.SESSION,
        )
        training_services.completion_create(  # imported history: no survey
            actor=None,
            physician=cast.supporter_a_profile.physician,
            course="refresher",
            completed_on=timezone.localdate(),
            source=TrainingCompletion.Source.IMPORT,
        )
    with freeze_time("2024-05-06 16:00:00"), django_capture_on_commit_callbacks(execute=True):
        assert _due("training_evaluation") == 1
        assert _due("training_evaluation") == 0
    invitation = Invitation.objects.get()
    assert invitation.source_key == f"training_completion:{completion.pk}"
    assert invitation.campaign.version.instrument.code == "supporter_training"
    assert [m.to for m in mail.outbox] == [["supporter.b@example.org"]]


def test_the_periodic_task_runs_both_kinds(cast, closed_case, django_capture_on_commit_callbacks):
    with freeze_time("2024-05-10 09:00:00"):
        training_services.completion_create(
            actor=cast.director,
            physician=cast.supporter_b_profile.physician,
            course="refresher",
            completed_on=timezone.localdate(),
            source=TrainingCompletion.Source.MANUAL,
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.surveys_invite_after_events() == {
                "recipient_feedback": 1,
                "training_evaluation": 1,
            }
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.surveys_invite_after_events() == {
                "recipient_feedback": 0,
                "training_evaluation": 0,
            }
    assert Campaign.objects.filter(status="open").count() == 2
    assert len(mail.outbox) >= 2


def test_reminders_follow_automatic_invitations_too(
    cast, closed_case, django_capture_on_commit_callbacks
):
    with freeze_time("2024-05-10 09:00:00"):
        _run(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with freeze_time("2024-05-17 09:30:00"):
        assert services.reminders_send_due() == 1
    assert [m.to for m in mail.outbox] == [["physician@example.org"]]
    assert Invitation.objects.get().reminders_sent == 1


def test_an_invitation_sent_because_of_an_event_does_not_say_which_survey(
    cast, closed_case, django_capture_on_commit_callbacks
):
    """'Recipient feedback' in a mailbox would tell its reader that the person was supported;
    a campaign the director sends still names its survey."""
    mail.outbox.clear()
    with freeze_time("2024-05-10 09:00:00"):
        _run(django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    text = (message.subject + message.body).lower()
    for telling in ("recipient", "feedback", "supported", "support you", "training"):
        assert telling not in text
    assert "a few minutes of your time." in message.body
    campaign = campaign_sent(departments=[cast.department_a])
    assert mail.outbox
    assert all(campaign.version.instrument.name in m.body for m in mail.outbox)
    assert {m.subject for m in [message, *mail.outbox]} == {
        "The peer support program asks for your answers to a short, anonymous survey"
    }


def test_forgetting_an_event_leaves_no_recipient_and_the_same_response_rate(
    cast, closed_case, django_capture_on_commit_callbacks
):
    """Retention forgets who was invited because of a case; the campaign's figures stay."""
    with freeze_time("2024-05-10 09:00:00"):
        _run(django_capture_on_commit_callbacks)
        (token,) = tokens_in(mail.outbox)
    campaign = Campaign.objects.get()
    rates = campaign_results(campaign, exact_response_rate=True)
    key = f"referral:{closed_case.pk}"
    assert services.invitations_forget(source_keys=[key]) == 1
    invitation = Invitation.objects.get()
    assert invitation.physician is None and invitation.source_key == ""
    assert invitation.department == cast.department_a and invitation.next_reminder_at is None
    assert campaign_results(campaign, exact_response_rate=True) == rates
    mail.outbox.clear()
    with freeze_time("2024-05-17 09:30:00"):
        assert services.reminders_send_due() == 0
        assert services.invitations_send() == 0
    assert mail.outbox == []
    with pytest.raises(services.LinkUnknown):
        services.response_submit(token=token, answers=RECIPIENT_FEEDBACK_ANSWERS)
    assert services.invitations_forget(source_keys=[key]) == 0


def test_forgetting_an_event_drops_its_waiting_plan(cast, closed_case):
    assert services.invitations_forget(source_keys=[f"referral:{closed_case.pk}"]) == 0
    with freeze_time("2024-05-10 09:00:00"):
        assert _due() == 0
    assert not Invitation.objects.exists()
