"""Reporting as a new user meets it, in Chromium: a department lead opens their dashboard and
sees their department only, with small counts suppressed; the director reads the summary, opens
the sections, and downloads the same report as PDF, XLSX, CSV and JSON, and the numbers agree
with each other and with the page."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.charts import ALL_HIDDEN_TEXT
from reporting.labels import label_for
from reporting.render.display import display_number
from tests.factories import PASSWORD
from tests.reporting.conftest import program  # noqa: F401 - the shared small program

from .conftest import sign_in

METRICS = [
    ("reach", "successful_interactions"),
    ("reach", "interactions_per_100_physician_years"),
    ("implementation", "duration_minutes.median"),
    ("reach", "eligible_physicians"),
    ("adoption", "physicians_total"),
    ("adoption", "supporters_trained"),
    ("implementation", "referrals.received"),
    ("implementation", "referrals.contacted"),
    ("implementation", "referrals.outcomes.supported"),
    ("reach", "survey_had_interaction.proportion"),
]


def _custom_period(page, start: str, end: str) -> None:
    page.get_by_label("Period").select_option("custom")
    page.get_by_label("Start").fill(start)
    page.get_by_label("End").fill(end)
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()


def _open_section(page, name: str) -> None:
    """Open a dashboard's dimension, closed until asked for."""
    summary = page.locator("details.report-section > summary", has_text=name)
    summary.click()
    assert summary.locator("xpath=..").get_attribute("open") is not None


def _lookup(data: dict, dimension: str, metric: str):
    node = data[dimension]
    for part in metric.split("."):
        node = node[part]
    return node


def test_lead_sees_only_their_department_suppressed(program, page):  # noqa: F811
    sign_in(page, "lead@example.org", PASSWORD)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="North/Emergency Medicine dashboard").click()
    _custom_period(page, "2020-01-01", "2020-12-31")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "North/Emergency Medicine dashboard"
    )
    assert page.get_by_text("are shown as suppressed").is_visible()
    # The summary comes first; the sections stay closed until opened.
    assert page.get_by_role("heading", name="Summary", exact=True).is_visible()
    assert not page.get_by_text("All numbers of Implementation").is_visible()
    _open_section(page, "Implementation")
    page.get_by_text("All numbers of Implementation").click()
    cell = page.locator('td[data-metric="implementation.referrals.by_source.self"]')
    assert cell.inner_text() == "suppressed"
    row = page.get_by_role("row", name=re.compile(r"^Requests from physicians for themselves"))
    assert row.is_visible()
    assert "South/Emergency Medicine" not in page.content()
    assert page.get_by_role("link", name="North/Surgery dashboard").count() == 0
    # Every value of the referral funnel is hidden: the chart says so instead of empty axes.
    funnel = page.locator("figure", has_text="Requests for support: received, contacted")
    assert funnel.get_by_text(ALL_HIDDEN_TEXT).is_visible()
    assert funnel.locator("canvas").count() == 0


def test_director_downloads_the_report_in_four_formats_that_agree(program, page, tmp_path):  # noqa: F811
    sign_in(page, "director@example.org", PASSWORD)
    page.goto("/reports/program/")
    _custom_period(page, "2020-01-01", "2020-12-31")
    # The summary: one card per dimension, with its change against 2019.
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary", exact=True))
    compared = "previous period of the same length, Jan. 1, 2019 to Dec. 31, 2019"
    assert compared in summary.inner_text()
    assert summary.get_by_text("Up 16 from 0.").is_visible()
    for name in ("Reach", "Effectiveness", "Adoption", "Implementation", "Maintenance"):
        _open_section(page, name)
    for numbers in page.locator("summary", has_text="with numerators, denominators").all():
        numbers.click()
    # Opened, the charts are drawn, and each has its table of numbers.
    page.wait_for_selector('canvas[data-drawn="true"]')
    funnel = page.get_by_role("img", name="Requests for support: received, contacted, supported")
    assert funnel.is_visible()
    assert funnel.bounding_box()["height"] > 100  # drawn at its size once its section opened
    figure = page.locator("figure", has=funnel)
    figure.get_by_text("Show the numbers as a table").click()
    assert figure.get_by_role("table").get_by_role("rowheader", name="Received").is_visible()
    shown = {
        (dimension, metric): page.locator(f'td[data-metric="{dimension}.{metric}"]').inner_text()
        for dimension, metric in METRICS
    }
    files: dict[str, Path] = {}
    for fmt in ("pdf", "xlsx", "csv", "json"):
        page.goto("/reports/program/?period=custom&start=2020-01-01&end=2020-12-31")
        page.get_by_label("Format").select_option(fmt)
        page.get_by_role("button", name="Prepare the file").click()
        link = page.get_by_role("link", name=re.compile(r"^Download reaim-report"))
        link.wait_for()
        with page.expect_download() as download:
            link.click()
        files[fmt] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[fmt])

    data = json.loads(files["json"].read_text())
    rows = {
        (r["dimension"], r["metric"]): r["value"]
        for r in csv.DictReader(io.StringIO(files["csv"].read_text()))
    }
    workbook = load_workbook(files["xlsx"])
    pdf_lines = set("\n".join(p.extract_text() for p in PdfReader(files["pdf"]).pages).splitlines())
    for dimension, metric in METRICS:
        value = _lookup(data, dimension, metric)
        display = display_number(metric, value)
        assert shown[(dimension, metric)] == display, metric
        assert rows[(dimension, metric)] == (
            repr(value) if isinstance(value, float) else str(value)
        )
        label = label_for(f"{dimension}.{metric}")
        sheet = workbook[dimension.capitalize()]
        cells = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert cells[label] == value, metric
        assert any(line.startswith(f"{label} {display}") for line in pdf_lines), metric
    assert data["reach"]["eligible_physicians"] == 41
