"""The report as the tidy CSV: one row per number of the report."""

from __future__ import annotations

import csv
import io
from typing import Any

from post_program.spreadsheets import cell_written

from ..report import ReAimReport
from .tidy import TIDY_HEADER, tidy_rows


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return cell_written(value)


def render_csv(report: ReAimReport) -> str:
    """The tidy CSV: dimension, metric, scope, value, numerator, denominator.

    Empty cells are null values (a denominator of 0); suppressed values read ``suppressed``.
    Floats are written in full (``repr``) so they equal the JSON numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TIDY_HEADER)
    for row in tidy_rows(report):
        writer.writerow([_csv_cell(cell) for cell in row.cells()])
    return buffer.getvalue()
