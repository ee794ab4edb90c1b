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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from post_program.suppression import SUPPRESSED_KEY

from .labels import short_label_for
from .numbers import missing_text, number_text, percent_text

PALETTE = ("#0d6efd", "#d63384", "#198754", "#fd7e14", "#6f42c1", "#20c997")


# The chart's words when it is not drawn (gettext_noop: translated when shown, ``empty_text``).
ALL_HIDDEN_TEXT = gettext_noop(
    "All values in this chart are hidden because the groups are too small to show safely."
)
SOME_HIDDEN_TEXT = gettext_noop(
    "Nothing to draw: some values are hidden because the groups are too small to show "
    "safely, and the others are zero or not available."
)
NOTHING_TEXT = gettext_noop("Nothing to draw: every value in this chart is zero or not available.")


@dataclass
class Series:
    label: str
    values: list[float | int | None]
    kind: str = "bar"  # bar or line
    percent: bool = False
    hidden: list[bool] = field(default_factory=list)
    """Which values suppression hid (the others that are None have no denominator)."""


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
    def table(self) -> list[tuple[str, list[str]]]:
        """The table alternative as shown: each value written out, or why it is missing."""
        return [
            (label, [_cell(series, index) for series in self.series])
            for index, label in enumerate(self.labels)
        ]

    @property
    def is_empty(self) -> bool:
        return not self.labels

    @property
    def has_gaps(self) -> bool:
        """Whether a value is missing (suppressed, or null for want of a denominator)."""
        return any(value is None for series in self.series for value in series.values)

    @property
    def empty_text(self) -> str:
        """Why the chart is not drawn ("" when it is): a chart without one value above zero
        would be bare axes, so it says what happened to its values instead."""
        values = [value for series in self.series for value in series.values]
        if any(value for value in values):
            return ""
        hidden = [flag for series in self.series for flag in series.hidden]
        if values and len(hidden) == len(values) and all(hidden):
            return _(ALL_HIDDEN_TEXT)
        if any(hidden):
            return _(SOME_HIDDEN_TEXT)
        return _(NOTHING_TEXT)


def _is_hidden(series: Series, index: int) -> bool:
    return index < len(series.hidden) and series.hidden[index]


def _cell(series: Series, index: int) -> str:
    value = series.values[index]
    if value is None or _is_hidden(series, index):
        return missing_text(hidden=_is_hidden(series, index))
    return _number(value, series.percent)


def quarter_label(start: str, end: str) -> str:
    """``2023 Q3`` for a calendar quarter; ``2023 Q3 (part)`` when the period clips it."""
    first = date.fromisoformat(start)
    last = date.fromisoformat(end)
    quarter = (first.month - 1) // 3 + 1
    whole = first.day == 1 and first.month % 3 == 1 and (last + timedelta(days=1)).day == 1
    whole = whole and (last + timedelta(days=1)).month % 3 == 1
    names = {"year": first.year, "quarter": quarter}
    if whole:
        return _("%(year)s Q%(quarter)s") % names
    return _("%(year)s Q%(quarter)s (part)") % names


def _share(value: float | None) -> float | None:
    return None if value is None else value * 100


def _hidden(block: dict[str, Any], key: str) -> bool:
    """Whether suppression hid ``block[key]``."""
    return key in block.get(SUPPRESSED_KEY, ())


def chart_specs(data: dict[str, Any]) -> list[Chart]:
    """Every chart of a report, from its data (suppressed where the data is)."""
    charts: list[Chart] = []
    reach = data["reach"]
    implementation = data["implementation"]
    maintenance = data["maintenance"]
    supplementary = data.get("supplementary", {})
    conversations = _("Support conversations")
    rate = _("Conversations per 100 physician-years")

    trend = supplementary.get("quarterly_trend", [])
    if trend:
        charts.append(
            Chart(
                id="chart-quarterly-trend",
                title=_("Support conversations and their rate per 100 physician-years, by quarter"),
                dimension="maintenance",
                labels=[quarter_label(q["from"], q["to"]) for q in trend],
                series=[
                    _series(conversations, trend, "successful_interactions"),
                    _series(rate, trend, "interactions_per_100_physician_years", kind="line"),
                ],
            )
        )
    by_year = maintenance.get("by_year", [])
    if by_year and "interactions_per_100_physician_years" in by_year[0]:
        charts.append(
            Chart(
                id="chart-by-year",
                title=_("Conversations per 100 physician-years, by 12-month window"),
                dimension="maintenance",
                labels=[
                    _("%(start)s to %(end)s") % {"start": w["from"], "end": w["to"]}
                    for w in by_year
                ],
                series=[_series(rate, by_year, "interactions_per_100_physician_years")],
            )
        )
    if "by_source" in reach:
        names = [k for k in reach["by_source"] if k != SUPPRESSED_KEY]
        charts.append(
            Chart(
                id="chart-reach-source",
                title=_("Support conversations, by how they began"),
                dimension="reach",
                labels=[short_label_for(f"reach.by_source.{n}") for n in names],
                series=[_block_series(conversations, reach["by_source"], names)],
            )
        )
    referrals = implementation.get("referrals")
    if referrals:
        outcomes = referrals["outcomes"]
        charts.append(
            Chart(
                id="chart-referral-funnel",
                title=_("Requests for support: received, contacted, supported"),
                dimension="implementation",
                labels=[_("Received"), _("Contacted"), _("Supported")],
                series=[
                    Series(
                        _("Requests"),
                        [referrals["received"], referrals["contacted"], outcomes["supported"]],
                        hidden=[
                            _hidden(referrals, "received"),
                            _hidden(referrals, "contacted"),
                            _hidden(outcomes, "supported"),
                        ],
                    )
                ],
            )
        )
        outcome_names = [k for k in outcomes if k != SUPPRESSED_KEY]
        charts.append(
            Chart(
                id="chart-referral-outcomes",
                title=_("What became of the requests"),
                dimension="implementation",
                labels=[
                    short_label_for(f"implementation.referrals.outcomes.{n}") for n in outcome_names
                ],
                series=[_block_series(_("Requests"), outcomes, outcome_names)],
            )
        )
    histogram = supplementary.get("duration_histogram")
    if histogram:
        bands = [k for k in histogram if k != SUPPRESSED_KEY]
        charts.append(
            Chart(
                id="chart-duration",
                title=_("Length of support conversations"),
                dimension="implementation",
                labels=[short_label_for(f"supplementary.duration_histogram.{b}") for b in bands],
                series=[_block_series(conversations, histogram, bands)],
            )
        )
    survey = _survey_items(data)
    if survey:
        charts.append(
            Chart(
                id="chart-survey",
                title=_("Survey answers: share answering yes or agreeing"),
                dimension="effectiveness",
                labels=[label for label, _, _ in survey],
                series=[
                    Series(
                        _("Percent"),
                        [_share(v) for _, v, _ in survey],
                        percent=True,
                        hidden=[hidden for _, _, hidden in survey],
                    )
                ],
                horizontal=True,
            )
        )
    rows = data.get("by_department", [])
    if rows and "interactions_per_100_physician_years" in rows[0]:
        charts.append(
            Chart(
                id="chart-by-department",
                title=_("Conversations per 100 physician-years, by department"),
                dimension="by_department",
                labels=[f"{r['site']}/{r['department']}" for r in rows],
                series=[_series(rate, rows, "interactions_per_100_physician_years")],
                horizontal=True,
            )
        )
    return charts


def _series(label: str, entries: list[dict[str, Any]], key: str, *, kind: str = "bar") -> Series:
    """One value per entry of a list (quarters, years, departments)."""
    return Series(
        label,
        [entry[key] for entry in entries],
        kind=kind,
        hidden=[_hidden(entry, key) for entry in entries],
    )


def _block_series(label: str, block: dict[str, Any], names: list[str]) -> Series:
    """One value per key of one block (sources, outcomes, duration bands)."""
    return Series(label, [block[n] for n in names], hidden=[_hidden(block, n) for n in names])


def _survey_items(data: dict[str, Any]) -> list[tuple[str, float | None, bool]]:
    """(label, share, hidden) for every survey question the report holds."""
    blocks: list[tuple[str, str, dict[str, Any]]] = []
    had = data["reach"].get("survey_had_interaction")
    if had:
        blocks.append(("reach.survey_had_interaction", _("all physicians"), had))
    effectiveness = data["effectiveness"]
    if "would_recommend" in effectiveness:
        blocks.append(
            ("effectiveness.would_recommend", _("all physicians"), effectiveness["would_recommend"])
        )
    for group, who in (
        ("recipient_feedback", _("supported colleagues")),
        ("supporter_training", _("peer supporters")),
    ):
        for name, block in effectiveness.get(group, {}).items():
            blocks.append((f"effectiveness.{group}.{name}", who, block))
    return [
        (
            _("%(question)s (%(who)s)")
            % {"question": short_label_for(f"{path}.proportion"), "who": who},
            block["proportion"],
            _hidden(block, "proportion"),
        )
        for path, who, block in blocks
    ]


# --- SVG for the PDF ------------------------------------------------------------------------


def _number(value: float | int, percent: bool) -> str:
    if percent:
        return percent_text(value)
    if isinstance(value, int):
        return number_text(value)
    return number_text(value, 2)


def chart_svg(chart: Chart, *, width: int = 640, bar_height: int = 18) -> SafeString:
    """The chart as an SVG horizontal bar chart (one group of bars per category), every text
    escaped. Each value is written beside its bar; a missing one says "suppressed" when
    suppression hid it, "not available" otherwise."""
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
                        '<text x="{}" y="{}" font-size="9" font-style="italic">{}</text>',
                        label_width + 2,
                        top + bar_height - 5,
                        _cell(s, index),
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
