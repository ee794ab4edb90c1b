"""Text cells that a spreadsheet will not run: one rule for every CSV and XLSX the program
writes (report exports, the survey CSV, the program files of `export_program`).

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets, so a name typed as `=HYPERLINK(...)` would run on the reader's
machine. Such text is written with a leading apostrophe, which spreadsheets show as text; the
importer takes it off again, so the program files still round-trip.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})
"""The first characters that make a cell a formula (each one character)."""
ESCAPE = "'"


def cell_written(value: Any) -> Any:
    """`value` as a cell: text that would start a formula gains a leading apostrophe; numbers,
    dates and everything else are left as they are."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return ESCAPE + value
    return value


def cell_read(text: str) -> str:
    """The text a cell written by `cell_written` held."""
    if text.startswith(ESCAPE) and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


class _Echo:
    """A file whose write returns the line, so csv.writer yields lines to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """`rows` as CSV lines, every cell through `cell_written`, for a streamed download."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([cell_written(cell) for cell in row])
