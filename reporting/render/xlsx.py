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


def _xlsx_append(sheet, values: Sequence[Any], font=None) -> None:
    """Append a row (in `font` if given); text that a spreadsheet would run as a formula stays
    text."""
    cells = [cell_written(value) for value in values]
    if font is not None:
        cells = [_styled(sheet, value, font) for value in cells]
    sheet.append(cells)


def _styled(sheet, value: Any, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell


def render_xlsx(report: ReAimReport) -> bytes:
    """The workbook: a cover sheet, a sheet per RE-AIM dimension (metric, value, numerator,
    denominator, definition), by department, trend, PRISM context and definitions.

    Written in openpyxl's write-only mode: each row goes out as it is appended, and a sheet's
    header, bold with the panes frozen below it, is its first row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report.data
    workbook = Workbook(write_only=True)
    cover = workbook.create_sheet("Report")
    _xlsx_append(cover, [report.title], font=Font(bold=True, size=14))
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
        _header(sheet, header, Font)
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

    sheet = workbook.create_sheet("By department")
    has_block = bool(data["by_department"]) and "survey_had_interaction" in data["by_department"][0]
    columns = by_department_columns(data["by_department"])
    _header(
        sheet,
        [
            *columns,
            *(
                [f"survey_had_interaction.{c}" for c in HAD_INTERACTION_COLUMNS]
                if has_block
                else []
            ),
        ],
        Font,
    )
    for row in data["by_department"]:
        _xlsx_append(sheet, by_department_cells(row, columns))

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
    _header(sheet, ["date", "domain", "tag", "scope", "note"], Font)
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

    sheet = workbook.create_sheet("Definitions")
    _header(sheet, ["term", "definition"], Font)
    for term, text in DEFINITIONS.items():
        _xlsx_append(sheet, [term, text])

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


def _header(sheet, columns: Sequence[str], font_class) -> None:
    """The sheet's first row, bold, with the panes frozen below it (set before any row is
    written)."""
    sheet.freeze_panes = "A2"
    _xlsx_append(sheet, columns, font=font_class(bold=True))
