"""Helpers to build survey data in tests (the built-in instruments come from a migration)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils import timezone

from post_program.tokens import token_new
from surveys import services
from surveys.models import (
    Answer,
    Campaign,
    Instrument,
    Invitation,
    InvitationToken,
    Response,
)

LINK = re.compile(r"https?://\S+/surveys/answer/([A-Za-z0-9_\-]+)/")


def builtin_instruments() -> None:
    """Make sure the built-in instruments exist. A transactional test (live server) empties
    every table when it ends, the data migration's rows included; this puts them back."""
    services.instruments_ensure_builtin()


def version_of(code: str):
    builtin_instruments()
    return Instrument.objects.get(code=code).current_version


def make_campaign(
    *,
    code: str = "program_evaluation",
    departments=(),
    audience: str = Campaign.Audience.DEPARTMENTS,
    status: str = Campaign.Status.OPEN,
    opens_on: date | None = None,
    closes_on: date | None = None,
    reminder_days=(7, 14),
    trigger: str = "",
    name: str = "Spring survey",
) -> Campaign:
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name=name,
        version=version_of(code),
        audience=Campaign.Audience.AUTOMATIC if trigger else audience,
        trigger=trigger,
        opens_on=opens_on or today,
        closes_on=None if trigger else (closes_on or today + timedelta(days=21)),
        reminder_days=list(reminder_days),
        status=status,
    )
    campaign.departments.set(departments)
    return campaign


def evaluation_created(cast) -> Campaign:
    """A program evaluation the director creates for department A, open today for ten days."""
    return services.campaign_create(
        actor=cast.director,
        name="Evaluation",
        version=version_of("program_evaluation"),
        audience="departments",
        departments=[cast.department_a],
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=10),
    )


def make_invitation(
    campaign: Campaign, physician, *, used: bool = False, expires_on: date | None = None
) -> tuple[Invitation, str]:
    """An invitation that was sent, and the token of its link."""
    invitation = Invitation.objects.create(
        campaign=campaign,
        physician=physician,
        department=physician.department,
        used=used,
        expires_on=expires_on or campaign.closes_on or timezone.localdate() + timedelta(days=30),
        sent_at=timezone.now(),
    )
    token, digest = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=digest)
    return invitation, token


def make_response(
    campaign: Campaign | None,
    department,
    answers: dict,
    *,
    submitted_on: date | None = None,
    version=None,
) -> Response:
    """A stored response with the given answers {question code: value}."""
    version = version or campaign.version
    questions = {q.code: q for q in version.questions.all()}
    response = Response.objects.create(
        campaign=campaign,
        version=version,
        department=department,
        submitted_on=submitted_on or timezone.localdate(),
    )
    for code, value in answers.items():
        columns = services.answer_columns(questions[code], value)
        if columns is not None:
            Answer.objects.create(response=response, question=questions[code], **columns)
    services.answer_counts_refresh([response.submitted_on])  # as the bulk writer does
    return response


def settled() -> int:
    """Turn the submissions waiting into responses, as the periodic job does."""
    return services.responses_settle()


def tokens_in(messages) -> list[str]:
    """The link tokens found in sent emails, in order."""
    return [match for message in messages for match in LINK.findall(message.body)]


RECIPIENT_FEEDBACK_ANSWERS = {
    "helpful": 5,
    "wellbeing_improved": 4,
    "negative_emotions_decreased": 4,
    "stigma_decreased": 3,
    "comfortable_discussing": 5,
    "culture_improved": 4,
    "would_recommend": True,
}

PROGRAM_EVALUATION_YES = {
    "aware_of_program": True,
    "had_interaction": False,
    "would_recommend": True,
    "culture_improved": 4,
}


def answer_data(answers: dict) -> dict:
    """POST data for the answer form from {question code: python value}."""
    data = {}
    for code, value in answers.items():
        if isinstance(value, bool):
            data[code] = "yes" if value else "no"
        elif isinstance(value, list):
            data[code] = value
        else:
            data[code] = str(value)
    return data


def campaign_sent(*, departments) -> Campaign:
    """A program evaluation of `departments` opened and sent now: its emails in mail.outbox."""
    from django.core import mail

    from surveys import services

    campaign = make_campaign(departments=departments)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED)
    mail.outbox.clear()
    services.campaign_open(campaign_id=campaign.pk)
    services.invitations_send(campaign_id=campaign.pk)
    return campaign
