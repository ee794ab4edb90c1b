"""The roster over the API: read page by page, and upserted as physicians.csv is imported, with
the same checks and messages, and everything or nothing per request."""

from __future__ import annotations

import csv
import io

import pytest

from post_program.import_export import ImportRejected, file_specs, import_files, read_files
from post_program.models import AuditEvent, Physician
from tests.api import api_client, token_for
from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/roster/"


def upsert(cast, rows, *scopes: str):
    client = api_client(token_for(cast.director, *(scopes or ("roster:write",))))
    return client.post(URL, {"physicians": rows}, content_type="application/json")


def import_errors(rows: list[dict]) -> list[tuple[int, str, str]]:
    """What importing these rows as physicians.csv reports."""
    header = list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name) or "" for name in header])
    files = read_files({"physicians.csv": out.getvalue().encode()}, file_specs())
    with pytest.raises(ImportRejected) as rejected:
        import_files(files)
    return [(error.line, error.column, error.message) for error in rejected.value.errors]


def test_an_upsert_adds_and_updates_by_physician_id(cast):
    existing = PhysicianFactory(department=cast.department_a, physician_id="P-100", name="Old")
    response = upsert(
        cast,
        [
            {"physician_id": "P-100", "site": "North", "department": "Surgery", "name": "New"},
            {
                "physician_id": "P-200",
                "site": "South",
                "department": "Emergency Medicine",
                "started_on": "2024-01-02",
                "email": "P200@Example.org",
            },
        ],
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    existing.refresh_from_db()
    assert (existing.department, existing.name) == (cast.department_c, "New")
    added = Physician.objects.get(physician_id="P-200")
    assert added.department == cast.department_b
    assert added.email == "p200@example.org"
    assert str(added.started_on) == "2024-01-02"
    imported = AuditEvent.objects.get(action="program.import")
    assert imported.actor == cast.director
    # The same rows again change nothing.
    again = upsert(
        cast, [{"physician_id": "P-100", "site": "North", "department": "Surgery", "name": "New"}]
    )
    assert again.json() == {"rows": 1, "created": 0, "updated": 0, "unchanged": 1}


BAD_ROWS = [
    {"physician_id": "P-1", "site": "North", "department": "Surgery", "started_on": "2024-13-01"},
    {"physician_id": "P-2", "site": "North", "department": "Cardiology"},
    {
        "physician_id": "P-3",
        "site": "North",
        "department": "Surgery",
        "ended_on": "2020-01-01",
        "started_on": "2021-01-01",
    },
    {"physician_id": "P-1", "site": "North", "department": "Surgery"},
    {"physician_id": "", "site": "North", "department": "Surgery"},
]


def test_a_bad_row_is_refused_with_the_messages_of_physicians_csv_and_nothing_is_written(cast):
    before = Physician.objects.count()
    good = {"physician_id": "P-9", "site": "North", "department": "Surgery"}
    response = upsert(cast, [good, *BAD_ROWS])
    assert response.status_code == 400
    body = response.json()
    found = [(e["line"], e["column"], e["message"]) for e in body["errors"]]
    assert found == import_errors([good, *BAD_ROWS])
    assert len(found) == 5
    assert body["detail"] == "5 error(s); nothing was written"
    assert [e["index"] for e in body["errors"]] == [line - 2 for line, _, _ in found]
    assert Physician.objects.count() == before
    assert not AuditEvent.objects.filter(action="program.import").exists()


def test_an_unknown_column_is_refused_as_the_import_refuses_it(cast):
    rows = [{"physician_id": "P-1", "site": "North", "department": "Surgery", "phone": "1"}]
    response = upsert(cast, rows)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"index": None, "line": None, "column": "phone", "message": "unknown column"}
    ]


def test_a_required_column_missing_from_every_row_is_named(cast):
    response = upsert(cast, [{"physician_id": "P-1", "site": "North"}])
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "index": None,
            "line": None,
            "column": "department",
            "message": "required column is missing",
        }
    ]


@pytest.mark.parametrize(
    ("body", "column", "message"),
    [
        ({}, "physicians", "This field is required."),
        ({"physicians": "P-1"}, "physicians", 'Expected a list of items but got type "str".'),
        ({"physicians": ["P-1"]}, "-", "Invalid data. Expected a dictionary, but got str."),
        ({"physicians": [{"name": ["A"]}]}, "name", "Not a valid string."),
    ],
)
def test_a_body_that_is_not_rows_of_text_is_refused(cast, body, column, message):
    client = api_client(token_for(cast.director, "roster:write"))
    response = client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["column"], e["message"]) for e in errors] == [(column, message)]


def test_reading_the_roster_lists_the_columns_of_physicians_csv(cast):
    response = api_client(token_for(cast.director, "roster:read")).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == Physician.objects.count()
    first = body["results"][0]
    assert list(first) == [
        "physician_id",
        "site",
        "department",
        "started_on",
        "ended_on",
        "email",
        "name",
    ]
    ids = [row["physician_id"] for row in body["results"]]
    assert ids == sorted(ids)


def test_a_read_token_may_not_upsert(cast):
    response = upsert(
        cast, [{"physician_id": "P-1", "site": "North", "department": "Surgery"}], "roster:read"
    )
    assert response.status_code == 403
    assert not Physician.objects.filter(physician_id="P-1").exists()


def test_departments_list_what_the_director_sees_with_their_ids(cast):
    response = api_client(token_for(cast.director, "events:write")).get("/api/v1/departments/")
    assert response.status_code == 200
    assert [(d["id"], d["label"]) for d in response.json()] == [
        (cast.department_a.pk, "North/Emergency Medicine"),
        (cast.department_c.pk, "North/Surgery"),
        (cast.department_b.pk, "South/Emergency Medicine"),
    ]
