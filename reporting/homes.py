"""The homes of the roles that read the program's figures: the director's program health and
the department lead's quarter at a glance.

Every figure on these pages is a figure of the RE-AIM report (``ReAimReport``, built for the
period and scope the page names), shown with the report's label and definition
(``labels.py``) and compared as the dashboard's summary compares it
(``render/summary.py``), so a home and the dashboard of the same period cannot disagree. The
lists under them (departments gone quiet, training about to lapse, open surveys) are not report
figures; each says what it counts next to it. The URLs keep the names the home dispatch of
``post_program`` redirects to (``home_director``, ``home_lead``).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from post_program import program_settings
from post_program.access import require, roles_for
from post_program.models import Department
from post_program.suppression import SUPPRESSED_KEY
from surveys import selectors as survey_selectors
from training import selectors as training_selectors

from . import metrics, selectors
from .access import can_view_director_home, can_view_lead_home, report_must_suppress
from .forms import Preset, preset_period
from .labels import label_for
from .render.display import display_number
from .render.summary import figure_card, previous_report, summary_cards
from .report import PROGRAM_SCOPE, ReAimReport, scope_for

TRAINING_LAPSE_DAYS = 60
"""The director's home lists the supporters whose training lapses within this many days."""

LISTED = 20
"""At most this many rows in each of the director's lists; the count says how many there are."""

DIRECTOR_FIGURES = (
    "adoption.supporters_active",
    "reach.successful_interactions",
    "implementation.referrals.received",
)
"""Figures of the report shown on the director's home beside the five headlines."""

LEAD_DEPARTMENT_FIGURES = (
    "physicians",
    "unique_physicians_supported",
    "successful_interactions",
)
"""Columns of the report's by-department table shown on the lead's home."""


def _period_query(period: metrics.Window) -> str:
    """The dashboard's query string for exactly ``period``."""
    return urlencode(
        {"period": Preset.CUSTOM, "start": period.start.isoformat(), "end": period.end.isoformat()}
    )


def _dashboard_url(report: ReAimReport) -> str:
    """The program dashboard of the same period as ``report``."""
    return f"{reverse('reporting:program_dashboard')}?{_period_query(report.period)}"


def director_report(today: date) -> ReAimReport:
    """The report the director's home reads: the program, this quarter to date (the program
    dashboard's "This quarter")."""
    period = preset_period(Preset.THIS_QUARTER, today=today, department_ids=None)
    return ReAimReport(period=period, scope=PROGRAM_SCOPE)


@require_GET
@require(can_view_director_home)
def home_director(request):
    today = timezone.localdate()
    report = director_report(today)
    previous = previous_report(report)
    inactive = selectors.departments_without_activity(on=today)
    lapsing = training_selectors.supporters_training_lapsing(
        on=today, within_days=TRAINING_LAPSE_DAYS
    )
    lapsing_rows = list(lapsing[:LISTED])
    for supporter in lapsing_rows:
        supporter.current_until = training_selectors.current_until(supporter.latest_completion)
    return render(
        request,
        "reporting/home_director.html",
        {
            "home_role": "director",
            "report": report,
            "compared_with": previous,
            "summary": summary_cards(report, previous),
            "figures": [figure_card(report, previous, path) for path in DIRECTOR_FIGURES],
            "dashboard_url": _dashboard_url(report),
            "inactive": list(inactive[:LISTED]),
            "inactive_count": inactive.count(),
            "inactive_since": metrics.sustainment_window(today).start,
            "lapsing": lapsing_rows,
            "lapsing_count": lapsing.count(),
            "lapse_days": TRAINING_LAPSE_DAYS,
            "refresher_months": training_selectors.refresher_months(),
            "campaigns": survey_selectors.open_campaigns_with_rates(),
        },
    )


def lead_departments(user) -> list[Department]:
    return list(
        selectors.departments_in_scope(roles_for(user).lead_department_ids).select_related("site")
    )


def lead_report(user, departments: list[Department], today: date) -> ReAimReport:
    """The report the lead's home reads: their departments together, the last full quarter (the
    periods a lead's dashboards offer), suppressed as their dashboards are."""
    period = preset_period(Preset.LAST_QUARTER, today=today, department_ids=None)
    suppress = report_must_suppress(user, site=None, departments=departments)
    return ReAimReport(
        period=period,
        scope=scope_for(departments=departments),
        threshold=program_settings.get().suppression_threshold if suppress else None,
    )


def _department_rows(report: ReAimReport, departments: list[Department]) -> list[dict]:
    """The report's by-department rows, shown as the dashboard shows them (a suppressed cell
    says so), each with the department's dashboard for the same period."""
    pks = {(d.site.name, d.name): d.pk for d in departments}
    query = _period_query(report.period)
    rows = []
    for row in report.data["by_department"]:
        hidden = set(row.get(SUPPRESSED_KEY, []))
        url = reverse("reporting:department_dashboard", args=[pks[row["site"], row["department"]]])
        rows.append(
            {
                "label": f"{row['department']}, {row['site']}",
                "url": f"{url}?{query}",
                "cells": [
                    {
                        "path": f"by_department.*.{name}",
                        "value": display_number(
                            f"by_department.*.{name}", row[name], suppressed=name in hidden
                        ),
                    }
                    for name in LEAD_DEPARTMENT_FIGURES
                ],
            }
        )
    return rows


@require_GET
@require(can_view_lead_home)
def home_lead(request):
    today = timezone.localdate()
    departments = lead_departments(request.user)
    report = lead_report(request.user, departments, today)
    previous = previous_report(report)
    return render(
        request,
        "reporting/home_lead.html",
        {
            "home_role": "lead",
            "report": report,
            "compared_with": previous,
            "summary": summary_cards(report, previous),
            "threshold": report.threshold,
            "headers": [label_for(f"by_department.*.{name}") for name in LEAD_DEPARTMENT_FIGURES],
            "departments": _department_rows(report, departments),
            "sessions": list(training_selectors.sessions_upcoming()[:5]),
        },
    )
