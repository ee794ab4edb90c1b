"""`export_program --identified` is the full-fidelity round trip: the demo, exported and
imported into an empty database, gives the same report for any period of whole months, for
the program and for a site (survey responses keep only their month, so whole months are what
the report can rely on)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from surveys.services import instruments_ensure_builtin

TODAY = "2026-06-30"
SITE = "Northbay Medical Center"
PERIODS = [("2023-07-01", "2026-06-30"), ("2025-11-01", "2026-02-28"), ("2024-03-01", "2024-03-31")]


def _report(start: str, end: str, *scope: str) -> dict:
    out = io.StringIO()
    call_command(
        "reaim_report", "--start", start, "--end", end, "--format", "json", *scope, stdout=out
    )
    data = json.loads(out.getvalue())
    data.pop("generated_at")
    data.pop("prism")  # PRISM notes are not program files (docs/data-formats.md)
    return data


def _reports() -> list[dict]:
    return [
        _report(start, end, *scope) for start, end in PERIODS for scope in ((), ("--site", SITE))
    ]


@pytest.mark.django_db(transaction=True)
def test_the_identified_export_gives_the_same_report_for_whole_months(tmp_path):
    call_command("seed_demo", "--today", TODAY, stdout=io.StringIO())
    before = _reports()
    assert before[0]["effectiveness"]["recipient_feedback"]["would_recommend"]["respondents"] > 0
    call_command("export_program", str(tmp_path), "--identified", stdout=io.StringIO())
    call_command("flush", "--noinput")
    instruments_ensure_builtin()  # created by a migration: part of an empty database
    call_command("import_program", str(tmp_path), stdout=io.StringIO())
    assert _reports() == before
