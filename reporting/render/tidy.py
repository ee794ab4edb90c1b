"""The report's numbers one row each, as the tidy CSV, the XLSX sheets and the pages list them.

A row names its dimension, metric and scope, the value shown, and for a ratio the numerator and
denominator it was computed from; a value hidden by suppression is marked so every format can
say "suppressed" where the number would be.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from post_program.suppression import SUPPRESSED_KEY

from ..charts import quarter_label
from ..labels import definition_for, label_for
from ..report import SECTIONS, ReAimReport

SUPPRESSED_TEXT = "suppressed"

# Ratios and where their numerator and denominator are found (paths into the report).
RATIOS: dict[str, tuple[str, str]] = {
    "reach.proportion_supported": (
        "reach.unique_physicians_supported",
        "reach.eligible_physicians",
    ),
    "reach.interactions_per_100_physician_years": (
        "reach.successful_interactions",
        "reach.physician_years",
    ),
    "adoption.proportion_departments": (
        "adoption.departments_adopted",
        "adoption.departments_total",
    ),
    "adoption.proportion_physicians_covered": (
        "adoption.physicians_in_adopting_departments",
        "adoption.physicians_total",
    ),
    "adoption.supporters_per_100_physicians": (
        "adoption.supporters_trained",
        "reach.eligible_physicians",
    ),
    "implementation.escalation_rate": (
        "implementation.escalated",
        "reach.successful_interactions",
    ),
    "implementation.referrals.proportion_within_deadline": (
        "implementation.referrals.within_deadline",
        "implementation.referrals.received",
    ),
    "effectiveness.wellbeing.proportion_poor": (
        "effectiveness.wellbeing.poor_wellbeing",
        "effectiveness.wellbeing.respondents",
    ),
}


def lookup(data: dict[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of the report (None where a part is missing)."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def has_path(data: dict[str, Any], path: str) -> bool:
    """Whether the report holds a value (possibly null) at the dotted ``path``."""
    parent, _, leaf = path.rpartition(".")
    node = lookup(data, parent) if parent else data
    return isinstance(node, dict) and leaf in node


@dataclass(frozen=True)
class TidyRow:
    """One number of the report: the columns of the tidy CSV."""

    dimension: str
    metric: str
    scope: str
    value: Any
    numerator: Any = None
    denominator: Any = None
    suppressed: bool = False
    key: str = ""
    """The figure's path in ``labels.FIGURES`` (list entries as ``*``)."""
    window: str = ""
    """For a figure of one window of a list (a year, a quarter), that window in words."""

    @property
    def label(self) -> str:
        """The figure's plain label, with its window where it has one."""
        label = label_for(self.key)
        return f"{label}, {self.window}" if self.window else label

    @property
    def definition(self) -> str:
        return definition_for(self.key)

    def cells(self) -> list[Any]:
        return [
            self.dimension,
            self.metric,
            self.scope,
            shown_value(self.value, suppressed=self.suppressed),
            self.numerator,
            self.denominator,
        ]


TIDY_HEADER = ["dimension", "metric", "scope", "value", "numerator", "denominator"]


def department_key(row: dict[str, Any]) -> str:
    """``SITE/DEPARTMENT``, the name of a ``by_department`` row."""
    return f"{row['site']}/{row['department']}"


def _window_name(entry: dict[str, Any]) -> str:
    return f"{entry['from']}..{entry['to']}"


def window_words(path: str, entry: dict[str, Any]) -> str:
    """A window of a list as people read it: ``2020 Q3`` for a quarter, the dates for a year."""
    if path.endswith(("by_quarter", "quarterly_trend")):
        return quarter_label(entry["from"], entry["to"])
    return _("12 months %(start)s to %(end)s") % {"start": entry["from"], "end": entry["to"]}


@dataclass(frozen=True)
class _Leaf:
    name: str  # the tidy metric name (windows as FROM..TO)
    key: str  # the same with windows as *: the key of labels.FIGURES
    window: str
    value: Any
    hidden: list[str]


def _flatten(node: Any, prefix: str, key: str = "", window: str = "") -> Iterator[_Leaf]:
    """Every number under ``node`` with its names and the names suppressed beside it."""
    if isinstance(node, dict):
        hidden = node.get(SUPPRESSED_KEY, [])
        for part, value in node.items():
            if part == SUPPRESSED_KEY:
                continue
            name = f"{prefix}.{part}" if prefix else part
            path = f"{key}.{part}" if key else part
            if isinstance(value, (dict, list)):
                yield from _flatten(value, name, path, window)
            else:
                yield _Leaf(name, path, window, value, hidden)
    elif isinstance(node, list):
        for entry in node:
            yield from _flatten(
                {k: v for k, v in entry.items() if k not in ("from", "to")},
                f"{prefix}.{_window_name(entry)}",
                f"{key}.*",
                window_words(key, entry),
            )


def _ratio_parts(data: dict, exact: dict, path: str) -> tuple[Any, Any, bool]:
    """Numerator, denominator and whether the value was suppressed, for the number at
    ``path`` (numerator and denominator are None for plain counts)."""
    shown = lookup(data, path)
    was = lookup(exact, path)
    suppressed = shown is None and was is not None
    if path in RATIOS:
        numerator, denominator = RATIOS[path]
        return lookup(data, numerator), lookup(data, denominator), suppressed
    parent, _, leaf = path.rpartition(".")
    block = lookup(data, parent) if parent else None
    if leaf == "proportion" and isinstance(block, dict):
        positive = "agree" if "agree" in block else "yes"
        return block.get(positive), block.get("respondents"), suppressed
    if leaf == "acceptance_rate":
        outcomes = lookup(data, f"{parent}.outcomes") or {}
        supported, declined = outcomes.get("supported"), outcomes.get("declined")
        total = None if supported is None or declined is None else supported + declined
        return supported, total, suppressed
    if leaf == "interactions_per_100_physician_years" and isinstance(block, dict):
        return block.get("successful_interactions"), block.get("physician_years"), suppressed
    if leaf == "trend_ratio":
        by_year = lookup(data, f"{parent}.by_year") or []
        if by_year:
            return (
                by_year[-1].get("interactions_per_100_physician_years"),
                by_year[0].get("interactions_per_100_physician_years"),
                suppressed,
            )
    return None, None, suppressed


def tidy_rows(report: ReAimReport) -> list[TidyRow]:
    """Every number of the report, one row each (the tidy CSV; the XLSX dimension sheets)."""
    data, exact = report.data, report.exact
    scope = report.scope.label
    rows: list[TidyRow] = []
    for section in SECTIONS:
        for leaf in _flatten(data[section], "", section):
            path = f"{section}.{leaf.name}"
            numerator, denominator, suppressed = _ratio_parts(data, exact, path)
            if leaf.name.rpartition(".")[2] in leaf.hidden:
                suppressed = True
            rows.append(
                TidyRow(
                    section,
                    leaf.name,
                    scope,
                    leaf.value,
                    numerator,
                    denominator,
                    suppressed,
                    key=leaf.key,
                    window=leaf.window,
                )
            )
    for shown_row, exact_row in zip(data["by_department"], exact["by_department"], strict=True):
        label = department_key(shown_row)
        for leaf in _flatten(
            {k: v for k, v in shown_row.items() if k not in ("site", "department")},
            "",
            "by_department.*",
        ):
            name, value = leaf.name, leaf.value
            was = lookup(exact_row, name)
            suppressed = value is None and was is not None
            numerator = denominator = None
            if name == "interactions_per_100_physician_years":
                numerator = shown_row.get("successful_interactions")
                denominator = shown_row.get("physician_years")
            elif name.endswith(".proportion"):
                block = lookup(shown_row, name.rpartition(".")[0])
                positive = "agree" if "agree" in block else "yes"
                numerator, denominator = block.get(positive), block.get("respondents")
            rows.append(
                TidyRow(
                    "by_department",
                    name,
                    label,
                    value,
                    numerator,
                    denominator,
                    suppressed,
                    key=leaf.key,
                )
            )
    return rows


# --- By department: the table's columns and cells (the XLSX sheet and the dashboards) -------

BY_DEPARTMENT_COLUMNS = (
    "site",
    "department",
    "launched_on",
    "adopted",
    "physicians",
    "successful_interactions",
    "unique_physicians_supported",
    "physician_years",
    "interactions_per_100_physician_years",
    "median_duration_minutes",
    "supporters_trained",
)
HAD_INTERACTION_COLUMNS = ("yes", "respondents", "proportion")


def shown_value(value: Any, *, suppressed: bool = False) -> Any:
    """A cell as a table shows it: the value, or ``suppressed`` where it is hidden."""
    if suppressed:
        return SUPPRESSED_TEXT
    return value


def by_department_columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The count and value columns the rows hold, in the JSON contract's order (docs/metrics.md)."""
    present = set(rows[0]) if rows else set(BY_DEPARTMENT_COLUMNS)
    return [column for column in BY_DEPARTMENT_COLUMNS if column in present]


def by_department_cells(row: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    """One department's cells for ``columns`` and its survey block, hidden ones marked."""
    hidden = set(row.get(SUPPRESSED_KEY, []))
    cells = [shown_value(row.get(column), suppressed=column in hidden) for column in columns]
    block = row.get("survey_had_interaction")
    if block is not None:
        block_hidden = set(block.get(SUPPRESSED_KEY, []))
        for column in HAD_INTERACTION_COLUMNS:
            cells.append(shown_value(block.get(column), suppressed=column in block_hidden))
    return cells
