"""The report as the dashboards show it: headline cards, a section per RE-AIM dimension with its
charts, the by-department table and the PRISM context, all as display strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..charts import Chart, chart_specs
from ..models import PrismDomain
from ..report import SECTIONS, ReAimReport
from .definitions import definition_for
from .display import DIMENSION_LABELS, display_number, metric_label
from .tidy import (
    HAD_INTERACTION_COLUMNS,
    SUPPRESSED_TEXT,
    by_department_cells,
    by_department_columns,
    department_key,
    has_path,
    lookup,
    tidy_rows,
)


@dataclass(frozen=True)
class SectionView:
    """One RE-AIM dimension as shown on a page: its rows and its charts."""

    key: str
    label: str
    rows: list[dict[str, Any]]
    charts: list[Chart]


def section_views(report: ReAimReport) -> list[SectionView]:
    """The five dimensions with each number displayed, its numerator and denominator, and
    the charts that belong to the dimension."""
    charts = chart_specs(report.data)
    rows = tidy_rows(report)
    views = []
    for section in SECTIONS:
        views.append(
            SectionView(
                key=section,
                label=DIMENSION_LABELS[section],
                rows=[
                    {
                        "metric": row.metric,
                        "label": metric_label(row.metric),
                        "value": display_number(row.metric, row.value, suppressed=row.suppressed),
                        "numerator": ""
                        if row.numerator is None and row.denominator is None
                        else display_number("", row.numerator),
                        "denominator": ""
                        if row.numerator is None and row.denominator is None
                        else display_number("", row.denominator),
                        "definition": definition_for(f"{section}.{row.metric}"),
                    }
                    for row in rows
                    if row.dimension == section
                ],
                charts=[chart for chart in charts if chart.dimension == section],
            )
        )
    return views


def by_department_view(report: ReAimReport) -> dict[str, Any]:
    """The by-department table as displayed: headers and display strings."""
    rows = report.data["by_department"]
    columns = by_department_columns(rows)
    has_block = bool(rows) and "survey_had_interaction" in rows[0]
    headers = [metric_label(c) for c in columns[2:]]
    if has_block:
        headers += ["Had interaction: yes", "Respondents", "Proportion"]
    paths = columns + (
        [f"survey_had_interaction.{c}" for c in HAD_INTERACTION_COLUMNS] if has_block else []
    )
    body = []
    for row in rows:
        cells = by_department_cells(row, columns)
        shown = [
            display_number(path, cell, suppressed=cell == SUPPRESSED_TEXT)
            for path, cell in zip(paths, cells, strict=True)
        ]
        body.append({"label": department_key(row), "cells": shown[2:]})
    return {"headers": headers, "rows": body}


def prism_by_domain(report: ReAimReport) -> list[dict[str, Any]]:
    groups = []
    for value, label in PrismDomain.choices:
        notes = [n for n in report.prism_notes if n["domain"] == value]
        if notes:
            groups.append({"domain": label, "notes": notes})
    return groups


# --- Dashboard: headline cards and the page context ----------------------------------------

# (dimension, label, value path, numerator path, numerator label, denominator path, its label)
CARDS: tuple[tuple[str, str, str, str | None, str, str | None, str], ...] = (
    (
        "reach",
        "Successful interactions",
        "reach.successful_interactions",
        None,
        "",
        "reach.interactions_logged",
        "interactions logged",
    ),
    (
        "reach",
        "Physicians supported",
        "reach.proportion_supported",
        "reach.unique_physicians_supported",
        "physicians supported",
        "reach.eligible_physicians",
        "eligible physicians",
    ),
    (
        "reach",
        "Interactions per 100 physician-years",
        "reach.interactions_per_100_physician_years",
        "reach.successful_interactions",
        "successful interactions",
        "reach.physician_years",
        "physician-years",
    ),
    (
        "effectiveness",
        "Would recommend the program",
        "effectiveness.would_recommend.proportion",
        "effectiveness.would_recommend.yes",
        "answered yes",
        "effectiveness.would_recommend.respondents",
        "respondents",
    ),
    (
        "effectiveness",
        "Had an interaction (program evaluation)",
        "reach.survey_had_interaction.proportion",
        "reach.survey_had_interaction.yes",
        "answered yes",
        "reach.survey_had_interaction.respondents",
        "respondents",
    ),
    (
        "effectiveness",
        "Mean WHO-5 well-being index",
        "effectiveness.wellbeing.mean_index",
        None,
        "",
        "effectiveness.wellbeing.respondents",
        "respondents",
    ),
    (
        "adoption",
        "Departments adopting",
        "adoption.proportion_departments",
        "adoption.departments_adopted",
        "adopted",
        "adoption.departments_total",
        "departments",
    ),
    (
        "adoption",
        "Physicians in adopting departments",
        "adoption.proportion_physicians_covered",
        "adoption.physicians_in_adopting_departments",
        "covered",
        "adoption.physicians_total",
        "physicians",
    ),
    (
        "adoption",
        "Supporters per 100 physicians",
        "adoption.supporters_per_100_physicians",
        "adoption.supporters_trained",
        "trained supporters",
        "reach.eligible_physicians",
        "eligible physicians",
    ),
    (
        "implementation",
        "Median duration (minutes)",
        "implementation.duration_minutes.median",
        None,
        "",
        "implementation.duration_minutes.n",
        "interactions",
    ),
    (
        "implementation",
        "Median hours to first contact",
        "implementation.referrals.hours_to_first_contact.median",
        None,
        "",
        "implementation.referrals.hours_to_first_contact.n",
        "referrals contacted",
    ),
    (
        "implementation",
        "Referrals contacted within the deadline",
        "implementation.referrals.proportion_within_deadline",
        "implementation.referrals.within_deadline",
        "within the deadline",
        "implementation.referrals.received",
        "referrals received",
    ),
    (
        "implementation",
        "Escalated to professional help",
        "implementation.escalation_rate",
        "implementation.escalated",
        "escalated",
        "reach.successful_interactions",
        "successful interactions",
    ),
    (
        "maintenance",
        "Departments sustained",
        "maintenance.departments_sustained",
        None,
        "",
        "maintenance.departments_eligible_for_sustainment",
        "eligible",
    ),
    (
        "maintenance",
        "Supporters retained",
        "maintenance.supporters_retained",
        None,
        "",
        "maintenance.supporters_eligible_for_retention",
        "eligible",
    ),
    (
        "maintenance",
        "Supporters with current training",
        "maintenance.supporters_training_current",
        None,
        "",
        "adoption.supporters_trained",
        "trained",
    ),
    (
        "maintenance",
        "Trend ratio (last year's rate / first year's)",
        "maintenance.trend_ratio",
        None,
        "",
        None,
        "",
    ),
)


def _card_number(data: dict[str, Any], exact: dict[str, Any], path: str) -> str:
    value = lookup(data, path)
    return display_number(path, value, suppressed=value is None and lookup(exact, path) is not None)


def headline_cards(report: ReAimReport) -> list[dict[str, Any]]:
    """The dashboard's cards: each headline number with its numerator and denominator."""
    data, exact = report.data, report.exact
    cards = []
    for dimension, label, path, num, num_label, den, den_label in CARDS:
        if not has_path(exact, path):
            continue  # a number this report does not hold
        parts = []
        if num is not None:
            parts.append(f"{_card_number(data, exact, num)} {num_label}")
        if den is not None:
            parts.append(f"{_card_number(data, exact, den)} {den_label}")
        cards.append(
            {
                "dimension": dimension,
                "label": label,
                "value": _card_number(data, exact, path),
                "detail": " of ".join(parts) if num is not None else " · ".join(parts),
                "definition": definition_for(path),
            }
        )
    return cards


def dashboard_context(report: ReAimReport) -> dict[str, Any]:
    """Everything a dashboard page shows, from the one report."""
    charts = chart_specs(report.data)
    return {
        "cards": headline_cards(report),
        "sections": section_views(report),
        "charts": charts,
        "chart_data": [chart.as_dict() for chart in charts],
        "by_department": by_department_view(report),
        "department_charts": [c for c in charts if c.dimension == "by_department"],
        "prism": prism_by_domain(report),
    }
