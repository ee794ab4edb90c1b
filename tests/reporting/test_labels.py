"""Every figure of the report has a plain label and a definition (reporting/labels.py), and what
people read — the dashboards, the PDF and the workbook — names figures by them, never by the
code names of the JSON contract."""

from __future__ import annotations

import html as html_module
import io
import re
from collections import Counter
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from post_program.suppression import SUPPRESSED_KEY
from reporting.labels import FIGURES, figure_for, figure_key, label_for
from reporting.render import render
from reporting.render.tidy import tidy_rows
from reporting.report import ReAimReport, period_parse
from reporting.report_suppression import REPORT_PARTS

from .conftest import PERIOD
from .test_dashboards import DASHBOARDS

FIGURE_PARTS = REPORT_PARTS
"""The parts of the report that hold figures."""


def leaf_paths(node: Any, prefix: str) -> list[str]:
    """Every leaf of the report under ``node``, list entries by index (the lists of hidden
    names are not figures)."""
    if isinstance(node, dict):
        return [
            path
            for key, value in node.items()
            if key != SUPPRESSED_KEY
            for path in leaf_paths(value, f"{prefix}.{key}")
        ]
    if isinstance(node, list):
        return [
            path
            for index, entry in enumerate(node)
            for path in leaf_paths(entry, f"{prefix}.{index}")
        ]
    return [prefix]


def report(threshold=None) -> ReAimReport:
    return ReAimReport(period=period_parse("2019-07-01", "2020-12-31"), threshold=threshold)


def code_names(data: dict[str, Any]) -> set[str]:
    """The names a reader must not meet: every key of the figures that is written as code
    (with an underscore) and every dotted path of the tidy CSV."""
    names = set()
    for part in FIGURE_PARTS:
        for path in leaf_paths(data[part], part):
            for segment in path.split("."):
                if "_" in segment:
                    names.add(segment)
            names.add(path.partition(".")[2])
    return {name for name in names if "_" in name or "." in name}


def visible_text(page: str) -> str:
    """What a browser shows of a page: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html_module.unescape(page)


def test_figure_key_replaces_list_indices():
    assert figure_key("maintenance.by_year.12.physician_years") == (
        "maintenance.by_year.*.physician_years"
    )
    assert figure_key("supplementary.duration_histogram.120 or more") == (
        "supplementary.duration_histogram.120 or more"
    )
    assert figure_for("reach.no_such_figure") is None
    # A figure added to the report before it is described still reads as words.
    assert label_for("reach.no_such_figure") == "No such figure"


@pytest.mark.parametrize("threshold", [None, 11])
def test_every_figure_of_a_real_report_has_a_label_and_a_definition(program, threshold):
    data = report(threshold).data
    paths = [path for part in FIGURE_PARTS for path in leaf_paths(data[part], part)]
    assert len(paths) > 150
    missing = [path for path in paths if figure_for(path) is None]
    assert missing == []
    for path in paths:
        figure = figure_for(path)
        assert figure.label and figure.label[0].isupper(), path
        # One sentence: ends with a full stop and has no other sentence end before it.
        assert figure.definition.endswith("."), path
        assert not re.search(r"[.!?] [A-Z]", figure.definition), path
        assert "_" not in figure.label + figure.definition, path
    # No figure is described that the report does not hold (list entries as *).
    assert {figure_key(path) for path in paths} == set(FIGURES)


def test_labels_are_unique_within_a_dimension(program):
    """The workbook's and the PDF's rows are told apart by their labels alone."""
    rows = [row for row in tidy_rows(report()) if row.dimension != "by_department"]
    counts = Counter((row.dimension, row.label) for row in rows)
    assert [key for key, n in counts.items() if n > 1] == []
    years = [row.label for row in rows if row.key == "maintenance.by_year.*.physician_years"]
    assert years == [
        "Physician-years, 12 months 2019-07-01 to 2020-06-30",
        "Physician-years, 12 months 2020-07-01 to 2020-12-31",
    ]
    quarters = [row.label for row in rows if row.metric.startswith("by_quarter.")]
    assert quarters[0] == "Support conversations, 2019 Q3"


@pytest.mark.parametrize(("name", "member", "kwargs"), DASHBOARDS)
def test_no_code_name_is_visible_on_the_dashboards(program, name, member, kwargs):
    kwargs = {k: getattr(program, v).pk for k, v in kwargs.items()}
    response = program.client(member).get(
        reverse(f"reporting:{name}", kwargs=kwargs or None), PERIOD
    )
    page = response.content.decode()
    text = visible_text(page)
    names = code_names(response.context["report"].data)
    assert "duration_minutes.n" in names and "third_party" in names
    assert sorted(n for n in names if n in text) == []
    # The tables name each figure by its label and still carry its path for tools and tests.
    assert 'data-metric="implementation.duration_minutes.n"' in page
    assert "Conversations timed" in text


@pytest.mark.parametrize("threshold", [None, 11])
def test_no_code_name_is_visible_in_the_pdf_or_the_workbook(program, threshold):
    built = report(threshold)
    names = code_names(built.data)
    pdf = PdfReader(io.BytesIO(render(built, "pdf")[0]))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert sorted(n for n in names if n in text) == []
    assert "Conversations timed" in text
    workbook = load_workbook(io.BytesIO(render(built, "xlsx")[0]))
    cells = [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    shown = [cell for cell in cells if any(name in cell for name in names)]
    assert shown == []
    assert "Conversations timed" in cells
