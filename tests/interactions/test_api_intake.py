"""Referral intake over the API: an incident-reporting system records a difficult event and so
opens event outreach, with the event page's checks and messages, as a director who coordinates
the department's site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import DifficultEvent, Referral
from post_program.models import AuditEvent, RoleAssignment
from tests.api import api_client, token_for
from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


@pytest.fixture
def coordinating_director(cast):
    RoleAssignment.objects.create(
        user=cast.director, role=RoleAssignment.Role.COORDINATOR, site=cast.north
    )
    return cast


def record(cast, body, *scopes: str):
    client = api_client(token_for(cast.director, *(scopes or ("events:write",))))
    return client.post(URL, body, content_type="application/json")


def event(cast, **changes):
    physicians = PhysicianFactory.create_batch(2, department=cast.department_a)
    return {
        "occurred_on": str(timezone.localdate() - timedelta(days=1)),
        "department": cast.department_a.pk,
        "category": "patient_death",
        "physician_ids": [p.physician_id for p in physicians],
        **changes,
    }


def test_an_event_opens_one_referral_per_physician(coordinating_director):
    cast = coordinating_director
    body = event(cast)
    response = record(cast, body)
    assert response.status_code == 201, response.json()
    recorded = DifficultEvent.objects.get()
    assert response.json() == {"event": recorded.pk, "opened": 2, "already_open": 0}
    referrals = Referral.objects.filter(event=recorded)
    assert sorted(r.physician.physician_id for r in referrals) == sorted(body["physician_ids"])
    assert {r.source for r in referrals} == {"event"}
    assert AuditEvent.objects.filter(action="event.record", actor=cast.director).count() == 1
    # Again for the same physicians: they keep the referral they have.
    again = record(cast, {**body, "category": "adverse_event"})
    assert again.json()["opened"] == 0 and again.json()["already_open"] == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"occurred_on": "2020-02-30"}, "occurred_on: Enter a date as YYYY-MM-DD."),
        ({"occurred_on": "2999-01-01"}, "occurred_on: The event cannot be in the future."),
        ({"occurred_on": "2001-01-01"}, "occurred_on: Record events of the past year only."),
        ({"physician_ids": ["NOPE"]}, "Choose physicians from the department's current roster."),
        ({"physician_ids": []}, "physicians: Choose at least one physician involved."),
        ({"category": "picnic"}, 'category: "picnic" is not a valid choice.'),
        ({"department": "x"}, "department: A valid integer is required."),
    ],
)
def test_what_the_event_page_refuses_is_refused_with_its_message(
    coordinating_director, changes, message
):
    response = record(coordinating_director, event(coordinating_director, **changes))
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not DifficultEvent.objects.exists() and not Referral.objects.exists()


def test_a_department_outside_the_director_s_sites_is_refused(coordinating_director):
    cast = coordinating_director
    body = event(cast, department=cast.department_b.pk)
    response = record(cast, body)
    assert response.status_code == 400
    assert "department: Choose one of your sites' departments." in response.json()["detail"]
    assert not Referral.objects.exists()


def test_a_director_who_coordinates_no_site_records_no_event(cast):
    response = record(cast, event(cast))
    assert response.status_code == 403
    assert "coordinate" in response.json()["detail"]
    assert not DifficultEvent.objects.exists()


def test_intake_needs_the_events_scope(coordinating_director):
    cast = coordinating_director
    response = record(cast, event(cast), "report:read", "roster:write")
    assert response.status_code == 403
    assert not DifficultEvent.objects.exists()
