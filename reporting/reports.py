"""The RE-AIM report: one object per period and scope, and every rendering of it.

``ReAimReport`` computes the numbers of ``metrics.md`` once, from the aggregate queries of
``selectors.py`` and the arithmetic of ``metrics.py``, and holds them as the JSON contract
(``report.data``). Dashboards (HTML), the JSON, the tidy CSV, the XLSX workbook and the PDF are
all renderings of that one dictionary, so they cannot disagree.

With a suppression threshold K (department leads' dashboards, shareable exports, the command's
``--suppress-below``), the small cells named in ``metrics.md`` are replaced by ``None`` and
listed under ``suppressed``; ``report.exact`` keeps the unsuppressed numbers for internal use
only and is never rendered.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from post_program.models import Department, Site
from surveys import selectors as survey_selectors

from . import metrics, selectors
from .charts import chart_specs, chart_svg
from .models import PrismDomain, PrismNote, PrismTag

SECTIONS = ("reach", "effectiveness", "adoption", "implementation", "maintenance")
DIMENSION_LABELS = {
    "reach": "Reach",
    "effectiveness": "Effectiveness",
    "adoption": "Adoption",
    "implementation": "Implementation",
    "maintenance": "Maintenance",
    "by_department": "By department",
    "supplementary": "Supplementary",
}
SUPPRESSED_TEXT = "suppressed"
RECIPIENT_FEEDBACK_LIKERT = (
    "helpful",
    "wellbeing_improved",
    "negative_emotions_decreased",
    "stigma_decreased",
    "comfortable_discussing",
    "culture_improved",
)
SUPPORTER_TRAINING_LIKERT = ("training_useful", "culture_shift", "confidence")


class ReportInputError(ValueError):
    """A period or scope that cannot be reported on; the message is fit to show the user."""


# --- Period and scope -----------------------------------------------------------------------


def period_parse(start: str | date, end: str | date) -> metrics.Window:
    """A report period from two dates (``YYYY-MM-DD`` text or dates), both ends included."""
    dates = []
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, date):
            dates.append(value)
            continue
        try:
            dates.append(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ReportInputError(
                f"the {name} date {value!r} is not a valid date (YYYY-MM-DD)"
            ) from None
    if dates[0] > dates[1]:
        raise ReportInputError(f"the start {dates[0]} is after the end {dates[1]}")
    return metrics.Window(dates[0], dates[1])


@dataclass(frozen=True)
class Scope:
    """What a report covers: the program, one site's departments, or a list of departments.

    ``sites`` and ``departments`` are what was asked for (site names and ``SITE/DEPARTMENT``
    labels) and go into the report's ``scope``; ``department_ids`` is the resolved set (None
    for the program-wide scope, which alone counts survey responses without a department).
    """

    sites: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    department_ids: frozenset[int] | None = None

    @property
    def is_program_wide(self) -> bool:
        return self.department_ids is None

    @property
    def label(self) -> str:
        if self.departments:
            return "; ".join(self.departments)
        if self.sites:
            return "; ".join(self.sites)
        return "Program"

    def as_dict(self) -> dict[str, list[str]]:
        return {"sites": list(self.sites), "departments": list(self.departments)}


PROGRAM_SCOPE = Scope()


def scope_for(*, site: Site | None = None, departments: Sequence[Department] = ()) -> Scope:
    """The scope of a site and/or departments already loaded (forms, views, export jobs).

    With both, the departments must belong to the site and narrow it to themselves.
    """
    departments = sorted(departments, key=lambda d: (d.site.name, d.name, d.pk))
    if site is not None and any(d.site_id != site.pk for d in departments):
        raise ReportInputError(f"a department chosen is not in the site {site.name}")
    if departments:
        return Scope(
            sites=(site.name,) if site else (),
            departments=tuple(d.label for d in departments),
            department_ids=frozenset(d.pk for d in departments),
        )
    if site is not None:
        ids = Department.objects.filter(site=site).values_list("pk", flat=True)
        return Scope(sites=(site.name,), department_ids=frozenset(ids))
    return PROGRAM_SCOPE


def scope_resolve(*, site: str | None = None, departments: Sequence[str] = ()) -> Scope:
    """The scope named on the command line: a site name and/or ``SITE/DEPARTMENT`` labels.

    Labels are matched against the departments' full labels, so names that contain a slash
    work too. Unknown names raise ``ReportInputError`` listing what exists.
    """
    site_obj = None
    if site is not None:
        site_obj = Site.objects.filter(name=site.strip()).first()
        if site_obj is None:
            known = ", ".join(Site.objects.values_list("name", flat=True)) or "none"
            raise ReportInputError(f"unknown site {site!r} (sites: {known})")
    chosen: list[Department] = []
    if departments:
        by_label = {d.label: d for d in Department.objects.select_related("site")}
        unknown = [label for label in departments if label.strip() not in by_label]
        if unknown:
            raise ReportInputError(
                "unknown department "
                + ", ".join(repr(label) for label in unknown)
                + " (write it as SITE/DEPARTMENT, e.g. "
                + (repr(next(iter(by_label))) if by_label else "'North/Surgery'")
                + ")"
            )
        chosen = list(
            {by_label[label.strip()].pk: by_label[label.strip()] for label in departments}.values()
        )
    return scope_for(site=site_obj, departments=chosen)


def program_start(department_ids: selectors.DepartmentIds = None) -> date | None:
    """The first launch date among the departments in scope (None if none has launched)."""
    return selectors.departments_in_scope(department_ids).aggregate(first=Min("launched_on"))[
        "first"
    ]


# --- The report -----------------------------------------------------------------------------


def _iso(day: date) -> str:
    return day.isoformat()


def _window_dict(window: metrics.Window) -> dict[str, str]:
    return {"from": _iso(window.start), "to": _iso(window.end)}


@dataclass
class ReAimReport:
    """The RE-AIM report for ``period`` and ``scope``; ``threshold`` K suppresses small cells.

    Build it, then read ``data`` (the JSON contract, suppressed when K is set) or call a
    renderer. Computing is lazy and happens once per object.
    """

    period: metrics.Window
    scope: Scope = PROGRAM_SCOPE
    threshold: int | None = None
    generated_at: datetime = field(default_factory=timezone.now)
    refresher_months: int = field(default_factory=lambda: settings.REFRESHER_MONTHS)
    deadline_hours: int = field(default_factory=lambda: settings.FIRST_CONTACT_DEADLINE_HOURS)

    def __post_init__(self) -> None:
        if self.threshold is not None and (isinstance(self.threshold, bool) or self.threshold < 1):
            raise ReportInputError("the suppression threshold must be a whole number of 1 or more")

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end

    @property
    def department_ids(self) -> frozenset[int] | None:
        return self.scope.department_ids

    @property
    def title(self) -> str:
        return f"PRISM/RE-AIM report: {self.scope.label}, {self.start} to {self.end}"

    # -- computing --

    @cached_property
    def year_windows(self) -> list[metrics.Window]:
        return metrics.year_windows(self.start, self.end)

    @cached_property
    def quarter_windows(self) -> list[metrics.Window]:
        return metrics.quarters(self.start, self.end)

    @cached_property
    def _departments(self) -> list[dict]:
        return selectors.department_rows(self.department_ids)

    @cached_property
    def _physicians(self):
        windows = {f"y{i}": w for i, w in enumerate(self.year_windows)}
        windows.update({f"q{i}": w for i, w in enumerate(self.quarter_windows)})
        return selectors.physician_counts(
            start=self.start,
            end=self.end,
            department_ids=self.department_ids,
            windows=windows,
            refresher_months=self.refresher_months,
        )

    @cached_property
    def _department_counts(self) -> dict[str, int]:
        return selectors.department_counts(
            start=self.start, end=self.end, department_ids=self.department_ids
        )

    @cached_property
    def _referrals(self) -> dict[str, int]:
        return selectors.referral_counts(
            start=self.start,
            end=self.end,
            department_ids=self.department_ids,
            deadline_hours=self.deadline_hours,
        )

    @cached_property
    def _contact_hours(self) -> list[float]:
        return selectors.referral_contact_hours(
            start=self.start, end=self.end, department_ids=self.department_ids
        )

    def _survey_item(self, survey: str, question: str, *, likert: bool) -> dict[str, Any]:
        counts = survey_selectors.item_counts(
            survey=survey,
            question=question,
            start=self.start,
            end=self.end,
            department_ids=self.department_ids,
        )
        block = metrics.agree_block if likert else metrics.yes_block
        return dict(block(counts.positive, counts.respondents))

    @cached_property
    def _had_interaction_by_department(self) -> dict[int | None, Any]:
        return survey_selectors.item_counts_by_department(
            survey="program_evaluation",
            question="had_interaction",
            start=self.start,
            end=self.end,
            department_ids=self.department_ids,
        )

    @cached_property
    def _wellbeing(self) -> dict[str, Any]:
        indices = survey_selectors.wellbeing_indices(
            start=self.start, end=self.end, department_ids=self.department_ids
        )
        return dict(metrics.wellbeing_summary(indices))

    @cached_property
    def prism_notes(self) -> list[dict[str, Any]]:
        notes = (
            PrismNote.objects.for_report(
                start=self.start, end=self.end, department_ids=self.department_ids
            )
            .select_related("department__site")
            .order_by("domain", "noted_on", "pk")
        )
        domain_order = {value: i for i, value in enumerate(PrismDomain.values)}
        rows = [
            {
                "noted_on": _iso(note.noted_on),
                "domain": note.domain,
                "domain_label": PrismDomain(note.domain).label,
                "tag": note.tag,
                "tag_label": PrismTag(note.tag).label,
                "department": note.department.label if note.department_id else None,
                "note": note.text,
            }
            for note in notes
        ]
        return sorted(rows, key=lambda row: (domain_order[row["domain"]], row["noted_on"]))

    @cached_property
    def _interactions(self) -> dict[str, int]:
        windows = {f"y{i}": w for i, w in enumerate(self.year_windows)}
        windows.update({f"q{i}": w for i, w in enumerate(self.quarter_windows)})
        return selectors.interaction_counts(
            start=self.start, end=self.end, department_ids=self.department_ids, windows=windows
        )

    @cached_property
    def _interactions_by_department(self) -> dict[int, dict[str, int]]:
        return selectors.interaction_counts_by_department(
            start=self.start, end=self.end, department_ids=self.department_ids
        )

    @cached_property
    def _durations(self) -> dict[int, list[int]]:
        return selectors.successful_durations(
            start=self.start, end=self.end, department_ids=self.department_ids
        )

    def _reach(self) -> dict[str, Any]:
        physicians, _ = self._physicians
        interactions = self._interactions
        return {
            "successful_interactions": interactions["successful"],
            "interactions_logged": interactions["logged"],
            "unique_physicians_supported": interactions["unique_physicians"],
            "eligible_physicians": physicians.eligible_physicians,
            "proportion_supported": metrics.proportion(
                interactions["unique_physicians"], physicians.eligible_physicians
            ),
            "physician_years": physicians.physician_years,
            "interactions_per_100_physician_years": metrics.per_100_physician_years(
                interactions["successful"], physicians.physician_years
            ),
            "by_source": {
                source: interactions[f"source_{source}"] for source in selectors.INTERACTION_SOURCES
            },
            "survey_had_interaction": self._survey_item(
                "program_evaluation", "had_interaction", likert=False
            ),
        }

    def _effectiveness(self) -> dict[str, Any]:
        recipient = {
            item: self._survey_item("recipient_feedback", item, likert=True)
            for item in RECIPIENT_FEEDBACK_LIKERT
        }
        recipient["would_recommend"] = self._survey_item(
            "recipient_feedback", "would_recommend", likert=False
        )
        return {
            "would_recommend": self._survey_item(
                "program_evaluation", "would_recommend", likert=False
            ),
            "recipient_feedback": recipient,
            "supporter_training": {
                item: self._survey_item("supporter_training", item, likert=True)
                for item in SUPPORTER_TRAINING_LIKERT
            },
            "wellbeing": self._wellbeing,
        }

    def _adoption(self) -> dict[str, Any]:
        physicians, _ = self._physicians
        departments = self._department_counts
        return {
            "departments_total": departments["total"],
            "departments_adopted": departments["adopted"],
            "proportion_departments": metrics.proportion(
                departments["adopted"], departments["total"]
            ),
            "physicians_total": physicians.physicians_total,
            "physicians_in_adopting_departments": physicians.eligible_physicians,
            "proportion_physicians_covered": metrics.proportion(
                physicians.eligible_physicians, physicians.physicians_total
            ),
            "supporters_trained": physicians.supporters_trained,
            "supporters_trained_in_period": physicians.supporters_trained_in_period,
            "supporters_active": physicians.supporters_active,
            "supporters_per_100_physicians": metrics.rate_per_100(
                physicians.supporters_trained, physicians.eligible_physicians
            ),
        }

    def _implementation(self) -> dict[str, Any]:
        referrals = self._referrals
        outcomes = {name: referrals[f"outcome_{name}"] for name in selectors.REFERRAL_OUTCOMES}
        interactions = self._interactions
        durations = [minutes for values in self._durations.values() for minutes in values]
        return {
            "duration_minutes": metrics.duration_summary(durations),
            "total_support_hours": metrics.minutes_to_hours(interactions["minutes"]),
            "escalated": interactions["escalated"],
            "escalation_rate": metrics.proportion(
                interactions["escalated"], interactions["successful"]
            ),
            "referrals": {
                "received": referrals["received"],
                "by_source": {
                    name: referrals[f"source_{name}"] for name in selectors.REFERRAL_SOURCES
                },
                "contacted": referrals["contacted"],
                "hours_to_first_contact": metrics.quartile_summary(self._contact_hours),
                "within_deadline": referrals["within_deadline"],
                "proportion_within_deadline": metrics.proportion(
                    referrals["within_deadline"], referrals["received"]
                ),
                "outcomes": outcomes,
                "acceptance_rate": metrics.acceptance_rate(
                    outcomes["supported"], outcomes["declined"]
                ),
            },
        }

    def _maintenance(self) -> dict[str, Any]:
        physicians, _ = self._physicians
        interactions = self._interactions
        by_year = []
        for i, window in enumerate(self.year_windows):
            count = interactions[f"window_y{i}"]
            years = metrics.physician_years(physicians.window_days[f"y{i}"])
            by_year.append(
                {
                    **_window_dict(window),
                    "successful_interactions": count,
                    "physician_years": years,
                    "interactions_per_100_physician_years": metrics.per_100_physician_years(
                        count, years
                    ),
                }
            )
        by_quarter = [
            {**_window_dict(window), "successful_interactions": interactions[f"window_q{i}"]}
            for i, window in enumerate(self.quarter_windows)
        ]
        departments = self._department_counts
        return {
            "by_year": by_year,
            "by_quarter": by_quarter,
            "trend_ratio": metrics.trend_ratio(
                by_year[0]["interactions_per_100_physician_years"],
                by_year[-1]["interactions_per_100_physician_years"],
            ),
            "departments_sustained": departments["sustained"],
            "departments_eligible_for_sustainment": departments["eligible_for_sustainment"],
            "supporters_retained": physicians.supporters_retained,
            "supporters_eligible_for_retention": physicians.supporters_eligible_for_retention,
            "supporters_training_current": physicians.supporters_training_current,
        }

    def _supplementary(self) -> dict[str, Any]:
        """Numbers beyond the contract that the charts need, by the same definitions: the
        quarterly rate per 100 physician-years and the histogram of durations."""
        physicians, _ = self._physicians
        interactions = self._interactions
        trend = []
        for i, window in enumerate(self.quarter_windows):
            count = interactions[f"window_q{i}"]
            years = metrics.physician_years(physicians.window_days[f"q{i}"])
            trend.append(
                {
                    **_window_dict(window),
                    "successful_interactions": count,
                    "physician_years": years,
                    "interactions_per_100_physician_years": metrics.per_100_physician_years(
                        count, years
                    ),
                }
            )
        return {
            "quarterly_trend": trend,
            "duration_histogram": {
                label: interactions[f"band_{index}"]
                for index, (label, _, _) in enumerate(selectors.DURATION_BANDS)
            },
        }

    def _by_department(self) -> list[dict[str, Any]]:
        _, per_department = self._physicians
        rows = []
        for department in self._departments:
            counts = per_department.get(department["pk"])
            interactions = self._interactions_by_department.get(
                department["pk"], {"successful": 0, "unique_physicians": 0}
            )
            years = counts.physician_years if counts else 0.0
            rows.append(
                {
                    "site": department["site_name"],
                    "department": department["department_name"],
                    "launched_on": _iso(department["launched_on"])
                    if department["launched_on"]
                    else None,
                    "adopted": metrics.is_adopted(
                        department["launched_on"], department["ended_on"], self.start, self.end
                    ),
                    "physicians": counts.physicians_total if counts else 0,
                    "successful_interactions": interactions["successful"],
                    "unique_physicians_supported": interactions["unique_physicians"],
                    "physician_years": years,
                    "interactions_per_100_physician_years": metrics.per_100_physician_years(
                        interactions["successful"], years
                    ),
                    "median_duration_minutes": metrics.median(
                        self._durations.get(department["pk"], [])
                    ),
                    "supporters_trained": counts.supporters_trained if counts else 0,
                    "survey_had_interaction": self._department_survey(department["pk"]),
                }
            )
        return rows

    def _department_survey(self, department_id: int) -> dict[str, Any]:
        counts = self._had_interaction_by_department.get(department_id)
        if counts is None:
            return dict(metrics.yes_block(0, 0))
        return dict(metrics.yes_block(counts.positive, counts.respondents))

    @cached_property
    def exact(self) -> dict[str, Any]:
        """The report with exact counts (never rendered when a threshold is set)."""
        return {
            "period": {"start": _iso(self.start), "end": _iso(self.end)},
            "scope": self.scope.as_dict(),
            "generated_at": timezone.localtime(self.generated_at).isoformat(timespec="seconds"),
            "suppression": {"threshold": self.threshold},
            "reach": self._reach(),
            "effectiveness": self._effectiveness(),
            "adoption": self._adoption(),
            "implementation": self._implementation(),
            "maintenance": self._maintenance(),
            "by_department": self._by_department(),
            "prism": self.prism_notes,
            "supplementary": self._supplementary(),
        }

    @cached_property
    def data(self) -> dict[str, Any]:
        """The report as every renderer shows it: ``exact`` with suppression applied."""
        return suppress_report(self.exact, self.threshold)

    # -- renderers --

    def as_json(self) -> str:
        return render_json(self)

    def as_csv(self) -> str:
        return render_csv(self)


# --- Suppression ----------------------------------------------------------------------------


def suppress_report(exact: dict[str, Any], threshold: int | None) -> dict[str, Any]:
    """Apply the suppression of ``metrics.md`` with threshold K to a copy of the report.

    The breakdowns (``reach.by_source``, ``referrals.by_source``, ``referrals.outcomes``, the
    duration histogram) and the ``by_department`` columns lose their small cells and one
    complementary cell; every survey item block loses its small counts; values computed from a
    suppressed count become None. Without a threshold the report is returned unchanged.
    """
    if threshold is None:
        return exact
    data = copy.deepcopy(exact)
    reach = data["reach"]
    reach["by_source"] = metrics.suppress_counts(reach["by_source"], threshold).as_dict()
    reach["survey_had_interaction"] = metrics.suppress_item(
        reach["survey_had_interaction"], threshold
    )
    effectiveness = data["effectiveness"]
    effectiveness["would_recommend"] = metrics.suppress_item(
        effectiveness["would_recommend"], threshold
    )
    for group in ("recipient_feedback", "supporter_training"):
        effectiveness[group] = {
            name: metrics.suppress_item(block, threshold)
            for name, block in effectiveness[group].items()
        }
    effectiveness["wellbeing"] = metrics.suppress_wellbeing(effectiveness["wellbeing"], threshold)
    referrals = data["implementation"]["referrals"]
    referrals["by_source"] = metrics.suppress_counts(referrals["by_source"], threshold).as_dict()
    outcomes = metrics.suppress_counts(referrals["outcomes"], threshold)
    referrals["outcomes"] = outcomes.as_dict()
    referrals["acceptance_rate"] = metrics.null_if_suppressed(
        referrals["acceptance_rate"], outcomes.suppressed, "supported", "declined"
    )
    data["by_department"] = metrics.suppress_by_department(data["by_department"], threshold)
    histogram = data["supplementary"]["duration_histogram"]
    data["supplementary"]["duration_histogram"] = metrics.suppress_counts(
        histogram, threshold
    ).as_dict()
    return data


# --- Tidy rows: the CSV, the XLSX sheets and the definitions --------------------------------

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

    def cells(self) -> list[Any]:
        return [
            self.dimension,
            self.metric,
            self.scope,
            SUPPRESSED_TEXT if self.suppressed else self.value,
            self.numerator,
            self.denominator,
        ]


TIDY_HEADER = ["dimension", "metric", "scope", "value", "numerator", "denominator"]


def _window_name(entry: dict[str, Any]) -> str:
    return f"{entry['from']}..{entry['to']}"


def _flatten(node: Any, prefix: str) -> Iterator[tuple[str, Any, list[str]]]:
    """(dotted name, value, names suppressed beside it) for every number under ``node``."""
    if isinstance(node, dict):
        hidden = node.get(metrics.SUPPRESSED_KEY, [])
        for key, value in node.items():
            if key == metrics.SUPPRESSED_KEY:
                continue
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, (dict, list)):
                yield from _flatten(value, name)
            else:
                yield name, value, hidden
    elif isinstance(node, list):
        for entry in node:
            yield from _flatten(
                {k: v for k, v in entry.items() if k not in ("from", "to")},
                f"{prefix}.{_window_name(entry)}",
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
        for name, value, hidden in _flatten(data[section], ""):
            path = f"{section}.{name}"
            numerator, denominator, suppressed = _ratio_parts(data, exact, path)
            if name.rpartition(".")[2] in hidden:
                suppressed = True
            rows.append(TidyRow(section, name, scope, value, numerator, denominator, suppressed))
    for shown_row, exact_row in zip(data["by_department"], exact["by_department"], strict=True):
        label = metrics.department_key(shown_row)
        for name, value, _ in _flatten(
            {k: v for k, v in shown_row.items() if k not in ("site", "department")}, ""
        ):
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
                TidyRow("by_department", name, label, value, numerator, denominator, suppressed)
            )
    return rows


# --- JSON and CSV ---------------------------------------------------------------------------


def render_json(report: ReAimReport) -> str:
    """The JSON contract of ``metrics.md`` (numbers unrounded)."""
    return json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return value


def render_csv(report: ReAimReport) -> str:
    """The tidy CSV: dimension, metric, scope, value, numerator, denominator.

    Empty cells are null values (a denominator of 0); suppressed values read ``suppressed``.
    Floats are written in full (``repr``) so they equal the JSON numbers.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TIDY_HEADER)
    for row in tidy_rows(report):
        writer.writerow([_csv_cell(cell) for cell in row.cells()])
    return buffer.getvalue()


# --- Definitions (the appendix of the PDF and the last sheet of the XLSX) -------------------

DEFINITIONS: dict[str, str] = {
    "period": "P = [start, end], both dates included; a datetime belongs to its date in the "
    "program's time zone.",
    "scope": "All departments, one site's departments, or a list of departments. Interactions, "
    "referrals and survey responses are in scope by their own department (the supported "
    "physician's); physicians and supporters by their roster department. A survey response "
    "without a department counts only in a program-wide report.",
    "adopted": "A department is adopted in P when launched_on ≤ end and ended_on is empty or "
    "≥ start.",
    "employed": "A physician is employed in P when started_on is empty or ≤ end, and ended_on "
    "is empty or ≥ start.",
    "reach.successful_interactions": "Successful interactions with occurred_on in P, in scope.",
    "reach.interactions_logged": "All interactions (successful or not) with occurred_on in P, "
    "in scope.",
    "reach.unique_physicians_supported": "Distinct non-empty supported-physician links among "
    "those successful interactions; pseudonymised links count the same.",
    "reach.eligible_physicians": "Physicians employed in P whose department is in scope and "
    "adopted in P.",
    "reach.proportion_supported": "unique_physicians_supported / eligible_physicians.",
    "reach.physician_years": "Sum over physicians in scope whose department has launched_on, of "
    "the days in [max(start, started_on, launched_on), min(end, ended_on, department ended_on)] "
    "(inclusive; 0 where empty), divided by 365.25.",
    "reach.interactions_per_100_physician_years": "successful_interactions / physician_years x "
    "100.",
    "reach.by_source": "Successful interactions by source: self, third_party, event, proactive.",
    "reach.survey_had_interaction": "program_evaluation responses submitted in P, in scope, "
    "answering had_interaction: yes / respondents.",
    "effectiveness.would_recommend": "program_evaluation would_recommend, submitted in P, in "
    "scope: yes / respondents.",
    "effectiveness.recipient_feedback": "recipient_feedback responses submitted in P, in scope: "
    "for each Likert item agree (4 or 5) / respondents; would_recommend yes / respondents.",
    "effectiveness.supporter_training": "supporter_training responses submitted in P, in scope: "
    "agree (4 or 5) / respondents for training_useful, culture_shift and confidence.",
    "effectiveness.wellbeing": "WHO-5 index = 4 x the sum of the five items, for wellbeing "
    "responses that answered all five: respondents, mean index, poor well-being (index < 52) "
    "and its proportion.",
    "adoption.departments_total": "Departments in scope.",
    "adoption.departments_adopted": "Departments in scope adopted in P.",
    "adoption.proportion_departments": "departments_adopted / departments_total.",
    "adoption.physicians_total": "Physicians employed in P, in scope.",
    "adoption.physicians_in_adopting_departments": "Equals reach.eligible_physicians.",
    "adoption.proportion_physicians_covered": "physicians_in_adopting_departments / "
    "physicians_total.",
    "adoption.supporters_trained": "Distinct physicians in scope whose first initial course "
    "was completed on or before end.",
    "adoption.supporters_trained_in_period": "Of those, the first initial course completed "
    "within P.",
    "adoption.supporters_active": "Trained supporters in scope who logged at least one "
    "successful interaction in P (anywhere).",
    "adoption.supporters_per_100_physicians": "supporters_trained / eligible_physicians x 100.",
    "implementation.duration_minutes": "n, median, p25, p75 and mean of duration_minutes over "
    "successful interactions in P, in scope (percentiles by linear interpolation between "
    "closest ranks).",
    "implementation.total_support_hours": "Sum of their duration_minutes / 60.",
    "implementation.escalated": "Successful interactions in P, in scope, with escalated = yes.",
    "implementation.escalation_rate": "escalated / successful_interactions.",
    "implementation.referrals.received": "Referrals received in P, in scope.",
    "implementation.referrals.by_source": "Of those, by source: self, third_party, event.",
    "implementation.referrals.contacted": "Of those, with a first contact.",
    "implementation.referrals.hours_to_first_contact": "n, median, p25, p75 of "
    "(first_contact_at - received_at) in hours over the contacted ones.",
    "implementation.referrals.within_deadline": "Contacted within the first-contact deadline "
    "(FIRST_CONTACT_DEADLINE_HOURS, default 24).",
    "implementation.referrals.proportion_within_deadline": "within_deadline / received.",
    "implementation.referrals.outcomes": "supported, declined, unreachable, referred_out, and "
    "open (not closed yet).",
    "implementation.referrals.acceptance_rate": "supported / (supported + declined).",
    "maintenance.by_year": "12-month windows [start + 12k months, start + 12(k+1) months - 1 "
    "day] while the window starts on or before end, the last cut at end; each with successful "
    "interactions, physician-years and the rate per 100 physician-years.",
    "maintenance.by_quarter": "Calendar quarters that overlap P, clipped to P, with successful "
    "interactions.",
    "maintenance.trend_ratio": "Rate per 100 physician-years of the last by_year window / that "
    "of the first (null when either is null or the first is 0).",
    "maintenance.departments_sustained": "Of the departments eligible for sustainment, those "
    "with a successful interaction in [end - 6 months + 1 day, end].",
    "maintenance.departments_eligible_for_sustainment": "Departments in scope with launched_on "
    "≤ end - 12 months and ended_on empty or after end.",
    "maintenance.supporters_retained": "Of the supporters eligible for retention, those who "
    "logged a successful interaction (anywhere) in [end - 12 months + 1 day, end].",
    "maintenance.supporters_eligible_for_retention": "Supporters in scope whose first initial "
    "course was on or before end - 12 months.",
    "maintenance.supporters_training_current": "Trained supporters in scope whose latest "
    "course (initial or refresher) completed on or before end is on or after end - "
    "REFRESHER_MONTHS months.",
    "by_department": "One row per department in scope, with the same definitions applied to "
    "that department alone.",
    "suppression": "With a threshold K, every count c with 0 < c < K in by_department, the "
    "source breakdowns, the referral outcomes and every survey item is hidden (null), with what "
    "is computed from it; where a breakdown would hold exactly one hidden cell beside a shown "
    "total, the next smallest cell is hidden too. Zeros are shown.",
    "supplementary.quarterly_trend": "For each quarter of by_quarter: successful interactions, "
    "physician-years over the quarter (as reach.physician_years) and their rate per 100 "
    "physician-years.",
    "supplementary.duration_histogram": "Successful interactions in P, in scope, by duration "
    "band (minutes, lower bound included).",
}


def definition_for(path: str) -> str:
    """The definition of the number at ``path`` (or of its nearest described parent)."""
    parts = path.split(".")
    while parts:
        text = DEFINITIONS.get(".".join(parts))
        if text:
            return text
        parts.pop()
    return ""


# --- Display: how numbers read on the dashboard and in the PDF ------------------------------

PERCENT_LEAVES = ("proportion", "escalation_rate", "acceptance_rate")


def is_percent(path: str) -> bool:
    """Whether the number at ``path`` is a proportion, shown as a percentage."""
    leaf = path.rpartition(".")[2]
    return leaf.startswith("proportion") or leaf in PERCENT_LEAVES


def display_number(path: str, value: Any, *, suppressed: bool = False) -> str:
    """A number as people read it: proportions as percentages (one decimal), other fractions
    with two decimals, counts as they are; "suppressed" and "not available" (null)."""
    if suppressed:
        return "suppressed"
    if value is None:
        return "not available"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if is_percent(path):
            return f"{value * 100:.1f}%"
        return f"{value:,.2f}"
    return str(value)


def metric_label(name: str) -> str:
    """``referrals.by_source.third_party`` -> ``Referrals · by source · third party``."""
    parts = [part.replace("_", " ") for part in name.split(".")]
    return " · ".join([parts[0][:1].upper() + parts[0][1:], *parts[1:]])


# --- XLSX -----------------------------------------------------------------------------------

XLSX_DIMENSION_SHEETS = ("reach", "effectiveness", "adoption", "implementation", "maintenance")
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


def _xlsx_value(value: Any, *, suppressed: bool = False) -> Any:
    if suppressed:
        return SUPPRESSED_TEXT
    return value


def _xlsx_append(sheet, values: Sequence[Any]) -> None:
    """Append a row; text that a spreadsheet would run as a formula stays text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
            cell.data_type = "s"


def by_department_columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """The count and value columns the rows hold, in the contract's order."""
    present = set(rows[0]) if rows else set(BY_DEPARTMENT_COLUMNS)
    return [column for column in BY_DEPARTMENT_COLUMNS if column in present]


def _by_department_cells(row: dict[str, Any], columns: Sequence[str]) -> list[Any]:
    hidden = set(row.get(metrics.SUPPRESSED_KEY, []))
    derived = metrics.BY_DEPARTMENT_DERIVED
    cells = []
    for column in columns:
        suppressed = column in hidden or any(dep in hidden for dep in derived.get(column, ()))
        cells.append(_xlsx_value(row.get(column), suppressed=suppressed))
    block = row.get("survey_had_interaction")
    if block is not None:
        block_hidden = set(block.get(metrics.SUPPRESSED_KEY, []))
        for column in HAD_INTERACTION_COLUMNS:
            suppressed = column in block_hidden or (column == "proportion" and bool(block_hidden))
            cells.append(_xlsx_value(block.get(column), suppressed=suppressed))
    return cells


def render_xlsx(report: ReAimReport) -> bytes:
    """The workbook: a cover sheet, a sheet per RE-AIM dimension (metric, value, numerator,
    denominator, definition), by department, trend, PRISM context and definitions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report.data
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Report"
    _xlsx_append(cover, [report.title])
    cover["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Period start", data["period"]["start"]),
        ("Period end", data["period"]["end"]),
        ("Scope", report.scope.label),
        ("Sites", ", ".join(data["scope"]["sites"]) or "all"),
        ("Departments", ", ".join(data["scope"]["departments"]) or "all"),
        ("Generated at", data["generated_at"]),
        ("Suppression threshold", data["suppression"]["threshold"] or "none (exact counts)"),
    ):
        _xlsx_append(cover, [label, value])

    rows = tidy_rows(report)
    header = ["metric", "value", "numerator", "denominator", "definition"]
    for dimension in XLSX_DIMENSION_SHEETS:
        sheet = workbook.create_sheet(DIMENSION_LABELS[dimension])
        _xlsx_append(sheet, header)
        for row in rows:
            if row.dimension == dimension:
                _xlsx_append(
                    sheet,
                    [
                        row.metric,
                        _xlsx_value(row.value, suppressed=row.suppressed),
                        row.numerator,
                        row.denominator,
                        definition_for(f"{dimension}.{row.metric}"),
                    ],
                )
        _bold_header(sheet, Font)

    sheet = workbook.create_sheet("By department")
    has_block = bool(data["by_department"]) and "survey_had_interaction" in data["by_department"][0]
    columns = by_department_columns(data["by_department"])
    _xlsx_append(
        sheet,
        [
            *columns,
            *(
                [f"survey_had_interaction.{c}" for c in HAD_INTERACTION_COLUMNS]
                if has_block
                else []
            ),
        ],
    )
    for row in data["by_department"]:
        _xlsx_append(sheet, _by_department_cells(row, columns))
    _bold_header(sheet, Font)

    sheet = workbook.create_sheet("Trend")
    _xlsx_append(sheet, ["by_year"])
    year_columns = [k for k in (data["maintenance"]["by_year"] or [{}])[0] if k]
    _xlsx_append(sheet, year_columns)
    for window in data["maintenance"]["by_year"]:
        _xlsx_append(sheet, [window.get(k) for k in year_columns])
    _xlsx_append(sheet, [])
    quarters = data.get("supplementary", {}).get("quarterly_trend") or data["maintenance"].get(
        "by_quarter", []
    )
    _xlsx_append(sheet, ["by_quarter"])
    if quarters:
        quarter_columns = list(quarters[0])
        _xlsx_append(sheet, quarter_columns)
        for quarter in quarters:
            _xlsx_append(sheet, [quarter.get(k) for k in quarter_columns])

    sheet = workbook.create_sheet("PRISM context")
    _xlsx_append(sheet, ["date", "domain", "tag", "scope", "note"])
    for note in data["prism"]:
        _xlsx_append(
            sheet,
            [
                note["noted_on"],
                note["domain_label"],
                note["tag_label"],
                note["department"] or "Program",
                note["note"],
            ],
        )
    _bold_header(sheet, Font)

    sheet = workbook.create_sheet("Definitions")
    _xlsx_append(sheet, ["term", "definition"])
    for term, text in DEFINITIONS.items():
        _xlsx_append(sheet, [term, text])
    _bold_header(sheet, Font)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold_header(sheet, font_class) -> None:
    for cell in sheet[1]:
        cell.font = font_class(bold=True)
    sheet.freeze_panes = "A2"


# --- HTML context (dashboards) and PDF -------------------------------------------------------


@dataclass(frozen=True)
class SectionView:
    """One RE-AIM dimension as shown on a page: its rows and its charts."""

    key: str
    label: str
    rows: list[dict[str, Any]]
    charts: list[Any]


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
        cells = _by_department_cells(row, columns)
        shown = [
            display_number(path, cell, suppressed=cell == SUPPRESSED_TEXT)
            for path, cell in zip(paths, cells, strict=True)
        ]
        body.append({"label": metrics.department_key(row), "cells": shown[2:]})
    return {"headers": headers, "rows": body}


def prism_by_domain(report: ReAimReport) -> list[dict[str, Any]]:
    groups = []
    for value, label in PrismDomain.choices:
        notes = [n for n in report.prism_notes if n["domain"] == value]
        if notes:
            groups.append({"domain": label, "notes": notes})
    return groups


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


# --- Every format ---------------------------------------------------------------------------

FILE_EXTENSIONS = {"json": "json", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}


def render(report: ReAimReport, fmt: str) -> tuple[bytes, str]:
    """The report as a file in ``fmt``: (content, file name). The name holds only dates."""
    if fmt == "json":
        content = render_json(report).encode()
    elif fmt == "csv":
        content = render_csv(report).encode()
    elif fmt == "xlsx":
        content = render_xlsx(report)
    elif fmt == "pdf":
        content = render_pdf(report)
    else:
        raise ReportInputError(f"unknown format {fmt!r} (json, csv, xlsx or pdf)")
    name = f"reaim-report-{report.start.isoformat()}-to-{report.end.isoformat()}"
    if report.threshold is not None:
        name += "-shareable"
    return content, f"{name}.{FILE_EXTENSIONS[fmt]}"


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


def headline_cards(report: ReAimReport) -> list[dict[str, Any]]:
    """The dashboard's cards: each headline number with its numerator and denominator."""
    data, exact = report.data, report.exact
    cards = []
    for dimension, label, path, num, num_label, den, den_label in CARDS:
        if not has_path(exact, path):
            continue  # a number this report does not hold
        value = lookup(data, path)
        suppressed = value is None and lookup(exact, path) is not None
        parts = []
        if num is not None:
            parts.append(f"{display_number(num, lookup(data, num))} {num_label}")
        if den is not None:
            parts.append(f"{display_number(den, lookup(data, den))} {den_label}")
        cards.append(
            {
                "dimension": dimension,
                "label": label,
                "value": display_number(path, value, suppressed=suppressed),
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
