"""prism_notes.csv in export_program and import_program: the notes travel with the program,
and a bad row is refused with its file, line and column while nothing is written."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from post_program.models import AuditEvent
from reporting.models import PrismNote
from tests.factories import DepartmentFactory, SiteFactory
from tests.post_program.test_import_export import rejected, run_import

from .factories import PrismNoteFactory

pytestmark = pytest.mark.django_db

HEADER = "noted_on,domain,tag,site,department,text\n"


def notes() -> list[tuple]:
    return sorted(
        PrismNote.objects.values_list(
            "noted_on", "domain", "tag", "department__site__name", "department__name", "text"
        ),
        key=repr,
    )


def prism_file(folder: Path, content: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "prism_notes.csv").write_text(content, encoding="utf-8")
    return folder


@pytest.mark.django_db(transaction=True)
def test_exported_notes_imported_into_an_empty_program_are_the_same_notes(tmp_path):
    emergency = DepartmentFactory(site=SiteFactory(name="North"), name="Emergency Medicine")
    for domain, tag, noted_on, department, text in (
        ("infrastructure", "facilitator", "2021-03-04", None, "Rota posted, a comma\nand a line."),
        ("external_environment", "barrier", "2022-01-10", emergency, '=Surge: "no time" to talk.'),
        ("recipients_individual", "context", "2022-01-10", emergency, "New residents arrived."),
    ):
        PrismNoteFactory(
            domain=domain,
            tag=tag,
            noted_on=date.fromisoformat(noted_on),
            department=department,
            text=text,
        )
    before = notes()
    call_command("export_program", str(tmp_path / "first"), "--identified", stdout=io.StringIO())
    exported = (tmp_path / "first" / "prism_notes.csv").read_text()
    assert exported.splitlines()[0] == HEADER.strip()
    assert "'=Surge" in exported  # a spreadsheet shows it as text, not a formula

    call_command("flush", "--noinput")
    output = run_import(tmp_path / "first")
    assert "prism_notes.csv: 3 rows, 3 new, 0 updated, 0 unchanged" in output
    assert notes() == before
    # Importing the same file again finds every note present.
    assert "prism_notes.csv: 3 rows, 0 new, 0 updated, 3 unchanged" in run_import(
        tmp_path / "first"
    )
    assert notes() == before
    call_command("export_program", str(tmp_path / "second"), "--identified", stdout=io.StringIO())
    assert (tmp_path / "second" / "prism_notes.csv").read_text() == exported


def test_the_shareable_export_carries_the_notes_too(tmp_path):
    PrismNoteFactory(domain="infrastructure", tag="context", noted_on=date(2021, 1, 1), text="Q")
    call_command("export_program", str(tmp_path), stdout=io.StringIO())
    assert (tmp_path / "prism_notes.csv").read_text().splitlines()[1:] == [
        "2021-01-01,infrastructure,context,,,Q"
    ]


def test_notes_may_refer_to_a_department_of_the_same_import(tmp_path):
    (tmp_path / "departments.csv").write_text("site,department\nNorth,Surgery\n")
    prism_file(tmp_path, HEADER + "2021-05-01,infrastructure,barrier,North,Surgery,No room.\n")
    run_import(tmp_path)
    note = PrismNote.objects.get()
    assert (note.department.name, note.author, note.text) == ("Surgery", None, "No room.")


def test_bad_rows_are_refused_with_their_line_and_column_and_nothing_changes(tmp_path):
    DepartmentFactory(site=SiteFactory(name="North"), name="Surgery")
    PrismNoteFactory(domain="infrastructure", tag="context", noted_on=date(2021, 1, 1), text="Q")
    before = notes()
    content = HEADER + "\n".join(
        [
            "2021-05-01,infrastructure,barrier,North,Surgery,A good row.",
            "2021-05-01,culture,barrier,,,Unknown domain.",
            "2021-05-01,infrastructure,obstacle,,,Unknown tag.",
            "2021-02-30,infrastructure,barrier,,,Bad date.",
            "2021-05-01,infrastructure,barrier,North,Oncology,Unknown department.",
            "2021-05-01,infrastructure,barrier,North,,Site without department.",
            "2021-05-01,infrastructure,barrier,,,",
            "2021-05-01,infrastructure,barrier,North,Surgery,A good row.",
            "2021-05-02,context,barrier,,," + "x" * 1001,
        ]
    )
    errors = rejected(prism_file(tmp_path, content + "\n"))
    assert errors == [
        "prism_notes.csv:3: domain: 'culture' is not one of intervention_organisational, "
        "intervention_recipient, recipients_organisational, recipients_individual, "
        "infrastructure, external_environment",
        "prism_notes.csv:4: tag: 'obstacle' is not one of barrier, facilitator, context",
        "prism_notes.csv:5: noted_on: '2021-02-30' is not a date in the form YYYY-MM-DD",
        "prism_notes.csv:6: department: no department 'Oncology' at site 'North' in the "
        "database or in departments.csv",
        "prism_notes.csv:7: department: give both site and department, or neither "
        "(a program-wide note)",
        "prism_notes.csv:8: text: a value is required",
        "prism_notes.csv:9: noted_on, domain, tag, site, department, text: the same key as line 2",
        "prism_notes.csv:10: domain: 'context' is not one of intervention_organisational, "
        "intervention_recipient, recipients_organisational, recipients_individual, "
        "infrastructure, external_environment",
        "prism_notes.csv:10: text: longer than 1000 characters",
    ]
    assert notes() == before
    assert not AuditEvent.objects.filter(action="program.import").exists()


def test_two_identical_program_wide_rows_are_one_key(tmp_path):
    row = "2021-05-01,infrastructure,barrier,,,Same words.\n"
    assert rejected(prism_file(tmp_path, HEADER + row + row)) == [
        "prism_notes.csv:3: noted_on, domain, tag, site, department, text: the same key as line 2"
    ]
    assert not PrismNote.objects.exists()


def test_a_file_without_its_required_columns_is_refused(tmp_path):
    assert rejected(
        prism_file(tmp_path, "noted_on,domain,text\n2021-05-01,infrastructure,A\n")
    ) == ["prism_notes.csv:1: tag: required column is missing"]
