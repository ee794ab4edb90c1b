"""Answering from the emailed link: no sign-in, one submission per link, clear messages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from post_program.tokens import token_new
from surveys import services
from surveys.models import Answer, Campaign, Invitation, Response
from surveys.services import responses

from .factories import (
    PROGRAM_EVALUATION_YES,
    answer_data,
    make_campaign,
    make_invitation,
    settled,
)


def _url(token: str) -> str:
    return reverse("surveys:response_create", kwargs={"token": token})


@pytest.fixture
def link(cast):
    campaign = make_campaign(departments=[cast.department_a])
    invitation, token = make_invitation(campaign, cast.physician_profile)
    return campaign, invitation, token


def test_anonymous_visitor_sees_the_questions_without_signing_in(link):
    campaign, _, token = link
    page = Client().get(_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    for question in campaign.version.questions.all():
        assert question.text in body
    assert 'name="viewport"' in body  # phone-friendly layout from the base template
    assert page["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


@pytest.mark.parametrize(
    "code", ["program_evaluation", "recipient_feedback", "supporter_training", "wellbeing"]
)
def test_the_survey_page_says_once_that_it_is_anonymous(cast, code):
    """The page's own sentence says it; the built-in introductions do not repeat it."""
    campaign = make_campaign(code=code, departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    body = Client().get(_url(token)).content.decode()
    main = " ".join(re.sub(r"<[^>]+>", " ", body[body.index("<main") :]).split())
    sentences = re.split(r"(?<=[.!?]) ", main)
    assert [s for s in sentences if "anonym" in s.casefold()] == [
        "This survey is anonymous: your answers are kept without your name, your account or "
        "this link, and results are only shown for groups large enough that nobody can be "
        "singled out."
    ]
    assert campaign.version.intro and campaign.version.intro in main


def test_questions_are_grouped_with_a_legend_for_screen_readers(link):
    _, _, token = link
    body = Client().get(_url(token)).content.decode()
    assert body.count("<fieldset") >= 4
    assert "<legend" in body


def test_a_submission_stores_the_answers_with_department_and_date_only(cast, link):
    campaign, invitation, token = link
    page = Client().post(_url(token), answer_data(PROGRAM_EVALUATION_YES))
    assert page.status_code == 302
    assert page["Location"] == reverse("surveys:response_thanks")
    settled()
    response = Response.objects.get()
    assert response.campaign == campaign
    assert response.version == campaign.version
    assert response.department == cast.department_a
    assert response.submitted_on == timezone.localdate().replace(day=1)
    stored = {a.question.code: a.export_value for a in response.answers.all()}
    assert stored == {
        "aware_of_program": "yes",
        "had_interaction": "no",
        "would_recommend": "yes",
        "culture_improved": "4",
    }
    invitation.refresh_from_db()
    assert invitation.used is True


def test_signed_in_physician_answers_the_same_way(cast, link):
    _, _, token = link
    page = cast.client("physician").post(_url(token), answer_data(PROGRAM_EVALUATION_YES))
    assert page.status_code == 302
    assert settled() == 1


def test_a_used_link_says_so_and_stores_nothing_more(link):
    _, _, token = link
    client = Client()
    client.post(_url(token), answer_data(PROGRAM_EVALUATION_YES))
    again = client.post(_url(token), answer_data(PROGRAM_EVALUATION_YES))
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    assert client.get(_url(token)).status_code == 410
    settled()
    assert client.post(_url(token), answer_data(PROGRAM_EVALUATION_YES)).status_code == 410
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 4


def test_an_unknown_link_gets_a_clear_message(link):
    page = Client().get(_url("not-a-real-token"))
    assert page.status_code == 404
    assert "do not recognise this survey link" in page.content.decode()
    assert Client().post(_url("x" * 43), answer_data(PROGRAM_EVALUATION_YES)).status_code == 404
    assert Response.objects.count() == 0


def test_an_expired_link_gets_a_clear_message(cast):
    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(
        campaign, cast.physician_profile, expires_on=timezone.localdate() - timedelta(days=1)
    )
    page = Client().get(_url(token))
    assert page.status_code == 410
    assert "survey is closed" in page.content.decode()
    assert Client().post(_url(token), answer_data(PROGRAM_EVALUATION_YES)).status_code == 410
    assert Response.objects.count() == 0


def test_a_closed_campaign_no_longer_takes_answers(cast, link):
    campaign, _, token = link
    services.campaign_close(actor=cast.director, campaign=campaign)
    assert Client().post(_url(token), answer_data(PROGRAM_EVALUATION_YES)).status_code == 410
    assert Response.objects.count() == 0


def test_a_campaign_past_its_closing_date_refuses_answers_before_the_job_closes_it(cast):
    campaign = make_campaign(departments=[cast.department_a])
    Campaign.objects.filter(pk=campaign.pk).update(
        opens_on=timezone.localdate() - timedelta(days=10),
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    invitation, token = make_invitation(campaign, cast.physician_profile)
    Invitation.objects.filter(pk=invitation.pk).update(expires_on=timezone.localdate())
    assert Client().get(_url(token)).status_code == 410


def test_double_submission_through_the_service_stores_one_response(link):
    _, _, token = link
    services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    with pytest.raises(services.LinkUsed):
        services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    settled()
    with pytest.raises(services.LinkUsed):
        services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    assert Response.objects.count() == 1


def test_the_conditional_update_refuses_a_link_used_meanwhile(link, monkeypatch):
    """The second of two racing submissions sees `used` still false when it reads the row but
    loses the conditional update: it must store nothing."""
    _, invitation, token = link
    real_check = services.invitation_check

    def check_then_lose_the_race(found, **kwargs):
        result = real_check(found, **kwargs)
        Invitation.objects.filter(pk=invitation.pk).update(used=True)
        return result

    monkeypatch.setattr(responses, "invitation_check", check_then_lose_the_race)
    with pytest.raises(services.LinkUsed):
        services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    assert Response.objects.count() == 0


def test_every_link_of_an_invitation_works_until_one_is_used(cast, link):
    _, invitation, first = link
    second, digest = token_new()
    invitation.tokens.create(token_hash=digest)
    assert Client().get(_url(first)).status_code == 200
    assert Client().post(_url(second), answer_data(PROGRAM_EVALUATION_YES)).status_code == 302
    assert Client().get(_url(first)).status_code == 410


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("would_recommend", None, "Please choose an answer."),
        ("would_recommend", "maybe", "Answer yes or no."),
        ("culture_improved", "6", "Choose one of the points of the scale."),
        ("culture_improved", "0", "Choose one of the points of the scale."),
        ("culture_improved", "agree", "Choose one of the points of the scale."),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(link, field, value, message):
    _, invitation, token = link
    data = answer_data(PROGRAM_EVALUATION_YES)
    if value is None:
        del data[field]
    else:
        data[field] = value
    page = Client().post(_url(token), data)
    assert page.status_code == 200
    body = page.content.decode()
    assert message in body
    assert "Please check 1 answer" in body
    assert Response.objects.count() == 0
    invitation.refresh_from_db()
    assert invitation.used is False


def test_sending_nothing_lists_every_unanswered_question(link):
    _, invitation, token = link
    page = Client().post(_url(token), {})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Please check 4 answers" in body
    assert body.count("Please choose an answer.") >= 4
    invitation.refresh_from_db()
    assert invitation.used is False
    assert Response.objects.count() == 0


def test_the_service_refuses_values_outside_the_scale(link):
    _, invitation, token = link
    with pytest.raises(ValidationError):
        services.response_submit(
            token=token, answers={**PROGRAM_EVALUATION_YES, "culture_improved": 9}
        )
    with pytest.raises(ValidationError):
        services.response_submit(
            token=token, answers={**PROGRAM_EVALUATION_YES, "would_recommend": 1}
        )
    invitation.refresh_from_db()
    assert invitation.used is False
    assert Response.objects.count() == 0


def test_who5_answers_are_scored_as_the_index(cast):
    campaign = make_campaign(code="wellbeing", departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    answers = {"who5_1": 3, "who5_2": 4, "who5_3": 2, "who5_4": 5, "who5_5": 0}
    page = Client().post(_url(token), answer_data(answers))
    assert page.status_code == 302
    settled()
    assert Response.objects.get().score == 4 * (3 + 4 + 2 + 5 + 0)


def test_who5_scale_runs_from_0_to_5(cast):
    campaign = make_campaign(code="wellbeing", departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    answers = {"who5_1": 6, "who5_2": 4, "who5_3": 2, "who5_4": 5, "who5_5": 0}
    page = Client().post(_url(token), answer_data(answers))
    assert page.status_code == 200
    assert "Choose one of the points of the scale." in page.content.decode()


def test_recipient_feedback_score_is_the_mean_of_its_likert_items(cast):
    campaign = make_campaign(code="recipient_feedback", departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    answers = {
        "helpful": 5,
        "wellbeing_improved": 4,
        "negative_emotions_decreased": 3,
        "stigma_decreased": 4,
        "comfortable_discussing": 5,
        "culture_improved": 3,
        "would_recommend": True,
    }
    assert Client().post(_url(token), answer_data(answers)).status_code == 302
    settled()
    assert Response.objects.get().score == pytest.approx(24 / 6)


def test_thanks_page_is_public(cast):
    page = Client().get(reverse("surveys:response_thanks"))
    assert page.status_code == 200
    assert "your answers were received" in page.content.decode()
