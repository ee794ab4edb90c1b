"""A copy of the database cannot tie a response to its invitation by transaction ids.

On PostgreSQL every row carries `xmin`, the id of the transaction that wrote it. A response
written in the same transaction as its invitation's used-mark shares it, and
`... JOIN surveys_invitation i ON r.xmin = i.xmin` names the respondent; transactions that
follow one another (a response, then its invitation) pair them by order. SQLite has no
transaction ids, so this runs on PostgreSQL (DATABASE_URL).
"""

from __future__ import annotations

import pytest
from django.db import connection

from surveys import services
from surveys.models import Invitation, Response
from tests.factories import PhysicianFactory

from .factories import PROGRAM_EVALUATION_YES, make_campaign, make_invitation, settled

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RESPONDENTS = 4


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no transaction ids (xmin); this test runs on PostgreSQL")


@pytest.fixture
def answered(cast, settings):
    """Four physicians answer one campaign, one after another, and the job settles."""
    settings.SURVEY_SETTLE_MIN = 3
    campaign = make_campaign(departments=[cast.department_a])
    invitations = []
    for _ in range(RESPONDENTS):
        invitation, token = make_invitation(
            campaign, PhysicianFactory(department=cast.department_a)
        )
        invitations.append(invitation)
        services.response_submit(token=token, answers=PROGRAM_EVALUATION_YES)
    make_invitation(campaign, PhysicianFactory(department=cast.department_a))  # never answers
    settled()
    assert Response.objects.count() == RESPONDENTS
    assert Invitation.objects.filter(used=True).count() == RESPONDENTS
    return invitations


def _xmin(table: str) -> dict[str, int]:
    key = "public_id" if table == "surveys_response" else "id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}::text, xmin::text::bigint FROM {table}")  # noqa: S608
        return dict(cursor.fetchall())


def test_no_response_shares_its_transaction_id_with_one_invitation_alone(answered):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.public_id, count(i.id) FROM surveys_response r "
            "LEFT JOIN surveys_invitation i ON r.xmin = i.xmin AND i.used GROUP BY r.public_id"
        )
        joined = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM surveys_answer a JOIN surveys_invitation i ON a.xmin = i.xmin "
            "GROUP BY a.response_id HAVING count(DISTINCT i.id) = 1"
        )
        answers_linked = cursor.fetchall()
    assert len(joined) == RESPONDENTS
    assert all(count != 1 for count in joined.values()), joined
    assert answers_linked == []


def test_the_order_of_transaction_ids_pairs_no_response_with_an_invitation(answered):
    """Neighbouring transaction ids: each response paired with the used invitation whose xmin
    is nearest to its own must not come out as one invitation."""
    responses = _xmin("surveys_response")
    used = {invitation.pk for invitation in answered}
    invitations = {pk: x for pk, x in _xmin("surveys_invitation").items() if int(pk) in used}
    for public_id, xmin in responses.items():
        distance = min(abs(xmin - other) for other in invitations.values())
        nearest = [pk for pk, other in invitations.items() if abs(xmin - other) == distance]
        assert len(nearest) > 1, (public_id, nearest)
