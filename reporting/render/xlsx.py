"""The report as an XLSX workbook: a cover sheet, a sheet per RE-AIM dimension, by department,
trend, PRISM context and what each figure means, every figure named as ``labels.py`` names it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from post_program.spreadsheets import cell_written
from post_program.suppression import SUPPRESSED_KEY

from ..labels import DIMENSION_LABELS, GLOSSARY, figures_by_dimension, label_for
from ..models import PrismDomain, PrismTag
from ..numbers import missing_text
from ..report import ReAimReport
from .display import is_percent
from .tidy import (
    HAD_INTERACTION_COLUMNS,
    SUPPRESSED_TEXT,
    by_department_cells,
    by_department_columns,
    tidy_rows,
)

XLSX_DIMENSION_SHEETS = ("reach", "effectiveness", "adoption", "implementation", "maintenance")

PERCENT_FORMAT = "0.0%"


def _xlsx_append(sheet, values: Sequence[Any], font=None, formats: Sequence[str] = ()) -> None:
    """Append a row (in `font` if given; ``formats`` the cells' number formats, "" for none);
    text that a spreadsheet would run as a formula stays text."""
    cells = [cell_written(value) for value in values]
    if font is not None or formats:
        cells = [
            _styled(sheet, value, font, formats[i] if i < len(formats) else "")
            for i, value in enumerate(cells)
        ]
    sheet.append(cells)


def _styled(sheet, value: Any, font, number_format: str = ""):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def render_xlsx(report: ReAimReport) -> bytes:
    """The workbook: a cover sheet, a sheet per RE-AIM dimension (figure, value, numerator,
    denominator, what it means), by department, trend, PRISM context and the definitions.

    Written in openpyxl's write-only mode: each row goes out as it is appended, and a sheet's
    header, bold with the panes frozen below it, is its first row. Its words are in the active
    language (the export job runs in the requester's); the numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report.data
    workbook = Workbook(write_only=True)
    cover = workbook.create_sheet(_("Report"))
    _xlsx_append(cover, [report.title], font=Font(bold=True, size=14))
    for label, value in (
        (_("Period start"), data["period"]["start"]),
        (_("Period end"), data["period"]["end"]),
        (_("Scope"), report.scope.shown_label),
        (_("Sites"), ", ".join(data["scope"]["sites"]) or _("all")),
        (_("Departments"), ", ".join(data["scope"]["departments"]) or _("all")),
        (_("Generated at"), data["generated_at"]),
        (_("Small counts"), _small_counts(data["suppression"]["threshold"])),
    ):
        _xlsx_append(cover, [label, value])

    rows = tidy_rows(report)
    for dimension in XLSX_DIMENSION_SHEETS:
        sheet = workbook.create_sheet(DIMENSION_LABELS[dimension])
        _header(
            sheet,
            [_("Figure"), _("Value"), _("Numerator"), _("Denominator"), _("What it means")],
            Font,
        )
        for row in rows:
            if row.dimension == dimension:
                _xlsx_append(
                    sheet,
                    [
                        row.label,
                        _shown(row.value, suppressed=row.suppressed),
                        row.numerator,
                        row.denominator,
                        row.definition,
                    ],
                    formats=["", PERCENT_FORMAT if is_percent(row.key) else ""],
                )

    sheet = workbook.create_sheet(_("By department"))
    has_block = bool(data["by_department"]) and "survey_had_interaction" in data["by_department"][0]
    columns = by_department_columns(data["by_department"])
    paths = [
        *columns,
        *([f"survey_had_interaction.{c}" for c in HAD_INTERACTION_COLUMNS] if has_block else []),
    ]
    _header(sheet, [label_for(f"by_department.*.{path}") for path in paths], Font)
    formats = [PERCENT_FORMAT if is_percent(path) else "" for path in paths]
    for row in data["by_department"]:
        cells = [_suppressed_word(cell) for cell in by_department_cells(row, columns)]
        _xlsx_append(sheet, cells, formats=formats)

    sheet = workbook.create_sheet(_("Trend"))
    _xlsx_append(sheet, [_("Each 12-month window of the period")], font=Font(bold=True))
    _windows(sheet, data["maintenance"]["by_year"], "maintenance.by_year")
    _xlsx_append(sheet, [])
    _xlsx_append(sheet, [_("Each quarter of the period")], font=Font(bold=True))
    if data.get("supplementary", {}).get("quarterly_trend"):
        _windows(sheet, data["supplementary"]["quarterly_trend"], "supplementary.quarterly_trend")
    else:
        _windows(sheet, data["maintenance"].get("by_quarter", []), "maintenance.by_quarter")

    sheet = workbook.create_sheet(_("PRISM context"))
    _header(sheet, [_("Date"), _("Domain"), _("Tag"), _("For"), _("Note")], Font)
    for note in data["prism"]:
        _xlsx_append(
            sheet,
            [
                note["noted_on"],
                str(PrismDomain(note["domain"]).label),
                str(PrismTag(note["tag"]).label),
                note["department"] or _("Program"),
                note["note"],
            ],
        )

    sheet = workbook.create_sheet(_("Definitions"))
    _header(sheet, [_("Part"), _("Figure or term"), _("What it means")], Font)
    for term in GLOSSARY.values():
        _xlsx_append(sheet, [_("Terms"), term.label, term.definition])
    for dimension, figures in figures_by_dimension():
        for figure in figures:
            _xlsx_append(sheet, [dimension, figure.label, figure.definition])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _small_counts(threshold: int | None) -> str:
    if threshold is None:
        return _("exact counts (not for sharing)")
    return _("counts of care from 1 to %(last)s are hidden (shown as suppressed)") % {
        "last": threshold - 1
    }


def _shown(value: Any, *, suppressed: bool) -> Any:
    """A cell's value, or the word for a hidden one in the active language."""
    return missing_text(hidden=True) if suppressed else value


def _suppressed_word(cell: Any) -> Any:
    """The tidy marker of a hidden value (``suppressed``) as the workbook's reader reads it."""
    return missing_text(hidden=True) if cell == SUPPRESSED_TEXT else cell


def _windows(sheet, windows: Sequence[dict[str, Any]], path: str) -> None:
    """A header and one row per window, hidden values marked as suppressed."""
    if not windows:
        return
    columns = [key for key in windows[0] if key != SUPPRESSED_KEY]
    _xlsx_append(sheet, [label_for(f"{path}.*.{key}") for key in columns])
    for window in windows:
        hidden = window.get(SUPPRESSED_KEY, [])
        _xlsx_append(sheet, [_shown(window[k], suppressed=k in hidden) for k in columns])


def _header(sheet, columns: Sequence[str], font_class) -> None:
    """The sheet's first row, bold, with the panes frozen below it (set before any row is
    written)."""
    sheet.freeze_panes = "A2"
    _xlsx_append(sheet, columns, font=font_class(bold=True))
