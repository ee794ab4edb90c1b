"""Every rendering of the one report: JSON, tidy CSV, XLSX, PDF and the dashboards' HTML.

Each renderer reads the same numbers from ``ReAimReport.data``; ``render`` picks the file format.
"""

from .csv import render_csv
from .files import render
from .html import dashboard_context
from .json import render_json
from .pdf import render_pdf
from .xlsx import render_xlsx

__all__ = [
    "dashboard_context",
    "render",
    "render_csv",
    "render_json",
    "render_pdf",
    "render_xlsx",
]
