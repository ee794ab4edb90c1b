"""Submissions are settled into responses a few at a time: the link is spent at once, nothing is
lost, the invitation is marked used only with others, and nothing records when each came."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from surveys import services
from surveys.models import Invitation, PendingResponse, Response
from tests.factories import PhysicianFactory

from .factories import PROGRAM_EVALUATION_YES, make_campaign, make_invitation


@pytest.fixture
def links(cast, settings):
    settings.SURVEY_SETTLE_MIN = 3
    campaign = make_campaign(departments=[cast.department_a])
    return [
        make_invitation(campaign, PhysicianFactory(department=cast.department_a)) for _ in range(3)
    ]


def _submit(token: str) -> None:
    services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)


@freeze_time("2024-03-14 10:00:00")
def test_the_job_waits_for_a_few_submissions_then_stores_them_all_at_once(links):
    for _, token in links[:2]:
        _submit(token)
    assert services.responses_settle() == 0
    assert Response.objects.count() == 0 and PendingResponse.objects.count() == 2
    assert not Invitation.objects.filter(used=True).exists()
    # A waiting submission has spent its link already.
    page = Client().get(reverse("surveys:response_create", kwargs={"token": links[0][1]}))
    assert page.status_code == 410
    with pytest.raises(services.LinkUsed):
        _submit(links[1][1])
    _submit(links[2][1])
    assert services.responses_settle() == 3
    assert PendingResponse.objects.count() == 0
    assert Invitation.objects.filter(used=True).count() == 3
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {date(2024, 3, 1)}
    # Stored in the order of their random ids, not in the order they came.
    by_key = list(Response.objects.order_by("pk").values_list("public_id", flat=True))
    assert by_key == sorted(by_key)


def test_a_lone_submission_is_settled_once_its_month_is_over(links):
    with freeze_time("2024-03-30 10:00:00"):
        _submit(links[0][1])
        assert services.responses_settle() == 0
    with freeze_time("2024-04-01 00:20:00"):
        assert services.responses_settle() == 1
    assert Response.objects.get().submitted_on == date(2024, 3, 1)
    assert Invitation.objects.get(pk=links[0][0].pk).used is True


def test_a_submission_writes_no_log_line(links, caplog):
    with caplog.at_level(logging.DEBUG):
        _submit(links[0][1])
    assert [r for r in caplog.records if r.name.startswith("surveys")] == []
