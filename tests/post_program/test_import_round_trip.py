"""Importing the program's own export back into the same database, from the shell or the web,
changes nothing: every row of every model is as it was, and the import says every row is
unchanged."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from post_program.demo import ACCOUNTS
from post_program.models import AuditEvent, ImportJob, User


def snapshot() -> dict[str, list[dict]]:
    """Every row of every model, as dicts; the audit trail, the web import's job and the
    director's session grow by design."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model not in (AuditEvent, ImportJob, Session)
    }


def assert_all_unchanged(output: str) -> None:
    lines = re.findall(
        r"^(\S+): (\d+) rows, (\d+) new, (\d+) updated, (\d+) unchanged$", output, re.M
    )
    assert lines, output
    for name, rows, new, updated, unchanged in lines:
        assert (new, updated, unchanged) == ("0", "0", rows), f"{name}: {output}"


@pytest.mark.parametrize("identified", [False, True], ids=["shareable", "identified"])
def test_reimporting_an_export_changes_nothing(
    demo_program, tmp_path, identified, client, django_capture_on_commit_callbacks
):
    client.force_login(User.objects.get(email=ACCOUNTS[0][1]))  # the demo's director
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

    uploads = [SimpleUploadedFile(path.name, path.read_bytes()) for path in tmp_path.iterdir()]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_start"), {"files": uploads})
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_confirm", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.errors
    for name, counts in job.counts.items():
        assert (counts["created"], counts["updated"]) == (0, 0), name
        assert counts["unchanged"] == counts["rows"], name
    after = snapshot()
    for label in before:
        assert after[label] == before[label], label
