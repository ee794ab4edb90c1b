"""A double click on "Send my answers": two submissions of one link at the same moment store
one response. SQLite serialises whole-database writes, so the race runs on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from surveys import services
from surveys.models import Answer, Invitation, PendingResponse, Response
from tests.concurrency import race

from .factories import (
    PROGRAM_EVALUATION_YES,
    answer_data,
    make_campaign,
    make_invitation,
    settled,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite has no row locks, so two submissions cannot race there; this test runs on "
            "PostgreSQL (DATABASE_URL)"
        )


@pytest.fixture
def link(cast):
    services.instruments_ensure_builtin()
    campaign = make_campaign(departments=[cast.department_a])
    return make_invitation(campaign, cast.physician_profile)


def test_racing_services_store_one_response(link):
    invitation, token = link
    calls = [
        lambda: services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
        for _ in range(4)
    ]
    results = race(*calls)
    stored = [r for r in results if isinstance(r, PendingResponse)]
    refused = [r for r in results if isinstance(r, services.LinkUsed)]
    assert len(stored) == 1 and len(refused) == 3, results
    assert settled() == 1
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 4
    assert Invitation.objects.get(pk=invitation.pk).used is True


def test_a_double_click_shows_thanks_once_and_already_answered_once(link):
    _, token = link
    url = reverse("surveys:response_create", kwargs={"token": token})
    data = answer_data(PROGRAM_EVALUATION_YES)
    statuses = race(
        lambda: Client().post(url, data).status_code, lambda: Client().post(url, data).status_code
    )
    assert sorted(statuses) == [302, 410]
    assert settled() == 1
    assert Response.objects.count() == 1
