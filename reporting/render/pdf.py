"""The report as a PDF: a one-page summary for a board (each dimension's headline figure against
the previous period of the same length, the PRISM notes counted by tag), then the dashboard's
sections, tables and definitions on paper, with the charts drawn on the server as SVG."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..charts import chart_specs, chart_svg
from ..labels import GLOSSARY, figures_by_dimension
from ..report import ReAimReport
from .html import by_department_view, prism_by_domain, section_views
from .summary import previous_period_words, previous_report, prism_tag_counts, summary_cards

SCOPE_NAMED = 3
"""How many departments the summary page names before it counts the rest."""


def scope_words(report: ReAimReport) -> str:
    """The scope as the summary page names it: a long list of departments is shortened so the
    summary stays one page (the appendix lists them all)."""
    departments = report.scope.departments
    if len(departments) <= SCOPE_NAMED:
        return report.scope.shown_label
    return _("%(count)s departments: %(named)s and %(more)s more") % {
        "count": len(departments),
        "named": "; ".join(departments[:SCOPE_NAMED]),
        "more": len(departments) - SCOPE_NAMED,
    }


def render_pdf(report: ReAimReport) -> bytes:
    """The PDF: the summary page, the PRISM context, a section per RE-AIM dimension with its
    charts (SVG drawn on the server), the by-department table and what each figure means.

    The summary compares with a second report for the previous period (same scope and
    threshold), so the PDF costs two reports' queries."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    previous = previous_report(report)
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
            "scope_words": scope_words(report),
            "summary": summary_cards(report, previous),
            "compared_with": previous_period_words(previous),
            "prism_tags": prism_tag_counts(report),
            "sections": sections,
            "by_department": by_department_view(report),
            "department_charts": department_charts,
            "prism": prism_by_domain(report),
            "figures": [(_("Terms"), list(GLOSSARY.values())), *figures_by_dimension()],
        },
    )
    return HTML(string=html).write_pdf()
