"""`manage.py reaim_report`: the options of the metrics contract, every format, and clear
errors for bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from post_program.models import AuditEvent
from reporting.report import ReAimReport, period_parse, scope_resolve


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("reaim_report", *args, stdout=out)
    return out.getvalue()


def test_json_to_standard_output_is_the_contract(program):
    data = json.loads(run("--start", "2020-01-01", "--end", "2020-12-31"))
    assert list(data)[:9] == [
        "period",
        "scope",
        "generated_at",
        "suppression",
        "reach",
        "effectiveness",
        "adoption",
        "implementation",
        "maintenance",
    ]
    assert "by_department" in data and "prism" in data
    assert data["period"] == {"start": "2020-01-01", "end": "2020-12-31"}
    assert data["scope"] == {"sites": [], "departments": []}
    assert data["suppression"] == {"threshold": None}
    expected = ReAimReport(period=period_parse("2020-01-01", "2020-12-31")).data
    for section in ("reach", "effectiveness", "adoption", "implementation", "maintenance"):
        assert data[section] == expected[section]
    assert data["implementation"]["referrals"]["by_source"] == {
        "self": 3,
        "third_party": 2,
        "event": 1,
    }
    audit = AuditEvent.objects.get(action="reporting.report.command")
    assert audit.actor is None
    assert audit.detail["format"] == "json" and audit.detail["threshold"] is None


def test_scope_and_suppression_options(program):
    data = json.loads(
        run(
            "--start",
            "2020-01-01",
            "--end",
            "2020-12-31",
            "--department",
            "North/Emergency Medicine",
            "--department",
            "South/Emergency Medicine",
            "--suppress-below",
            "5",
        )
    )
    assert data["scope"]["departments"] == [
        "North/Emergency Medicine",
        "South/Emergency Medicine",
    ]
    assert data["suppression"] == {"threshold": 5}
    # Sources: self 2 (A), third_party 1 (B), event 1 (A): all below 5.
    assert data["implementation"]["referrals"]["by_source"] == {
        "self": None,
        "third_party": None,
        "event": None,
        "suppressed": ["self", "third_party", "event"],
    }
    # The stand-alone counts of care go too (4 referrals, 4 interactions); the roster stays.
    assert data["implementation"]["referrals"]["received"] is None
    assert data["reach"]["successful_interactions"] is None
    assert data["implementation"]["duration_minutes"]["median"] is None
    assert data["reach"]["eligible_physicians"] == 18
    site = json.loads(run("--start", "2020-01-01", "--end", "2020-12-31", "--site", "North"))
    assert site["scope"] == {"sites": ["North"], "departments": []}
    assert [r["department"] for r in site["by_department"]] == ["Emergency Medicine", "Surgery"]


def test_department_list_takes_several_values_after_one_option(program):
    data = json.loads(
        run(
            "--start",
            "2020-01-01",
            "--end",
            "2020-12-31",
            "--department",
            "North/Surgery",
            "South/Emergency Medicine",
        )
    )
    assert data["scope"]["departments"] == ["North/Surgery", "South/Emergency Medicine"]


def test_csv_to_standard_output(program):
    rows = list(
        csv.reader(
            io.StringIO(run("--start", "2020-01-01", "--end", "2020-12-31", "--format", "csv"))
        )
    )
    assert rows[0] == ["dimension", "metric", "scope", "value", "numerator", "denominator"]
    assert ["reach", "eligible_physicians", "Program", "41", "", ""] in rows


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_binary_formats_to_a_file(program, tmp_path, fmt):
    path = tmp_path / f"report.{fmt}"
    run("--start", "2020-01-01", "--end", "2020-12-31", "--format", fmt, "--output", str(path))
    content = path.read_bytes()
    if fmt == "pdf":
        assert content.startswith(b"%PDF")
    else:
        workbook = load_workbook(io.BytesIO(content))
        assert "Reach" in workbook.sheetnames


def test_json_to_a_file(program, tmp_path):
    path = tmp_path / "report.json"
    assert run("--start", "2020-01-01", "--end", "2020-12-31", "--output", str(path)) == ""
    assert json.loads(path.read_text())["reach"]["eligible_physicians"] == 41


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--end", "2020-12-31"], "the following arguments are required: --start"),
        (
            ["--start", "2020-02-30", "--end", "2020-12-31"],
            "start date '2020-02-30' is not a valid date",
        ),
        (
            ["--start", "2020-01-01", "--end", "31/12/2020"],
            "end date '31/12/2020' is not a valid date",
        ),
        (
            ["--start", "2021-01-01", "--end", "2020-12-31"],
            "the start 2021-01-01 is after the end 2020-12-31",
        ),
        (
            ["--start", "2020-01-01", "--end", "9999-12-31"],
            "the end 9999-12-31 is after 2999-12-31, the last day a report covers",
        ),
        (
            ["--start", "0001-01-01", "--end", "2020-12-31"],
            "the start 0001-01-01 is before 1900-01-01, the first day a report covers",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--site", "East"],
            "unknown site 'East' (sites: North, South)",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--department", "Emergency Medicine"],
            "unknown department 'Emergency Medicine' (write it as SITE/DEPARTMENT",
        ),
        (
            [
                "--start",
                "2020-01-01",
                "--end",
                "2020-12-31",
                "--site",
                "South",
                "--department",
                "North/Surgery",
            ],
            "not in the site South",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--suppress-below", "0"],
            "--suppress-below must be a whole number of 1 or more",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--suppress-below", "ten"],
            "invalid int value: 'ten'",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--format", "docx"],
            "invalid choice: 'docx'",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--format", "pdf"],
            "--format pdf is binary: give --output FILE",
        ),
        (
            ["--start", "2020-01-01", "--end", "2020-12-31", "--output", "/nonexistent/dir/r.json"],
            "cannot write /nonexistent/dir/r.json",
        ),
    ],
)
def test_bad_input_gives_a_clear_error(program, args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)
    assert not AuditEvent.objects.filter(action="reporting.report.command").exists()


def test_scope_resolution_matches_the_dashboard_filter(program):
    assert scope_resolve(site="North").department_ids == frozenset(
        {program.department_a.pk, program.department_c.pk}
    )
