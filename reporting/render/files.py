"""The report as a downloadable file in any of its formats."""

from __future__ import annotations

from ..report import ReAimReport, ReportInputError
from .csv import render_csv
from .json import render_json
from .pdf import render_pdf
from .xlsx import render_xlsx

FILE_EXTENSIONS = {"json": "json", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}


def render(report: ReAimReport, fmt: str) -> tuple[bytes, str]:
    """The report as a file in ``fmt``: (content, file name). The name holds only dates.

    The PDF and the workbook are written in the active language; the JSON and the CSV, read by
    programs, are the same in every language."""
    if fmt == "json":
        content = render_json(report).encode()
    elif fmt == "csv":
        content = render_csv(report).encode()
    elif fmt == "xlsx":
        content = render_xlsx(report)
    elif fmt == "pdf":
        content = render_pdf(report)
    else:
        raise ReportInputError(f"unknown format {fmt!r} (json, csv, xlsx or pdf)")
    name = f"reaim-report-{report.start.isoformat()}-to-{report.end.isoformat()}"
    if report.threshold is not None:
        name += "-shareable"
    return content, f"{name}.{FILE_EXTENSIONS[fmt]}"
