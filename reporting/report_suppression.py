"""Suppression of the RE-AIM report (docs/metrics.md, Suppression), by the core rule of
``post_program/suppression.py``.

The report is read as three things, each named by its dotted path (list entries by index,
``by_department.2.successful_interactions``):

* the counts of people or events of care: interactions, physicians supported, referrals and
  their stages and outcomes, escalations, survey respondents and answers, wherever they stand;
* the sums that tie them (``Relation``): a breakdown and its total, a stage and the stage
  before it, a count and its copy elsewhere (``duration_minutes.n`` is
  ``successful_interactions``), the windows of ``by_year`` and ``by_quarter`` and the period,
  each department's cell and the program's;
* the values computed from them: proportions, rates, means, medians, percentiles and the total
  of support hours.

``suppress_related`` hides every count 0 < c < K and whatever would let one be recomputed;
every value computed from a hidden count becomes null (a count shown is 0 or at least K, so
nothing left is computed over fewer than K values). Counts that describe the program
(departments, roster, trained supporters and what they did) are not counts of care and stay.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from post_program.suppression import SUPPRESSED_KEY, Relation, suppress_related

STATISTICS = ("median", "p25", "p75", "mean")
"""Statistics of a distribution, each computed over its ``n`` values."""

REPORT_PARTS = (
    "reach",
    "effectiveness",
    "adoption",
    "implementation",
    "maintenance",
    "by_department",
    "supplementary",
)
"""The parts of the report that hold numbers (``period``, ``scope`` and ``prism`` do not)."""


def get_path(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` (list entries by index)."""
    node = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def item_positive_key(block: dict[str, Any]) -> str:
    """``agree`` for a Likert item block, ``yes`` for a yes/no item block."""
    for key in ("agree", "yes"):
        if key in block:
            return key
    raise ValueError("a survey item block needs an 'agree' or a 'yes' count")


class SuppressionPlan:
    """The counts of care in one report, the relations between them and what is computed from
    them (built from the exact report)."""

    def __init__(self, exact: dict[str, Any]) -> None:
        self.exact = exact
        self.counts: dict[str, int] = {}
        self.relations: list[Relation] = []
        self.derived: dict[str, tuple[str, ...]] = {}
        self._reach()
        self._effectiveness()
        self._implementation()
        self._maintenance()
        self._by_department()

    # -- building blocks --

    def count(self, path: str) -> str:
        self.counts[path] = get_path(self.exact, path)
        return path

    def relate(self, total: str, cells: Iterable[str]) -> None:
        self.relations.append(Relation(total, tuple(cells)))

    def same(self, first: str, second: str) -> None:
        """Two places that hold one count: hiding either hides the other."""
        self.relate(first, [second])
        self.relate(second, [first])

    def derive(self, path: str, *depends_on: str) -> None:
        self.derived[path] = depends_on

    def breakdown(self, total: str, path: str) -> list[str]:
        block = get_path(self.exact, path)
        cells = [self.count(f"{path}.{name}") for name in block if name != SUPPRESSED_KEY]
        self.relate(total, cells)
        return cells

    def item(self, path: str) -> tuple[str, str]:
        """A survey item block: its positive answers are part of its respondents."""
        block = get_path(self.exact, path)
        positive = self.count(f"{path}.{item_positive_key(block)}")
        respondents = self.count(f"{path}.respondents")
        self.relate(respondents, [positive])
        self.derive(f"{path}.proportion", positive, respondents)
        return positive, respondents

    def distribution(self, path: str, count: str) -> None:
        """``{n, median, ...}`` over the events counted by ``count``."""
        n = self.count(f"{path}.n")
        self.same(count, n)
        for name in STATISTICS:
            if name in get_path(self.exact, path):
                self.derive(f"{path}.{name}", n)

    # -- the report's parts --

    def _reach(self) -> None:
        successful = self.count("reach.successful_interactions")
        self.relate(self.count("reach.interactions_logged"), [successful])
        unique = self.count("reach.unique_physicians_supported")
        self.derive("reach.proportion_supported", unique)
        self.derive("reach.interactions_per_100_physician_years", successful)
        self.breakdown(successful, "reach.by_source")
        self.item("reach.survey_had_interaction")

    def _effectiveness(self) -> None:
        effectiveness = self.exact["effectiveness"]
        self.item("effectiveness.would_recommend")
        for group in ("recipient_feedback", "supporter_training"):
            for name in effectiveness[group]:
                self.item(f"effectiveness.{group}.{name}")
        respondents = self.count("effectiveness.wellbeing.respondents")
        poor = self.count("effectiveness.wellbeing.poor_wellbeing")
        self.relate(respondents, [poor])
        self.derive("effectiveness.wellbeing.mean_index", respondents)
        self.derive("effectiveness.wellbeing.proportion_poor", poor, respondents)

    def _implementation(self) -> None:
        successful = "reach.successful_interactions"
        self.distribution("implementation.duration_minutes", successful)
        self.derive("implementation.total_support_hours", successful)
        escalated = self.count("implementation.escalated")
        self.relate(successful, [escalated])
        self.derive("implementation.escalation_rate", escalated, successful)
        received = self.count("implementation.referrals.received")
        self.breakdown(received, "implementation.referrals.by_source")
        contacted = self.count("implementation.referrals.contacted")
        within = self.count("implementation.referrals.within_deadline")
        self.relate(received, [contacted])
        self.relate(contacted, [within])
        self.relate(received, [within])
        self.distribution("implementation.referrals.hours_to_first_contact", contacted)
        self.derive("implementation.referrals.proportion_within_deadline", within, received)
        self.breakdown(received, "implementation.referrals.outcomes")
        self.derive(
            "implementation.referrals.acceptance_rate",
            "implementation.referrals.outcomes.supported",
            "implementation.referrals.outcomes.declined",
        )

    def _maintenance(self) -> None:
        successful = "reach.successful_interactions"
        maintenance = self.exact["maintenance"]
        years = []
        for index in range(len(maintenance["by_year"])):
            path = f"maintenance.by_year.{index}"
            years.append(self.count(f"{path}.successful_interactions"))
            self.derive(f"{path}.interactions_per_100_physician_years", years[-1])
        self.relate(successful, years)
        quarters = [
            self.count(f"maintenance.by_quarter.{index}.successful_interactions")
            for index in range(len(maintenance["by_quarter"]))
        ]
        self.relate(successful, quarters)
        starts = {q["from"] for q in maintenance["by_quarter"]}
        ends = {q["to"] for q in maintenance["by_quarter"]}
        for year, window in zip(years, maintenance["by_year"], strict=True):
            if window["from"] in starts and window["to"] in ends:  # made of whole quarters
                self.relate(
                    year,
                    [
                        quarter
                        for quarter, q in zip(quarters, maintenance["by_quarter"], strict=True)
                        if window["from"] <= q["from"] and q["to"] <= window["to"]
                    ],
                )
        if years:
            self.derive("maintenance.trend_ratio", years[0], years[-1])
        supplementary = self.exact["supplementary"]
        for index, quarter in enumerate(quarters[: len(supplementary["quarterly_trend"])]):
            path = f"supplementary.quarterly_trend.{index}"
            self.same(quarter, self.count(f"{path}.successful_interactions"))
            self.derive(f"{path}.interactions_per_100_physician_years", quarter)
        self.breakdown(successful, "supplementary.duration_histogram")

    def _by_department(self) -> None:
        columns: dict[str, list[str]] = {"successful": [], "unique": [], "yes": [], "resp": []}
        for index in range(len(self.exact["by_department"])):
            path = f"by_department.{index}"
            successful = self.count(f"{path}.successful_interactions")
            columns["successful"].append(successful)
            columns["unique"].append(self.count(f"{path}.unique_physicians_supported"))
            self.derive(f"{path}.interactions_per_100_physician_years", successful)
            self.derive(f"{path}.median_duration_minutes", successful)
            yes, respondents = self.item(f"{path}.survey_had_interaction")
            columns["yes"].append(yes)
            columns["resp"].append(respondents)
        self.relate("reach.successful_interactions", columns["successful"])
        self.relate("reach.unique_physicians_supported", columns["unique"])
        self.relate("reach.survey_had_interaction.yes", columns["yes"])
        self.relate("reach.survey_had_interaction.respondents", columns["resp"])


def _add_suppressed_lists(node: Any) -> None:
    """Give every dict that holds a number a ``suppressed`` list (empty for now)."""
    if isinstance(node, list):
        for entry in node:
            _add_suppressed_lists(entry)
    elif isinstance(node, dict):
        if any(value is None or isinstance(value, (int, float)) for value in node.values()):
            node.setdefault(SUPPRESSED_KEY, [])
        for value in node.values():
            _add_suppressed_lists(value)


def suppress_report(exact: dict[str, Any], threshold: int | None) -> dict[str, Any]:
    """A copy of the report with the suppression of ``docs/metrics.md`` at threshold K.

    Each hidden count and each value computed from one is null and named in the ``suppressed``
    list of the dict that holds it, in that dict's order; every dict of numbers carries such a
    list, empty when nothing in it is hidden. Without a threshold the report is unchanged.
    """
    if threshold is None:
        return exact
    plan = SuppressionPlan(exact)
    hidden = suppress_related(plan.counts, threshold, plan.relations)
    hidden |= {
        path
        for path, depends_on in plan.derived.items()
        if any(name in hidden for name in depends_on) and get_path(exact, path) is not None
    }
    data = copy.deepcopy(exact)
    for part in REPORT_PARTS:
        if part in data:
            _add_suppressed_lists(data[part])
    for path in hidden:
        parent, _, leaf = path.rpartition(".")
        node = get_path(data, parent)
        node[leaf] = None
        node[SUPPRESSED_KEY].append(leaf)
    for path in {path.rpartition(".")[0] for path in hidden}:
        node = get_path(data, path)
        node[SUPPRESSED_KEY] = [name for name in node if name in node[SUPPRESSED_KEY]]
    return data
