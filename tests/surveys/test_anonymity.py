"""Anonymity by construction: the schema cannot link a response to a person, the database
never holds a token, and no log line carries one."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection, models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from post_program.models import Department
from post_program.tokens import token_digest, token_new
from surveys import services
from surveys.models import (
    Answer,
    Campaign,
    InstrumentVersion,
    Invitation,
    InvitationToken,
    Question,
    Response,
)

from .factories import (
    PROGRAM_EVALUATION_YES,
    answer_data,
    campaign_sent,
    make_campaign,
    make_invitation,
    settled,
    tokens_in,
)

# What a response may point to, and what an answer may point to. Anything else (a person, an
# account, an invitation, a token, a supporter, a referral...) breaks anonymity.
ALLOWED_RELATIONS = {
    Response: {Campaign, InstrumentVersion, Department, Answer},
    Answer: {Response, Question},
}
FORBIDDEN_NAME_PARTS = (
    "user",
    "physician",
    "person",
    "email",
    "token",
    "invitation",
    "ip",
    "address",
    "agent",
    "session",
    "name",
    "time",
    "_at",
)


def _words(field_name: str) -> set[str]:
    return set(field_name.lower().split("_"))


def test_response_and_answer_relate_only_to_their_allowed_models():
    for model, allowed in ALLOWED_RELATIONS.items():
        related = {
            f.related_model for f in model._meta.get_fields() if f.is_relation and f.related_model
        }
        assert related <= allowed, f"{model.__name__} relates to {related - allowed}"


def test_no_other_model_points_at_a_response_or_an_answer():
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if f.is_relation and f.concrete and f.related_model in (Response, Answer):
                assert (model, f.related_model) == (Answer, Response), (
                    f"{model.__name__}.{f.name} points at {f.related_model.__name__}"
                )


def test_response_and_answer_hold_no_time_and_no_identifying_field():
    for model in (Response, Answer):
        for f in model._meta.concrete_fields:
            assert not isinstance(f, (models.DateTimeField, models.TimeField)), (
                f"{model.__name__}.{f.name} stores a time of day"
            )
            assert not isinstance(f, models.GenericIPAddressField)
            words = _words(f.name)
            for part in FORBIDDEN_NAME_PARTS:
                assert part not in words and not f.name.endswith(part), (
                    f"{model.__name__}.{f.name} looks like it identifies someone"
                )


def test_invitation_records_whether_it_was_used_not_when():
    used = Invitation._meta.get_field("used")
    assert isinstance(used, models.BooleanField)
    names = {f.name for f in Invitation._meta.get_fields()}
    assert not {"used_at", "used_on", "answered_at", "response", "responded_at"} & names


def test_answering_changes_nothing_on_the_invitation_but_used(cast):
    campaign = make_campaign(departments=[cast.department_a])
    invitation, token = make_invitation(campaign, cast.physician_profile)
    before = Invitation.objects.filter(pk=invitation.pk).values().get()
    tokens_before = list(InvitationToken.objects.values())
    Client().post(
        reverse("surveys:response_create", kwargs={"token": token}),
        answer_data(PROGRAM_EVALUATION_YES),
    )
    # Submitting leaves the invitation alone; settling marks it used, and changes nothing else.
    assert Invitation.objects.filter(pk=invitation.pk).values().get() == before
    settled()
    after = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert {k for k in before if before[k] != after[k]} == {"used"}
    assert list(InvitationToken.objects.values()) == tokens_before


def test_response_ids_are_random_not_a_sequence(cast):
    campaign = make_campaign(departments=[cast.department_a])
    for profile in (
        cast.physician_profile,
        cast.supporter_a_profile.physician,
        cast.supporter_b_profile.physician,
    ):
        _, token = make_invitation(campaign, profile)
        services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    settled()
    ids = list(Response.objects.values_list("public_id", flat=True))
    assert len(set(ids)) == 3
    assert all(len(i) >= 16 and not i.isdigit() for i in ids)


def _all_text_in_survey_tables() -> str:
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_app_config("surveys").get_models():
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
            chunks.extend(str(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_database_keeps_only_the_hash_of_a_link(cast):
    campaign = make_campaign(departments=[cast.department_a, cast.department_b])
    mail.outbox.clear()
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED)
    services.campaign_open(campaign_id=campaign.pk)
    services.invitations_send(campaign_id=campaign.pk)
    tokens = tokens_in(mail.outbox)
    assert len(tokens) == 3  # supporter_a and physician in A, supporter_b in B
    stored = _all_text_in_survey_tables()
    for token in tokens:
        assert token not in stored
        assert InvitationToken.objects.filter(token_hash=token_digest(token)).exists()


def test_invitation_emails_name_nobody(cast):
    campaign_sent(departments=[cast.department_a])
    assert mail.outbox
    for message in mail.outbox:
        text = message.subject + message.body
        assert cast.physician_profile.name not in text
        assert cast.supporter_a_profile.physician.name not in text
        assert cast.department_a.name not in text


def test_no_log_line_carries_a_token_across_the_answer_flow(cast, caplog):
    caplog.set_level(logging.DEBUG)
    campaign = make_campaign(departments=[cast.department_a, cast.department_c])
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.SCHEDULED)
    mail.outbox.clear()
    services.campaign_open(campaign_id=campaign.pk)
    services.invitations_send(campaign_id=campaign.pk)
    first, second = tokens_in(mail.outbox)
    _, expired = make_invitation(
        campaign,
        cast.supporter_b_profile.physician,
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    client = Client()
    url = lambda token: reverse("surveys:response_create", kwargs={"token": token})  # noqa: E731
    client.get(url(first))
    client.post(url(first), {"would_recommend": "perhaps"})  # invalid
    client.post(url(first), answer_data(PROGRAM_EVALUATION_YES))  # valid
    client.post(url(first), answer_data(PROGRAM_EVALUATION_YES))  # used: 410
    client.put(url(second))  # wrong method: 405
    client.get(url(expired))  # expired: 410
    client.get(url(second[:-3] + "abc"))  # unknown: 404
    cast.client("physician").get(url(second))
    # Reminders carry fresh links through the same code path.
    with_time = timezone.now() + timedelta(days=8)
    services.reminders_send_due(now=with_time)
    reminder_tokens = tokens_in(mail.outbox[2:])
    assert reminder_tokens
    client.get(url(reminder_tokens[0]))

    assert any("/surveys/answer/[redacted]/" in r.getMessage() for r in caplog.records)
    for token in [first, second, expired, second[:-3] + "abc", *reminder_tokens]:
        for record in caplog.records:
            assert token not in record.getMessage(), record.getMessage()
            assert token not in str(record.args or "")
        assert token_digest(token) not in caplog.text


def test_link_tokens_are_long_and_random():
    tokens = {token_new()[0] for _ in range(50)}
    assert len(tokens) == 50
    assert all(len(token) >= 43 for token in tokens)


def test_submission_writes_no_audit_row_with_a_time(cast):
    from post_program.models import AuditEvent

    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    count = AuditEvent.objects.count()
    services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    assert AuditEvent.objects.count() == count


def test_suppression_threshold_setting_is_used():
    assert settings.SUPPRESSION_THRESHOLD >= 1
