"""Hostile files: an oversized cell, a value longer than its field, a NUL byte, a workbook that
unpacks to hundreds of megabytes. Each is a `FILE:LINE: COLUMN: message` error, from the shell
and over the web, and nothing is written."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from post_program import import_export
from post_program.models import Department, ImportJob, Physician

from .test_import_export import DEPARTMENTS, rejected, write

pytestmark = pytest.mark.django_db

HEADER = "physician_id,site,department,email,name\n"
HOSTILE = [
    (
        "x" * 200_000,
        "physicians.csv:2: -: a cell is longer than 131072 characters",
    ),
    ("x" * 201, "physicians.csv:2: name: longer than 200 characters"),
    ("Ada\x00One", "physicians.csv:2: name: contains a NUL character"),
]
IDS = ["huge cell", "longer than its field", "NUL byte"]


def physicians_with_name(name: str) -> str:
    return f'{HEADER}P1,North,Emergency Medicine,ada@example.org,"{name}"\n'


@pytest.mark.parametrize(("name", "error"), HOSTILE, ids=IDS)
def test_hostile_cells_are_errors_from_the_shell(tmp_path, name, error):
    folder = write(tmp_path, departments=DEPARTMENTS, physicians=physicians_with_name(name))
    assert rejected(folder) == [error]
    assert not Department.objects.exists() and not Physician.objects.exists()


@pytest.mark.parametrize(("name", "error"), HOSTILE, ids=IDS)
def test_hostile_cells_are_errors_over_the_web(
    cast, django_capture_on_commit_callbacks, name, error
):
    client = cast.client("director")
    uploads = [
        SimpleUploadedFile("departments.csv", DEPARTMENTS.encode()),
        SimpleUploadedFile("physicians.csv", physicians_with_name(name).encode()),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_start"), {"files": uploads})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "1 error found. Nothing was written." in page
    assert error.split(": ", 1)[0] in page
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED and job.files == {}
    assert not Department.objects.filter(name="Pediatrics").exists()
    assert not Physician.objects.filter(physician_id="P1").exists()


def workbook_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "departments"
    sheet.append(["site", "department"])
    sheet.append(["North", "Emergency Medicine"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_that_unpacks_to_hundreds_of_megabytes_is_refused_unread(tmp_path, monkeypatch):
    buffer = io.BytesIO(workbook_bytes())
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as bomb,
        bomb.open("xl/padding.xml", "w") as member,
    ):
        for _ in range(400):
            member.write(b" " * (1 << 20))
    assert len(buffer.getvalue()) < 2 * (1 << 20)

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = tmp_path / "history.xlsx"
    path.write_bytes(buffer.getvalue())
    assert rejected(path) == [
        "history.xlsx:1: -: unpacks to 400 MB; a workbook may unpack to 100 MB at most"
    ]


def test_a_sheet_beyond_the_row_and_column_bounds_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(import_export, "MAX_ROWS", 3)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "departments"
    sheet.append(["site", "department"])
    for number in range(4):
        sheet.append(["North", f"Department {number}"])
    wide = workbook.create_sheet("physicians")
    wide.append(["physician_id"])
    wide.cell(row=2, column=import_export.MAX_COLUMNS + 1, value="far")
    path = tmp_path / "history.xlsx"
    workbook.save(path)
    assert rejected(path) == [
        "history.xlsx[departments]:5: -: more than 3 rows",
        f"history.xlsx[physicians]:2: -: more than {import_export.MAX_COLUMNS} columns",
    ]
    csv_path = write(
        tmp_path / "csv",
        departments="site,department\n" + "".join(f"North,D{n}\n" for n in range(4)),
    )
    assert rejected(csv_path) == ["departments.csv:5: -: more than 3 rows"]
    assert not Department.objects.exists()


def test_a_check_that_fails_unexpectedly_keeps_no_file(
    cast, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("P1 Ada One")  # whatever it says stays out of the log

    monkeypatch.setattr(import_export, "import_files", broken)
    client = cast.client("director")
    upload = SimpleUploadedFile("departments.csv", DEPARTMENTS.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("import_start"), {"files": [upload]})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and job.files == {}
    assert "Failed" in client.get(response["Location"]).content.decode()
