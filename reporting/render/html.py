"""The report as the dashboards show it: headline cards, a section per RE-AIM dimension with its
charts, the by-department table and the PRISM context, all as display strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..charts import Chart, chart_specs
from ..labels import DIMENSION_LABELS, DIMENSION_QUESTIONS, definition_for, label_for
from ..models import PrismDomain, PrismTag
from ..report import SECTIONS, ReAimReport
from .display import display_number, tagged_phrase
from .summary import prism_tag_counts, summary_cards
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


@dataclass
class SectionView:
    """One RE-AIM dimension as shown on a page: its rows and its charts."""

    key: str
    label: str
    rows: list[dict[str, Any]]
    charts: list[Chart]
    question: str = ""
    cards: list[dict[str, Any]] | None = None


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
                question=DIMENSION_QUESTIONS[section],
                rows=[
                    {
                        "metric": row.metric,
                        "label": row.label,
                        "value": display_number(row.metric, row.value, suppressed=row.suppressed),
                        "numerator": ""
                        if row.numerator is None and row.denominator is None
                        else display_number("", row.numerator),
                        "denominator": ""
                        if row.numerator is None and row.denominator is None
                        else display_number("", row.denominator),
                        "definition": row.definition,
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
    paths = columns + (
        [f"survey_had_interaction.{c}" for c in HAD_INTERACTION_COLUMNS] if has_block else []
    )
    headers = [label_for(f"by_department.*.{path}") for path in paths[2:]]
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
    """The period's PRISM notes by domain, with the domains' and tags' names in the active
    language (the report's data keeps the English ones of the JSON contract)."""
    groups = []
    for value, label in PrismDomain.choices:
        notes = [
            {**note, "tag_label": PrismTag(note["tag"]).label}
            for note in report.prism_notes
            if note["domain"] == value
        ]
        if notes:
            groups.append({"domain": label, "notes": notes})
    return groups


# --- Dashboard: headline cards and the page context ----------------------------------------

# Each dimension's key figures: (dimension, the figure, the figure it is a part of or None, the
# whole it is counted against or None, how the card says so: {part} and {whole} are the two
# figures as shown; gettext_noop: translated when shown).
CARDS: tuple[tuple[str, str, str | None, str | None, str], ...] = (
    (
        "reach",
        "reach.successful_interactions",
        None,
        "reach.interactions_logged",
        gettext_noop("of {whole} contacts logged, attempts included"),
    ),
    (
        "reach",
        "reach.proportion_supported",
        "reach.unique_physicians_supported",
        "reach.eligible_physicians",
        gettext_noop("{part} of {whole} physicians who could be supported"),
    ),
    (
        "reach",
        "reach.interactions_per_100_physician_years",
        "reach.successful_interactions",
        "reach.physician_years",
        gettext_noop("{part} conversations over {whole} physician-years"),
    ),
    (
        "effectiveness",
        "effectiveness.would_recommend.proportion",
        "effectiveness.would_recommend.yes",
        "effectiveness.would_recommend.respondents",
        gettext_noop("{part} of {whole} who answered"),
    ),
    (
        "effectiveness",
        "reach.survey_had_interaction.proportion",
        "reach.survey_had_interaction.yes",
        "reach.survey_had_interaction.respondents",
        gettext_noop("{part} of {whole} who answered"),
    ),
    (
        "effectiveness",
        "effectiveness.wellbeing.mean_index",
        None,
        "effectiveness.wellbeing.respondents",
        gettext_noop("from {whole} who answered"),
    ),
    (
        "adoption",
        "adoption.proportion_departments",
        "adoption.departments_adopted",
        "adoption.departments_total",
        gettext_noop("{part} of {whole} departments"),
    ),
    (
        "adoption",
        "adoption.proportion_physicians_covered",
        "adoption.physicians_in_adopting_departments",
        "adoption.physicians_total",
        gettext_noop("{part} of {whole} physicians on the roster"),
    ),
    (
        "adoption",
        "adoption.supporters_per_100_physicians",
        "adoption.supporters_trained",
        "reach.eligible_physicians",
        gettext_noop("{part} trained peer supporters for {whole} physicians"),
    ),
    (
        "implementation",
        "implementation.duration_minutes.median",
        None,
        "implementation.duration_minutes.n",
        gettext_noop("over {whole} conversations"),
    ),
    (
        "implementation",
        "implementation.referrals.hours_to_first_contact.median",
        None,
        "implementation.referrals.hours_to_first_contact.n",
        gettext_noop("over {whole} requests contacted"),
    ),
    (
        "implementation",
        "implementation.referrals.proportion_within_deadline",
        "implementation.referrals.within_deadline",
        "implementation.referrals.received",
        gettext_noop("{part} of {whole} requests received"),
    ),
    (
        "implementation",
        "implementation.escalation_rate",
        "implementation.escalated",
        "reach.successful_interactions",
        gettext_noop("{part} of {whole} conversations"),
    ),
    (
        "maintenance",
        "maintenance.departments_sustained",
        None,
        "maintenance.departments_eligible_for_sustainment",
        gettext_noop("of {whole} departments running for a year or more"),
    ),
    (
        "maintenance",
        "maintenance.supporters_retained",
        None,
        "maintenance.supporters_eligible_for_retention",
        gettext_noop("of {whole} trained a year ago or more"),
    ),
    (
        "maintenance",
        "maintenance.supporters_training_current",
        None,
        "adoption.supporters_trained",
        gettext_noop("of {whole} trained peer supporters"),
    ),
    ("maintenance", "maintenance.trend_ratio", None, None, ""),
)


def _card_number(data: dict[str, Any], exact: dict[str, Any], path: str) -> str:
    value = lookup(data, path)
    return display_number(path, value, suppressed=value is None and lookup(exact, path) is not None)


def headline_cards(report: ReAimReport) -> list[dict[str, Any]]:
    """Each dimension's key figures, named by ``labels.py``, each with what it is counted from
    (``5 of 6 requests received``)."""
    data, exact = report.data, report.exact
    cards = []
    for dimension, path, part, whole, words in CARDS:
        phrase = _(words) if words else ""
        if not has_path(exact, path):
            continue  # a number this report does not hold
        numbers = {
            name: (figure, _card_number(data, exact, figure))
            for name, figure in (("part", part), ("whole", whole))
            if figure is not None
        }
        cards.append(
            {
                "dimension": dimension,
                "path": path,
                "label": label_for(path),
                "value": _card_number(data, exact, path),
                "detail": phrase.format(**{name: shown for name, (_, shown) in numbers.items()}),
                "detail_html": tagged_phrase(phrase, numbers),
                "definition": definition_for(path),
            }
        )
    return cards


def dashboard_context(
    report: ReAimReport, previous: ReAimReport | None = None, *, compare: bool = False
) -> dict[str, Any]:
    """Everything a dashboard page shows, from the one report: the five dimensions' summary
    (with ``compare``, each against ``previous``, None when there is no previous period), then
    each dimension's key figures, charts and every number."""
    charts = chart_specs(report.data)
    cards = headline_cards(report)
    sections = section_views(report)
    for section in sections:
        section.cards = [card for card in cards if card["dimension"] == section.key]
    return {
        "summary": summary_cards(report, previous, compare=compare),
        "compared_with": previous,
        "compare": compare,
        "cards": cards,
        "sections": sections,
        "charts": charts,
        "chart_data": [chart.as_dict() for chart in charts if not chart.empty_text],
        "by_department": by_department_view(report),
        "department_charts": [c for c in charts if c.dimension == "by_department"],
        "prism": prism_by_domain(report),
        "prism_tags": prism_tag_counts(report),
    }
