"""Charts of the report, described once and drawn twice.

``chart_specs(data)`` describes every chart of a report (title, labels, series) from the
report's data; the dashboard hands those descriptions to Chart.js in the browser (with a table
of the same numbers for screen readers), and the PDF draws them here as SVG on the server,
since Chart.js needs a browser. Suppressed values (None) are drawn as gaps and labelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

PALETTE = ("#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#20c997")


@dataclass
class Series:
    label: str
    values: list[float | int | None]
    kind: str = "bar"  # bar or line
    percent: bool = False


@dataclass
class Chart:
    """One chart: categories on one axis, one or more series of numbers."""

    id: str
    title: str
    dimension: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    horizontal: bool = False
    note: str = ""
    svg: str = ""  # the chart drawn by ``chart_svg``, for the PDF only

    def as_dict(self) -> dict[str, Any]:
        """What the dashboard's script needs (goes through ``json_script``)."""
        return {
            "id": self.id,
            "title": self.title,
            "labels": self.labels,
            "horizontal": self.horizontal,
            "series": [
                {"label": s.label, "values": s.values, "kind": s.kind, "percent": s.percent}
                for s in self.series
            ],
        }

    @property
    def rows(self) -> list[tuple[str, list[Any]]]:
        """The table alternative: one row per category, one cell per series."""
        return [
            (label, [series.values[i] for series in self.series])
            for i, label in enumerate(self.labels)
        ]

    @property
    def is_empty(self) -> bool:
        return not self.labels

    @property
    def has_gaps(self) -> bool:
        """Whether a value is missing (suppressed, or null for want of a denominator)."""
        return any(value is None for series in self.series for value in series.values)


def quarter_label(start: str, end: str) -> str:
    """``2023 Q3`` for a calendar quarter; ``2023 Q3 (part)`` when the period clips it."""
    first = date.fromisoformat(start)
    last = date.fromisoformat(end)
    quarter = (first.month - 1) // 3 + 1
    whole = first.day == 1 and first.month % 3 == 1 and (last + timedelta(days=1)).day == 1
    whole = whole and (last + timedelta(days=1)).month % 3 == 1
    return f"{first.year} Q{quarter}" + ("" if whole else " (part)")


def _share(value: float | None) -> float | None:
    return None if value is None else value * 100


def chart_specs(data: dict[str, Any]) -> list[Chart]:
    """Every chart of a report, from its data (suppressed where the data is)."""
    charts: list[Chart] = []
    reach = data["reach"]
    implementation = data["implementation"]
    maintenance = data["maintenance"]
    supplementary = data.get("supplementary", {})

    trend = supplementary.get("quarterly_trend", [])
    if trend:
        charts.append(
            Chart(
                id="chart-quarterly-trend",
                title="Successful interactions and rate per 100 physician-years, by quarter",
                dimension="maintenance",
                labels=[quarter_label(q["from"], q["to"]) for q in trend],
                series=[
                    Series(
                        "Successful interactions", [q["successful_interactions"] for q in trend]
                    ),
                    Series(
                        "Per 100 physician-years",
                        [q["interactions_per_100_physician_years"] for q in trend],
                        kind="line",
                    ),
                ],
            )
        )
    by_year = maintenance.get("by_year", [])
    if by_year and "interactions_per_100_physician_years" in by_year[0]:
        charts.append(
            Chart(
                id="chart-by-year",
                title="Rate per 100 physician-years, by 12-month window",
                dimension="maintenance",
                labels=[f"{w['from']} to {w['to']}" for w in by_year],
                series=[
                    Series(
                        "Per 100 physician-years",
                        [w["interactions_per_100_physician_years"] for w in by_year],
                    )
                ],
            )
        )
    if "by_source" in reach:
        names = [k for k in reach["by_source"] if k != "suppressed"]
        charts.append(
            Chart(
                id="chart-reach-source",
                title="Successful interactions by source",
                dimension="reach",
                labels=[n.replace("_", " ") for n in names],
                series=[Series("Successful interactions", [reach["by_source"][n] for n in names])],
            )
        )
    referrals = implementation.get("referrals")
    if referrals:
        charts.append(
            Chart(
                id="chart-referral-funnel",
                title="Referral funnel",
                dimension="implementation",
                labels=["Received", "Contacted", "Supported"],
                series=[
                    Series(
                        "Referrals",
                        [
                            referrals["received"],
                            referrals["contacted"],
                            referrals["outcomes"]["supported"],
                        ],
                    )
                ],
            )
        )
        outcome_names = [k for k in referrals["outcomes"] if k != "suppressed"]
        charts.append(
            Chart(
                id="chart-referral-outcomes",
                title="Referral outcomes",
                dimension="implementation",
                labels=[n.replace("_", " ") for n in outcome_names],
                series=[Series("Referrals", [referrals["outcomes"][n] for n in outcome_names])],
            )
        )
    histogram = supplementary.get("duration_histogram")
    if histogram:
        bands = [k for k in histogram if k != "suppressed"]
        charts.append(
            Chart(
                id="chart-duration",
                title="Duration of successful interactions (minutes)",
                dimension="implementation",
                labels=bands,
                series=[Series("Successful interactions", [histogram[b] for b in bands])],
            )
        )
    survey = _survey_items(data)
    if survey:
        charts.append(
            Chart(
                id="chart-survey",
                title="Survey results: share answering yes or agree",
                dimension="effectiveness",
                labels=[label for label, _ in survey],
                series=[Series("Percent", [_share(v) for _, v in survey], percent=True)],
                horizontal=True,
            )
        )
    rows = data.get("by_department", [])
    if rows and "interactions_per_100_physician_years" in rows[0]:
        charts.append(
            Chart(
                id="chart-by-department",
                title="Rate per 100 physician-years, by department",
                dimension="by_department",
                labels=[f"{r['site']}/{r['department']}" for r in rows],
                series=[
                    Series(
                        "Per 100 physician-years",
                        [r["interactions_per_100_physician_years"] for r in rows],
                    )
                ],
                horizontal=True,
            )
        )
    return charts


def _survey_items(data: dict[str, Any]) -> list[tuple[str, float | None]]:
    items: list[tuple[str, float | None]] = []
    had = data["reach"].get("survey_had_interaction")
    if had:
        items.append(("Had an interaction (program evaluation)", had["proportion"]))
    effectiveness = data["effectiveness"]
    if "would_recommend" in effectiveness:
        items.append(
            ("Would recommend (program evaluation)", effectiveness["would_recommend"]["proportion"])
        )
    for name, block in effectiveness.get("recipient_feedback", {}).items():
        items.append((f"{name.replace('_', ' ').capitalize()} (recipients)", block["proportion"]))
    for name, block in effectiveness.get("supporter_training", {}).items():
        items.append((f"{name.replace('_', ' ').capitalize()} (supporters)", block["proportion"]))
    return items


# --- SVG for the PDF ------------------------------------------------------------------------


def _number(value: float | int, percent: bool) -> str:
    if percent:
        return f"{value:.1f}%"
    if isinstance(value, int):
        return str(value)
    return f"{value:.2f}"


def chart_svg(chart: Chart, *, width: int = 640, bar_height: int = 18) -> SafeString:
    """The chart as an SVG horizontal bar chart (one group of bars per category), every text
    escaped. Each value is written beside its bar, "suppressed" for hidden ones."""
    label_width = 230
    plot_width = width - label_width - 70
    series = chart.series
    group = bar_height * len(series) + 8
    height = 24 + group * len(chart.labels) + 20 * len(series)
    peak = max((v for s in series for v in s.values if v is not None and v > 0), default=1)
    parts: list[str] = []
    y = 8
    for index, label in enumerate(chart.labels):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
                label_width - 6,
                y + bar_height - 5,
                label,
            )
        )
        for s_index, s in enumerate(series):
            value = s.values[index]
            top = y + s_index * bar_height
            colour = PALETTE[s_index % len(PALETTE)]
            if value is None:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="9" font-style="italic">suppressed or '
                        "not available</text>",
                        label_width + 2,
                        top + bar_height - 5,
                    )
                )
                continue
            length = max(0.0, plot_width * (value / peak)) if peak else 0.0
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="9">{}</text>',
                    label_width,
                    top + 2,
                    f"{length:.1f}",
                    bar_height - 4,
                    colour,
                    label_width + length + 4,
                    top + bar_height - 5,
                    _number(value, s.percent),
                )
            )
        y += group
    if len(series) > 1:
        for s_index, s in enumerate(series):
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="10">{}</text>',
                    label_width,
                    y + 4 + 20 * s_index,
                    PALETTE[s_index % len(PALETTE)],
                    label_width + 14,
                    y + 13 + 20 * s_index,
                    s.label,
                )
            )
    body = format_html("{}" * len(parts), *parts)  # each part is already escaped: kept as is
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}">{}</svg>',
        width,
        height,
        width,
        height,
        chart.title,
        body,
    )
