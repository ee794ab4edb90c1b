"""The RE-AIM report over the API: the very JSON `manage.py reaim_report` writes, for the same
period and scope options; suppressed unless the token holds report:exact."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from post_program.models import RoleAssignment
from tests.api import api_client, token_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/report/"
A = "North/Emergency Medicine"


def command_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("reaim_report", *args, stdout=out)
    return json.loads(out.getvalue())


def same_report(answer: dict, written: dict) -> bool:
    """Equal but for the moment each was made."""
    assert answer.pop("generated_at") and written.pop("generated_at")
    return answer == written


@pytest.mark.parametrize(
    ("query", "arguments"),
    [
        ({}, []),
        ({"site": "North"}, ["--site", "North"]),
        ({"department": [A, "South/Emergency Medicine"]}, ["--department", A]),
    ],
    ids=["program", "site", "departments"],
)
def test_an_exact_token_reads_what_the_command_writes(program, query, arguments):
    if query.get("department"):
        arguments = [*arguments, "South/Emergency Medicine"]
    client = api_client(token_for(program.director, "report:read", "report:exact"))
    response = client.get(URL, {"start": "2020-01-01", "end": "2020-12-31", **query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    expected = command_json("--start", "2020-01-01", "--end", "2020-12-31", *arguments)
    assert same_report(response.json(), expected)
    assert response.json()["reach"]["successful_interactions"] > 0


def test_a_token_without_report_exact_reads_the_suppressed_report(program):
    client = api_client(token_for(program.director, "report:read"))
    response = client.get(URL, {"start": "2020-01-01", "end": "2020-12-31", "department": A})
    assert response.status_code == 200
    data = response.json()
    written = command_json(
        "--start", "2020-01-01", "--end", "2020-12-31", "--department", A, "--suppress-below", "11"
    )
    assert same_report(dict(data), written)
    assert data["suppression"]["threshold"] == 11
    assert data["reach"]["successful_interactions"] is None
    assert "successful_interactions" in data["reach"]["suppressed"]
    assert data["reach"]["eligible_physicians"] == 14  # the roster is a count of the program


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2020-01-01"}, "end: This field is required."),
        ({"start": "2020-02-30", "end": "2020-12-31"}, "the start date '2020-02-30' is not a"),
        ({"start": "2021-01-01", "end": "2020-12-31"}, "the start 2021-01-01 is after the end"),
        ({"start": "2020-01-01", "end": "2020-12-31", "site": "Nowhere"}, "unknown site 'Nowhere'"),
        (
            {"start": "2020-01-01", "end": "2020-12-31", "department": "North/Nothing"},
            "unknown department 'North/Nothing'",
        ),
    ],
)
def test_a_period_or_scope_the_command_refuses_is_a_400_with_its_message(cast, query, message):
    response = api_client(token_for(cast.director, "report:read")).get(URL, query)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_the_report_needs_the_report_scope(cast):
    response = api_client(token_for(cast.director, "roster:read")).get(
        URL, {"start": "2020-01-01", "end": "2020-12-31"}
    )
    assert response.status_code == 403


def test_the_report_is_the_director_s_as_on_the_program_dashboard(cast):
    secret = token_for(cast.director, "report:read", "report:exact")
    RoleAssignment.objects.filter(user=cast.director).update(
        role=RoleAssignment.Role.COORDINATOR, site=cast.north
    )
    response = api_client(secret).get(URL, {"start": "2020-01-01", "end": "2020-12-31"})
    assert response.status_code == 403
