"""Every column of every program file, driven with hostile values (huge, NUL, control
characters, unicode, formulas, wrong types): the import either writes the row or reports
`FILE:LINE: COLUMN: message` errors and writes nothing; it never raises anything else."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from post_program import import_export
from post_program.models import AuditEvent

from .test_import_export import DEPARTMENTS, PHYSICIANS, TRAINING

pytestmark = pytest.mark.django_db

EMERGENCY = {"site": "North", "department": "Emergency Medicine"}
# One valid row per file, over the program set up below; a test spoils one column of it.
VALID = {
    "departments.csv": {**EMERGENCY, "launched_on": "2019-06-01", "ended_on": ""},
    "physicians.csv": {
        "physician_id": "P1",
        **EMERGENCY,
        "started_on": "2019-01-01",
        "ended_on": "",
        "email": "ada@example.org",
        "name": "Ada One",
    },
    "training.csv": {"physician_id": "P1", "course": "initial", "completed_on": "2019-05-20"},
    "referrals.csv": {
        "referral_id": "R-9",
        "received_at": "2021-03-04T09:15:00-08:00",
        "source": "self",
        "physician_id": "P2",
        **EMERGENCY,
        "assigned_to": "P1",
        "first_contact_at": "2021-03-04T20:00:00-08:00",
        "closed_at": "2021-03-20T10:00:00-07:00",
        "outcome": "supported",
    },
    "interactions.csv": {
        "interaction_id": "I-9",
        "occurred_on": "2021-03-05",
        "supporter_id": "P1",
        "physician_id": "P2",
        **EMERGENCY,
        "duration_minutes": "30",
        "successful": "yes",
        "source": "proactive",
        "modality": "phone",
        "escalated": "no",
        "referral_id": "",
    },
    "survey_responses.csv": {
        "response_id": "A9",
        "survey": "program_evaluation",
        "submitted_on": "2021-06-01",
        **EMERGENCY,
        "question": "aware_of_program",
        "answer": "yes",
    },
    "prism_notes.csv": {
        "noted_on": "2021-04-01",
        "domain": "infrastructure",
        "tag": "barrier",
        **EMERGENCY,
        "text": "Rota changes left little time.",
    },
}
COLUMNS = [
    (spec.name, column.name) for spec in import_export.file_specs() for column in spec.columns
]

HOSTILE = st.one_of(
    st.text(max_size=40),  # any unicode, control characters and NUL included
    st.text(alphabet=st.characters(max_codepoint=0x1F), max_size=10),
    st.sampled_from(
        [
            "x" * 200_000,
            "é" * 201,
            "\x00",
            "Ada\x00One",
            "\u202eevil",
            "\ufeff",
            "\U0001d518\u00e9\u4e2d\u0627\u200d",
            '=HYPERLINK("http://x")',
            "'=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            "1e309",
            "9" * 5000,
            "NaN",
            "yes",
            "0",
            "2021-02-30",
            "0001-01-01",
            "9999-12-31",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-12:00",
            "2021-03-04T09:15:00",
            "pseudonym:" + "0" * 64,
            "P1",
            "",
        ]
    ),
)


def snapshot() -> dict[str, list[str]]:
    """Every row of every table but the audit trail, read with plain SQL to stay quick."""
    tables = set(connection.introspection.table_names()) - {AuditEvent._meta.db_table}
    with connection.cursor() as cursor:
        rows = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows[table] = sorted(repr(row) for row in cursor.fetchall())
    return rows


def as_csv(row: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(row)
    writer.writerow(row.values())
    return buffer.getvalue().encode()


@pytest.fixture
def program(db):
    specs = import_export.file_specs()
    uploads = {
        "departments.csv": DEPARTMENTS,
        "physicians.csv": PHYSICIANS,
        "training.csv": TRAINING,
    }
    files = import_export.read_files({k: v.encode() for k, v in uploads.items()}, specs)
    import_export.import_files(files)


def test_every_column_of_every_file_has_a_valid_row():
    assert sorted((name, column) for name, row in VALID.items() for column in row) == sorted(
        COLUMNS
    )


@pytest.mark.parametrize(("file_name", "column"), COLUMNS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=HOSTILE)
def test_a_hostile_cell_is_written_or_refused_never_half_done(program, file_name, column, value):
    row = {**VALID[file_name], column: value}
    before = snapshot()
    try:
        files = import_export.read_files({file_name: as_csv(row)}, import_export.file_specs())
        import_export.import_files(files)
    except import_export.ImportRejected as rejected:
        assert rejected.errors and all(
            str(error).startswith(f"{file_name}:") for error in rejected.errors
        )
        assert snapshot() == before
