"""Import and export of the core's and training's files: all-or-nothing, keyed, round trip."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from post_program import import_export
from post_program.models import AuditEvent, Department, PeerSupporter, Physician
from tests.factories import UserFactory
from training.models import TrainingCompletion

pytestmark = pytest.mark.django_db

DEPARTMENTS = """site,department,launched_on,ended_on
North,Emergency Medicine,2019-06-01,
North,Surgery,,
South,Pediatrics,2020-01-15,2022-05-31
"""
PHYSICIANS = """physician_id,site,department,started_on,ended_on,email,name
P1,North,Emergency Medicine,,,ada@example.org,Ada One
P2,North,Emergency Medicine,2020-02-01,,bo@example.org,Bo Two
P3,South,Pediatrics,,2021-12-31,,Cy Three
"""
TRAINING = """physician_id,course,completed_on
P1,initial,2019-05-20
P1,refresher,2021-05-20
P2,refresher,2020-03-01
"""


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        (folder / f"{name}.csv").write_text(content, encoding="utf-8")
    return folder


def run_import(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_program", str(path), *args, stdout=out)
    return out.getvalue()


def rejected(path: Path) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_program", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def test_import_writes_all_files_and_trained_physicians_become_active_supporters(tmp_path):
    folder = write(tmp_path, departments=DEPARTMENTS, physicians=PHYSICIANS, training=TRAINING)
    output = run_import(folder)
    assert "physicians.csv: 3 rows, 3 new, 0 updated, 0 unchanged" in output
    assert Department.objects.get(name="Pediatrics").ended_on == date(2022, 5, 31)
    assert Physician.objects.get(physician_id="P2").started_on == date(2020, 2, 1)
    assert TrainingCompletion.objects.count() == 3
    # P1 finished an initial course: active supporter from that date. P2 only a refresher.
    supporter = PeerSupporter.objects.get()
    assert (supporter.physician.physician_id, supporter.activated_on) == ("P1", date(2019, 5, 20))
    assert supporter.status == PeerSupporter.Status.ACTIVE
    assert AuditEvent.objects.filter(action="program.import").count() == 1


def test_importing_the_same_files_again_changes_nothing(tmp_path):
    folder = write(tmp_path, departments=DEPARTMENTS, physicians=PHYSICIANS, training=TRAINING)
    run_import(folder)
    output = run_import(folder)
    for name, rows in [("departments.csv", 3), ("physicians.csv", 3), ("training.csv", 3)]:
        assert f"{name}: {rows} rows, 0 new, 0 updated, {rows} unchanged" in output
    assert Physician.objects.count() == 3 and PeerSupporter.objects.count() == 1


def test_a_refreshed_roster_updates_in_place_even_when_emails_move(tmp_path):
    run_import(write(tmp_path / "a", departments=DEPARTMENTS, physicians=PHYSICIANS))
    refreshed = """physician_id,site,department,started_on,ended_on,email,name
P1,North,Surgery,,2024-01-31,bo@example.org,Ada One
P2,North,Emergency Medicine,2020-02-01,,ada@example.org,Bo Two
"""
    output = run_import(write(tmp_path / "b", physicians=refreshed))
    assert "physicians.csv: 2 rows, 0 new, 2 updated, 0 unchanged" in output
    p1 = Physician.objects.get(physician_id="P1")
    assert (p1.department.name, p1.ended_on, p1.email) == (
        "Surgery",
        date(2024, 1, 31),
        "bo@example.org",
    )
    assert Physician.objects.get(physician_id="P2").email == "ada@example.org"
    assert Physician.objects.count() == 3  # P3 is not in the refresh and stays


def test_new_roster_entry_is_linked_to_an_existing_account(tmp_path):
    user = UserFactory(email="ada@example.org")
    run_import(write(tmp_path, departments=DEPARTMENTS, physicians=PHYSICIANS))
    assert Physician.objects.get(physician_id="P1").user == user


def test_every_error_is_reported_with_file_line_and_column_and_nothing_is_written(tmp_path):
    departments = """site,department,launched_on,ended_on
North,Emergency Medicine,2019-06-31,
North,Surgery,,2020-01-01
North,Emergency Medicine,,
"""
    physicians = """physician_id,site,department,started_on,ended_on,email,name
P1,North,Oncology,,,a@example.org,A
P2,North,Surgery,2021-01-01,2020-01-01,a@example.org,B
,North,Surgery,,,,C
"""
    training = """physician_id,course,completed_on
P9,initial,2020-01-01
P1,advanced,2020-01-01
P1,initial,
"""
    errors = rejected(
        write(tmp_path, departments=departments, physicians=physicians, training=training)
    )
    assert errors == [
        "departments.csv:2: launched_on: '2019-06-31' is not a date in the form YYYY-MM-DD",
        "departments.csv:3: ended_on: a department cannot end without having launched",
        "departments.csv:4: site, department: the same key as line 2",
        "physicians.csv:2: department: no department 'Oncology' at site 'North' in the "
        "database or in departments.csv",
        "physicians.csv:3: ended_on: is before started_on",
        "physicians.csv:3: email: already belongs to physician P1",
        "physicians.csv:4: physician_id: a value is required",
        "training.csv:2: physician_id: no such physician in the database or in physicians.csv",
        "training.csv:3: course: 'advanced' is not one of initial, refresher",
        "training.csv:4: completed_on: a value is required",
    ]
    assert not Department.objects.exists()
    assert not Physician.objects.exists()
    assert not AuditEvent.objects.filter(action="program.import").exists()


def test_header_problems_are_errors(tmp_path):
    errors = rejected(
        write(tmp_path, physicians="physician_id,site,department,shoe_size\nP1,North,A,42\n")
    )
    assert errors == ["physicians.csv:1: shoe_size: unknown column"]
    errors = rejected(write(tmp_path / "b", physicians="physician_id,site\nP1,North\n"))
    assert errors == ["physicians.csv:1: department: required column is missing"]


def test_unknown_files_and_bad_encoding_are_refused(tmp_path):
    folder = write(tmp_path, roster="a,b\n1,2\n")
    assert rejected(folder) == [
        "roster.csv:1: -: not one of the program files (departments.csv, physicians.csv"
        + "".join(f", {spec.name}" for spec in import_export.file_specs()[2:])
        + ")"
    ]
    bad = tmp_path / "latin"
    bad.mkdir()
    (bad / "departments.csv").write_bytes("site,department\nZürich,Notfall\n".encode("latin-1"))
    assert rejected(bad)[0].startswith("departments.csv:1: -: not UTF-8 text")


def test_bom_and_database_references_are_accepted(tmp_path):
    run_import(write(tmp_path / "a", departments=DEPARTMENTS))
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "physicians.csv").write_bytes(("\ufeff" + PHYSICIANS).encode("utf-8"))
    run_import(tmp_path / "b")
    assert Physician.objects.count() == 3


def test_dry_run_counts_but_writes_nothing(tmp_path):
    output = run_import(write(tmp_path, departments=DEPARTMENTS), "--dry-run")
    assert "departments.csv: 3 rows, 3 new" in output and "nothing was written" in output
    assert not Department.objects.exists()


def test_xlsx_workbook_with_typed_cells(tmp_path):
    workbook = Workbook()
    departments = workbook.active
    departments.title = "departments"
    departments.append(["site", "department", "launched_on", "ended_on"])
    departments.append(["North", "Emergency Medicine", date(2019, 6, 1), None])
    physicians = workbook.create_sheet("physicians")
    physicians.append(["physician_id", "site", "department", "started_on"])
    physicians.append([1001, "North", "Emergency Medicine", date(2020, 1, 2)])
    physicians.append([1002, "North", "Nowhere", "2020-13-01"])
    path = tmp_path / "history.xlsx"
    workbook.save(path)
    assert rejected(path) == [
        "history.xlsx[physicians]:3: started_on: '2020-13-01' is not a date in the form YYYY-MM-DD",
        "history.xlsx[physicians]:3: department: no department 'Nowhere' at site 'North' in the "
        "database or in departments.csv",
    ]
    physicians.delete_rows(3)
    workbook.save(path)
    run_import(path)
    assert Physician.objects.get(physician_id="1001").started_on == date(2020, 1, 2)


def test_export_leaves_out_names_and_emails_unless_identified(tmp_path):
    run_import(write(tmp_path / "in", departments=DEPARTMENTS, physicians=PHYSICIANS))
    call_command("export_program", str(tmp_path / "plain"), stdout=io.StringIO())
    plain = (tmp_path / "plain" / "physicians.csv").read_text()
    assert plain.splitlines()[0] == "physician_id,site,department,started_on,ended_on"
    assert "ada@example.org" not in plain and "Ada One" not in plain
    call_command("export_program", str(tmp_path / "full"), "--identified", stdout=io.StringIO())
    assert (
        "P1,North,Emergency Medicine,,,ada@example.org,Ada One"
        in (tmp_path / "full" / "physicians.csv").read_text()
    )
    assert AuditEvent.objects.filter(action="program.export").count() == 2


@pytest.mark.django_db(transaction=True)
def test_export_imports_into_an_empty_database_and_comes_out_identical(tmp_path):
    run_import(
        write(tmp_path / "in", departments=DEPARTMENTS, physicians=PHYSICIANS, training=TRAINING)
    )
    call_command("export_program", str(tmp_path / "first"), "--identified", stdout=io.StringIO())
    call_command("flush", "--noinput")
    run_import(tmp_path / "first")
    call_command("export_program", str(tmp_path / "second"), "--identified", stdout=io.StringIO())
    for path in sorted((tmp_path / "first").iterdir()):
        assert path.read_text() == (tmp_path / "second" / path.name).read_text(), path.name


def test_the_command_exits_with_status_1_and_lists_errors_on_stderr(tmp_path):
    from tests.post_program.test_platform import _manage

    folder = write(tmp_path, departments="site,department,launched_on\nNorth,A,someday\n")
    result = _manage(
        "import_program",
        str(folder),
        DJANGO_SETTINGS_MODULE="post_program.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode == 1
    assert "departments.csv:2: launched_on: 'someday' is not a date" in result.stderr
    assert "nothing was written" in result.stderr


def test_columns_a_file_leaves_out_keep_their_fields(tmp_path):
    run_import(write(tmp_path / "a", departments=DEPARTMENTS, physicians=PHYSICIANS))
    before = list(Physician.objects.order_by("pk").values())
    departments_before = list(Department.objects.order_by("pk").values())
    without_names = """physician_id,site,department,ended_on
P1,North,Emergency Medicine,
P2,North,Emergency Medicine,
"""
    output = run_import(
        write(
            tmp_path / "b",
            departments="site,department\nNorth,Emergency Medicine\n",
            physicians=without_names,
        )
    )
    assert "departments.csv: 1 rows, 0 new, 0 updated, 1 unchanged" in output
    assert "physicians.csv: 2 rows, 0 new, 0 updated, 2 unchanged" in output
    assert list(Physician.objects.order_by("pk").values()) == before
    assert list(Department.objects.order_by("pk").values()) == departments_before
    # A column the file has, empty, is no value: it clears the field.
    run_import(
        write(
            tmp_path / "c",
            physicians="physician_id,site,department,name\nP1,North,Emergency Medicine,\n",
        )
    )
    assert Physician.objects.get(physician_id="P1").name == ""


def test_a_known_course_does_not_make_a_supporter_again(tmp_path):
    folder = write(tmp_path, departments=DEPARTMENTS, physicians=PHYSICIANS, training=TRAINING)
    run_import(folder)
    PeerSupporter.objects.all().delete()  # e.g. trained, but the program did not take them on
    assert "training.csv: 3 rows, 0 new, 0 updated, 3 unchanged" in run_import(folder)
    assert not PeerSupporter.objects.exists()
