"""Two coordinators assigning the same referral at the same moment: exactly one wins."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from interactions import services
from interactions.models import Assignment, AssignmentState, Referral, Status
from tests.concurrency import race
from tests.factories import RoleAssignmentFactory, UserFactory

from .factories import referral_new, trained

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises whole-database writes and has no row locks, so two coordinators "
            "cannot race there; this test runs on PostgreSQL (DATABASE_URL)"
        )


def test_two_services_assigning_at_once_one_wins_the_other_is_told(cast):
    referral = referral_new(department=cast.department_a)
    second_coordinator = UserFactory()
    results = race(
        lambda: services.referral_assign(
            actor=cast.coordinator,
            referral=referral.pk,
            supporter=cast.supporter_a_profile,
            expected_version=0,
        ),
        lambda: services.referral_assign(
            actor=second_coordinator,
            referral=referral.pk,
            supporter=cast.supporter_b_profile,
            expected_version=0,
        ),
    )
    winners = [r for r in results if isinstance(r, Assignment)]
    losers = [r for r in results if isinstance(r, services.ReferralChanged)]
    assert len(winners) == 1 and len(losers) == 1, results
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED
    assert referral.assigned_to_id == winners[0].supporter_id
    assert referral.version == 1
    active = Assignment.objects.filter(
        referral=referral, state__in=[AssignmentState.PENDING, AssignmentState.ACCEPTED]
    )
    assert list(active) == [winners[0]]


def test_two_coordinators_clicking_assign_one_sees_success_the_other_a_clear_message(cast):
    referral = referral_new(department=cast.department_a)
    trained(cast.supporter_a_profile, cast.supporter_b_profile)
    other = UserFactory(email="second.coordinator@example.org")
    RoleAssignmentFactory(user=other, role="coordinator", site=cast.north)
    url = reverse("interactions:referral_assign", args=[referral.pk])
    clients = [cast.client("coordinator"), cast.client("coordinator")]
    clients[1].force_login(other)

    def click(client, supporter):
        def post():
            response = client.post(url, {"supporter": supporter.pk, "version": 0})
            # The page's text, not response.context: the test client collects contexts through
            # global signals, which two threads would mix up.
            return client.get(response["Location"]).content.decode()

        return post

    pages = race(
        click(clients[0], cast.supporter_a_profile), click(clients[1], cast.supporter_b_profile)
    )
    won = ["Assigned to" in page for page in pages]
    told = ["changed while you were looking at it" in page for page in pages]
    assert sorted(won) == [False, True] and told == [not w for w in won]
    assert Referral.objects.get(pk=referral.pk).assignments.count() == 1
