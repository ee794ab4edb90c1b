"""The report as an XLSX workbook: a cover sheet, a sheet per RE-AIM dimension, by department,
trend, PRISM context and definitions."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from post_program.spreadsheets import cell_written
from post_program.suppression import SUPPRESSED_KEY

from ..report import ReAimReport
from .definitions import DEFINITIONS, definition_for
from .display import DIMENSION_LABELS
from .tidy import (
    HAD_INTERACTION_COLUMNS,
    by_department_cells,
    by_department_columns,
    shown_value,
    tidy_rows,
)

XLSX_DIMENSION_SHEETS = ("reach", "effectiveness", "adoption", "implementation", "maintenance")


def _xlsx_append(sheet, values: Sequence[Any]) -> None:
    """Append a row; text that a spreadsheet would run as a formula stays text."""
    sheet.append([cell_written(value) for value in values])


def render_xlsx(report: ReAimReport) -> bytes:
    """The workbook: a cover sheet, a sheet per RE-AIM dimension (metric, value, numerator,
    denominator, definition), by department, trend, PRISM context and definitions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report.data
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Report"
    _xlsx_append(cover, [report.title])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Period start", data["period"]["start"]),
        ("Period end", data["period"]["end"]),
        ("Scope", report.scope.label),
        ("Sites", ", ".join(data["scope"]["sites"]) or "all"),
        ("Departments", ", ".join(data["scope"]["departments"]) or "all"),
        ("Generated at", data["generated_at"]),
        ("Suppression threshold", data["suppression"]["threshold"] or "none (exact counts)"),
    ):
        _xlsx_append(cover, [label, value])

    rows = tidy_rows(report)
    header = ["metric", "value", "numerator", "denominator", "definition"]
    for dimension in XLSX_DIMENSION_SHEETS:
        sheet = workbook.create_sheet(DIMENSION_LABELS[dimension])
        _xlsx_append(sheet, header)
        for row in rows:
            if row.dimension == dimension:
                _xlsx_append(
                    sheet,
                    [
                        row.metric,
                        shown_value(row.value, suppressed=row.suppressed),
                        row.numerator,
                        row.denominator,
                        definition_for(f"{dimension}.{row.metric}"),
                    ],
                )
        _bold_header(sheet, Font)

    sheet = workbook.create_sheet("By department")
    has_block = bool(data["by_department"]) and "survey_had_interaction" in data["by_department"][0]
    columns = by_department_columns(data["by_department"])
    _xlsx_append(
        sheet,
        [
            *columns,
            *(
                [f"survey_had_interaction.{c}" for c in HAD_INTERACTION_COLUMNS]
                if has_block
                else []
            ),
        ],
    )
    for row in data["by_department"]:
        _xlsx_append(sheet, by_department_cells(row, columns))
    _bold_header(sheet, Font)

    sheet = workbook.create_sheet("Trend")
    _xlsx_append(sheet, ["by_year"])
    _windows(sheet, data["maintenance"]["by_year"])
    _xlsx_append(sheet, [])
    quarters = data.get("supplementary", {}).get("quarterly_trend") or data["maintenance"].get(
        "by_quarter", []
    )
    _xlsx_append(sheet, ["by_quarter"])
    _windows(sheet, quarters)

    sheet = workbook.create_sheet("PRISM context")
    _xlsx_append(sheet, ["date", "domain", "tag", "scope", "note"])
    for note in data["prism"]:
        _xlsx_append(
            sheet,
            [
                note["noted_on"],
                note["domain_label"],
                note["tag_label"],
                note["department"] or "Program",
                note["note"],
            ],
        )
    _bold_header(sheet, Font)

    sheet = workbook.create_sheet("Definitions")
    _xlsx_append(sheet, ["term", "definition"])
    for term, text in DEFINITIONS.items():
        _xlsx_append(sheet, [term, text])
    _bold_header(sheet, Font)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _windows(sheet, windows: Sequence[dict[str, Any]]) -> None:
    """A header and one row per window, hidden values marked as suppressed."""
    if not windows:
        return
    columns = [key for key in windows[0] if key != SUPPRESSED_KEY]
    _xlsx_append(sheet, columns)
    for window in windows:
        hidden = window.get(SUPPRESSED_KEY, [])
        _xlsx_append(sheet, [shown_value(window[k], suppressed=k in hidden) for k in columns])


def _bold_header(sheet, font_class) -> None:
    for cell in sheet[1]:
        cell.font = font_class(bold=True)
    sheet.freeze_panes = "A2"
