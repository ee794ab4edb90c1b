"""The four export formats carry the same numbers as each other and as the dashboard."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.render import render
from reporting.render.display import DIMENSION_LABELS, display_number
from reporting.render.tidy import TIDY_HEADER, tidy_rows
from reporting.report import SECTIONS, ReAimReport, period_parse, scope_for, scope_resolve

from .conftest import PERIOD
from .test_dashboards import cells


def build(threshold=None, **scope) -> ReAimReport:
    return ReAimReport(
        period=period_parse("2020-01-01", "2020-12-31"),
        scope=scope_resolve(**scope),
        threshold=threshold,
    )


def flat(data: dict) -> dict[str, object]:
    """JSON numbers by tidy name: {"reach.eligible_physicians": 41, ...}."""
    out = {}
    for section in SECTIONS:
        for row in tidy_rows_from_json(data[section], section):
            out.update(row)
    return out


def tidy_rows_from_json(node, prefix):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "suppressed":
                continue
            yield from tidy_rows_from_json(value, f"{prefix}.{key}")
    elif isinstance(node, list):
        for entry in node:
            window = f"{entry['from']}..{entry['to']}"
            rest = {k: v for k, v in entry.items() if k not in ("from", "to")}
            yield from tidy_rows_from_json(rest, f"{prefix}.{window}")
    else:
        yield {prefix: node}


def same(written, value) -> bool:
    """Spreadsheets keep 15-16 significant digits of a float; everything else is exact."""
    if isinstance(value, float) and isinstance(written, float):
        return written == pytest.approx(value, rel=1e-14)
    return written == value


def csv_values(text: str) -> dict[str, str]:
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == TIDY_HEADER
    return {
        f"{dimension}.{metric}" if dimension != "by_department" else f"{scope}:{metric}": value
        for dimension, metric, scope, value, _, _ in reader
    }


def as_csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@pytest.mark.parametrize("threshold", [None, 11])
def test_json_csv_xlsx_and_pdf_agree(program, threshold):
    report = build(threshold)
    documents = {fmt: render(report, fmt)[0] for fmt in ("json", "csv", "xlsx", "pdf")}
    data = json.loads(documents["json"])
    assert data == json.loads(json.dumps(report.data))
    expected = flat(data)
    assert expected["reach.eligible_physicians"] == 41

    # CSV: the same value for every number, written in full.
    from_csv = csv_values(documents["csv"].decode())
    suppressed = {f"{r.dimension}.{r.metric}" for r in tidy_rows(report) if r.suppressed}
    for name, value in expected.items():
        written = "suppressed" if name in suppressed else as_csv_text(value)
        assert from_csv[name] == written, name
    if threshold:
        assert suppressed  # the small cells of this program are hidden
        assert from_csv["implementation.referrals.outcomes.supported"] == "suppressed"

    # XLSX: one sheet per dimension with the same values, each figure named by its label, and
    # the by-department sheet.
    workbook = load_workbook(io.BytesIO(documents["xlsx"]))
    by_label = {(r.dimension, r.label): f"{r.dimension}.{r.metric}" for r in tidy_rows(report)}
    for section in SECTIONS:
        sheet = workbook[DIMENSION_LABELS[section]]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == ("Figure", "Value", "Numerator", "Denominator", "What it means")
        for label, value, _, _, definition in rows[1:]:
            name = by_label[section, label]
            assert same(value, "suppressed" if name in suppressed else expected[name]), name
            assert definition
        assert len(rows) - 1 == sum(1 for k in expected if k.startswith(f"{section}."))
    by_department = list(workbook["By department"].iter_rows(values_only=True))
    header = by_department[0]
    assert header[:5] == (
        "Site",
        "Department",
        "Launched on",
        "Taking part",
        "Physicians on the roster",
    )
    for row, shown in zip(by_department[1:], data["by_department"], strict=True):
        values = dict(zip(header, row, strict=True))
        assert values["Department"] == shown["department"]
        for column, key in (
            ("Physicians on the roster", "physicians"),
            ("Physician-years", "physician_years"),
            ("Trained peer supporters", "supporters_trained"),
        ):
            assert same(values[column], "suppressed" if shown[key] is None else shown[key]), key
    assert {"Trend", "PRISM context", "Definitions", "Report"} <= set(workbook.sheetnames)
    prism = list(workbook["PRISM context"].iter_rows(values_only=True))
    assert len(prism) - 1 == len(data["prism"]) == 3

    # PDF: each number is printed after its label, as the dashboard shows it.
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(documents["pdf"])).pages)
    lines = set(text.splitlines())
    for row in tidy_rows(report):
        if row.dimension == "by_department":
            continue
        shown = display_number(row.metric, row.value, suppressed=row.suppressed)
        assert any(line.startswith(f"{row.label} {shown}") for line in lines), row.label
    for note in data["prism"]:
        assert note["note"] in text
    assert "Appendix: what each figure means" in text
    assert "By department" in text


def test_dashboard_agrees_with_the_exports(program):
    """What the lead's dashboard shows is what the shareable export of the same scope holds."""
    html = (
        program.client("lead")
        .get(f"/reports/departments/{program.department_a.pk}/", PERIOD)
        .content.decode()
    )
    report = build(11, departments=["North/Emergency Medicine"])
    from_csv = csv_values(render(report, "csv")[0].decode())
    shown = cells(html)
    for row in tidy_rows(report):
        if row.dimension == "by_department":
            continue
        name = f"{row.dimension}.{row.metric}"
        assert shown[name] == display_number(row.metric, row.value, suppressed=row.suppressed)
        if row.suppressed:
            assert from_csv[name] == "suppressed"


def test_xlsx_keeps_formula_like_text_as_text(program):
    from tests.reporting.factories import PrismNoteFactory

    formula = '=HYPERLINK("http://example.org")'
    PrismNoteFactory(text=formula, noted_on=program.department_a.launched_on)
    workbook = load_workbook(io.BytesIO(render(build(), "xlsx")[0]))
    notes = [row[4] for row in workbook["PRISM context"].iter_rows(min_row=2)]
    cell = next(c for c in notes if c.value == "'" + formula)
    assert cell.data_type == "s"
    assert not any(c.data_type == "f" for row in workbook["PRISM context"].iter_rows() for c in row)


def test_file_names_hold_only_dates(program):
    assert render(build(), "json")[1] == "reaim-report-2020-01-01-to-2020-12-31.json"
    assert render(build(11), "pdf")[1] == "reaim-report-2020-01-01-to-2020-12-31-shareable.pdf"


def test_pdf_opens_with_a_summary_then_a_section_per_dimension(program):
    reader = PdfReader(io.BytesIO(render(build(), "pdf")[0]))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "PRISM/RE-AIM report" in first and "2020-01-01 to 2020-12-31" in first
    # 2020 is compared with 2019, the twelve months before it; nothing happened in 2019.
    assert "compared with 2019-01-01 to 2019-12-31" in first
    assert "The period at a glance" in first
    for dimension in ("Reach", "Effectiveness", "Adoption", "Implementation", "Maintenance"):
        assert dimension in first
    assert "Physicians supported" in first and "Up 16 from 0." in first
    assert "Departments taking part" in first and "Up 3 from 0." in first
    # Nobody answered the survey in 2019: no share to compare with.
    assert "No comparison: the figure cannot be worked out for one of the two periods." in first
    # One barrier, one facilitator, one context note in 2020.
    assert "Barrier Facilitator Context 1 1 1" in first
    headings = [page.extract_text().splitlines()[0] for page in reader.pages[1:]]
    assert headings[0] == "PRISM context"  # the summary is one page
    for heading in (
        "PRISM context",
        "Reach",
        "Effectiveness",
        "Adoption",
        "Implementation",
        "Maintenance",
        "By department",
        "Appendix: what each figure means",
    ):
        assert heading in headings
    assert re.search(r"Page 1 of \d+", first)


def test_pdf_summary_stays_one_page_for_a_long_list_of_departments(program):
    from tests.factories import DepartmentFactory

    many = [DepartmentFactory(site=program.north, name=f"Ward {i:02}") for i in range(40)]
    report = ReAimReport(
        period=period_parse("2020-01-01", "2020-12-31"),
        scope=scope_for(departments=[program.department_a, *many]),
    )
    reader = PdfReader(io.BytesIO(render(report, "pdf")[0]))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "41 departments: North/Emergency Medicine; North/Ward 00; North/Ward 01 and 38 more" in (
        first
    )
    assert reader.pages[1].extract_text().startswith("PRISM context")
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "North/Ward 39" in text  # the appendix lists them all
