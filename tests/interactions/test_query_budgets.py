"""The supporter's lists and the case page run a fixed number of queries, however many cases,
interactions and attempts there are."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions import services

from .factories import (
    interaction_logged,
    referral_assigned,
    referral_contacted,
    referral_in_status,
)

pytestmark = pytest.mark.django_db


def _queries(client, url: str, budget: int, assert_max) -> int:
    with assert_max(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_cases_keeps_its_budget(cast, django_assert_max_num_queries):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 50
    supporter.save()

    def add(n: int) -> None:
        for _ in range(n):
            referral_assigned(department=cast.department_a, supporter=supporter)
            contacted = referral_contacted(department=cast.department_a, supporter=supporter)
            interaction_logged(supporter=supporter, referral=contacted)
            referral_in_status("closed", department=cast.department_c, supporter=supporter)

    client = cast.client("supporter_a")
    url = reverse("interactions:case_list")
    add(1)
    few = _queries(client, url, 12, django_assert_max_num_queries)
    add(8)
    assert _queries(client, url, 12, django_assert_max_num_queries) == few


def test_my_interactions_keeps_its_budget(cast, django_assert_max_num_queries):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 50
    supporter.save()

    def add(n: int) -> None:
        for _ in range(n):
            interaction_logged(supporter=supporter, department=cast.department_b)
            contacted = referral_contacted(department=cast.department_a, supporter=supporter)
            interaction_logged(supporter=supporter, referral=contacted)

    client = cast.client("supporter_a")
    url = reverse("interactions:interaction_list")
    add(1)
    few = _queries(client, url, 8, django_assert_max_num_queries)
    add(10)
    assert _queries(client, url, 8, django_assert_max_num_queries) == few


@pytest.mark.parametrize("member", ["supporter_a", "coordinator"])
def test_the_case_page_keeps_its_budget(cast, member, django_assert_max_num_queries):
    referral = referral_contacted(
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        at=timezone.now() - timedelta(days=2),
    )

    def add(n: int) -> None:
        for _ in range(n):
            interaction_logged(supporter=cast.supporter_a_profile, referral=referral)
            services.outreach_record(
                actor=None,
                referral=referral,
                supporter=cast.supporter_a_profile,
                attempted_at=timezone.now() - timedelta(hours=1),
                method="text",
                reached=False,
            )

    client = cast.client(member)
    url = reverse("interactions:referral_detail", args=[referral.pk])
    add(1)
    budget = 15  # the coordinator's page also ranks the supporters for reassignment
    few = _queries(client, url, budget, django_assert_max_num_queries)
    add(10)
    assert _queries(client, url, budget, django_assert_max_num_queries) == few
