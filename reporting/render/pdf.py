"""The report as a PDF: the dashboard's sections, tables and definitions on paper, with the
charts drawn on the server as SVG."""

from __future__ import annotations

from ..charts import chart_specs, chart_svg
from ..report import ReAimReport
from .definitions import DEFINITIONS
from .html import by_department_view, prism_by_domain, section_views


def render_pdf(report: ReAimReport) -> bytes:
    """The PDF: a title page, the PRISM context, a section per RE-AIM dimension with its
    charts (SVG drawn on the server), the by-department table and the definitions."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    sections = section_views(report)
    for section in sections:
        for chart in section.charts:
            chart.svg = chart_svg(chart)
    department_charts = [c for c in chart_specs(report.data) if c.dimension == "by_department"]
    for chart in department_charts:
        chart.svg = chart_svg(chart)
    html = render_to_string(
        "reporting/report_pdf.html",
        {
            "report": report,
            "data": report.data,
            "sections": sections,
            "by_department": by_department_view(report),
            "department_charts": department_charts,
            "prism": prism_by_domain(report),
            "definitions": DEFINITIONS,
        },
    )
    return HTML(string=html).write_pdf()
