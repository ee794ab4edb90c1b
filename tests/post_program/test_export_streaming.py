"""The export streams: a fixed number of queries however many rows, each file fetched in chunks
and written as they arrive, the same files whatever the chunk size."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from post_program import import_export
from surveys.services import instruments_ensure_builtin
from tests.post_program.test_import_export import write

pytestmark = pytest.mark.django_db

SITE = "North,Emergency Medicine"
PSEUDONYM = "pseudonym:" + "ab" * 32


def program_files(rows: int) -> dict[str, str]:
    """Every file with `rows` rows (one department), written as the export writes them, in its
    order: every third case de-identified, every other interaction linked to its referral."""
    ids = [f"{i:02}" for i in range(1, rows + 1)]

    def table(header: str, lines: list[str]) -> str:
        return "\n".join([header, *lines]) + "\n"

    def physician(i: int, n: str) -> str:
        return PSEUDONYM if i % 3 == 0 else f"P{n}"

    return {
        "departments": table("site,department,launched_on,ended_on", [f"{SITE},2019-06-01,"]),
        "physicians": table(
            "physician_id,site,department,started_on,ended_on,email,name",
            [f"P00,{SITE},,,p00@example.org,Sam Supporter"]
            + [f"P{n},{SITE},2020-02-01,,p{n}@example.org,Name {n}" for n in ids],
        ),
        "training": table("physician_id,course,completed_on", ["P00,initial,2019-05-20"]),
        "referrals": table(
            "referral_id,received_at,source,physician_id,site,department,assigned_to,"
            "first_contact_at,closed_at,outcome",
            [
                f"R-{n},2021-03-{n}T09:15:00+00:00,self,{physician(i, n)},{SITE},P00,"
                f"2021-03-{n}T10:00:00+00:00,2021-03-{n}T12:00:00+00:00,supported"
                for i, n in enumerate(ids, start=1)
            ],
        ),
        "interactions": table(
            "interaction_id,occurred_on,supporter_id,physician_id,site,department,"
            "duration_minutes,successful,source,modality,escalated,referral_id",
            [
                f"I-{n},2021-04-{n},P00,{physician(i, n)},{SITE},30,yes,"
                + (f"self,phone,no,R-{n}" if i % 2 == 0 else "proactive,in_person,no,")
                for i, n in enumerate(ids, start=1)
            ],
        ),
        "survey_responses": table(
            "response_id,survey,submitted_on,site,department,question,answer",
            [f"W{n},wellbeing,2021-07-01,{SITE},who5_1,3" for n in ids],
        ),
    }


def load_program(folder: Path, rows: int) -> dict[str, str]:
    instruments_ensure_builtin()
    files = program_files(rows)
    call_command("import_program", str(write(folder, **files)), stdout=io.StringIO())
    return files


@pytest.mark.parametrize("identified", [False, True], ids=["shareable", "identified"])
def test_the_export_runs_the_same_queries_for_3_rows_as_for_30(tmp_path, identified):
    counts = []
    for rows in (3, 30):
        load_program(tmp_path / f"in-{rows}", rows)
        folder = tmp_path / f"out-{rows}"
        with CaptureQueriesContext(connection) as queries:
            written = import_export.export_to_folder(folder, identified=identified)
        assert written["interactions.csv"] == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_export_fetches_in_chunks_and_writes_every_row(tmp_path, monkeypatch):
    files = load_program(tmp_path / "in", 7)
    monkeypatch.setattr(import_export, "EXPORT_CHUNK_SIZE", 2)
    iterated = []
    iterator = QuerySet.iterator

    def recording(queryset, chunk_size=None):
        iterated.append((queryset.model.__name__, chunk_size))
        return iterator(queryset, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", recording)
    written = import_export.export_to_folder(tmp_path / "out", identified=True)
    for model in ("Department", "Physician", "TrainingCompletion", "Referral", "Interaction"):
        assert (model, 2) in iterated
    for name, content in files.items():
        exported = (tmp_path / "out" / f"{name}.csv").read_text(encoding="utf-8")
        assert exported.splitlines() == content.splitlines(), name
        assert written[f"{name}.csv"] == len(content.splitlines()) - 1
