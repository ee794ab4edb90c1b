"""Importing the program's own export back into the same database changes nothing: every row of
every model is as it was, and the import says every row is unchanged."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from post_program.models import AuditEvent

TODAY = "2026-06-30"


def snapshot() -> dict[str, list[dict]]:
    """Every row of every model, as dicts; the audit trail grows by design (export, import)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model is not AuditEvent
    }


def assert_all_unchanged(output: str) -> None:
    lines = re.findall(
        r"^(\S+): (\d+) rows, (\d+) new, (\d+) updated, (\d+) unchanged$", output, re.M
    )
    assert lines, output
    for name, rows, new, updated, unchanged in lines:
        assert (new, updated, unchanged) == ("0", "0", rows), f"{name}: {output}"


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--today", TODAY, stdout=io.StringIO())


@pytest.mark.parametrize("identified", [False, True], ids=["shareable", "identified"])
def test_reimporting_an_export_changes_nothing(demo, tmp_path, identified):
    before = snapshot()
    call_command(
        "export_program",
        str(tmp_path),
        *(["--identified"] if identified else []),
        stdout=io.StringIO(),
    )
    out = io.StringIO()
    call_command("import_program", str(tmp_path), stdout=out)
    assert_all_unchanged(out.getvalue())
    after = snapshot()
    for label in before:
        assert after[label] == before[label], label
