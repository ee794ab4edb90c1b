"""The RE-AIM report: one object per period and scope, and the numbers it holds.

``ReAimReport`` computes the numbers of ``docs/metrics.md`` once, from the aggregate queries of
``selectors.py`` and the arithmetic of ``metrics.py``, and holds them as the JSON contract
(``report.data``). Dashboards (HTML), the JSON, the tidy CSV, the XLSX workbook and the PDF are
all renderings of that one dictionary (``reporting/render/``), so they cannot disagree.

With a suppression threshold K (department leads' dashboards, shareable exports, the command's
``--suppress-below``), every count of care from 1 to K - 1, what would reveal it and what is
computed from it are replaced by ``None`` and listed under ``suppressed``
(``report_suppression.py``); ``report.exact`` keeps the unsuppressed numbers for internal use
only and is never rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from django.db.models import Min
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from post_program import program_settings
from post_program.models import FIRST_DAY, LAST_DAY, Department, Site
from surveys import selectors as survey_selectors

from . import metrics, selectors
from .models import PrismDomain, PrismNote, PrismTag
from .report_suppression import suppress_report
from .selectors import DepartmentRow

SECTIONS = ("reach", "effectiveness", "adoption", "implementation", "maintenance")
RECIPIENT_FEEDBACK_LIKERT = (
    "helpful",
    "wellbeing_improved",
    "negative_emotions_decreased",
    "stigma_decreased",
    "comfortable_discussing",
    "culture_improved",
)
SUPPORTER_TRAINING_LIKERT = ("training_useful", "culture_shift", "confidence")
SURVEY_ITEMS = (
    ("program_evaluation", "had_interaction"),
    ("program_evaluation", "would_recommend"),
    *(("recipient_feedback", item) for item in (*RECIPIENT_FEEDBACK_LIKERT, "would_recommend")),
    *(("supporter_training", item) for item in SUPPORTER_TRAINING_LIKERT),
)
"""The survey items the report reads, counted in one query."""


class ReportInputError(ValueError):
    """A period or scope that cannot be reported on; the message is fit to show the user."""


# --- Period and scope -----------------------------------------------------------------------


def period_parse(start: str | date, end: str | date) -> metrics.Window:
    """A report period from two dates (``YYYY-MM-DD`` text or dates), both ends included."""
    dates = []
    for value, invalid in (
        (start, _("the start date %(value)r is not a valid date (YYYY-MM-DD)")),
        (end, _("the end date %(value)r is not a valid date (YYYY-MM-DD)")),
    ):
        if isinstance(value, date):
            dates.append(value)
            continue
        try:
            dates.append(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise ReportInputError(invalid % {"value": value}) from None
    names = {"start": dates[0], "end": dates[1], "first": FIRST_DAY, "last": LAST_DAY}
    if dates[0] > dates[1]:
        raise ReportInputError(_("the start %(start)s is after the end %(end)s") % names)
    if dates[0] < FIRST_DAY:
        raise ReportInputError(
            _("the start %(start)s is before %(first)s, the first day a report covers") % names
        )
    if dates[1] > LAST_DAY:
        raise ReportInputError(
            _("the end %(end)s is after %(last)s, the last day a report covers") % names
        )
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
        """The scope's name in the tidy CSV (machine-read: always English)."""
        return self._named() or "Program"

    @property
    def shown_label(self) -> str:
        """The scope's name as pages and documents show it, in the active language."""
        return self._named() or _("Program")

    def _named(self) -> str:
        """The departments, else the sites, asked for ("" for the program)."""
        return "; ".join(self.departments or self.sites)

    def as_dict(self) -> dict[str, list[str]]:
        return {"sites": list(self.sites), "departments": list(self.departments)}


PROGRAM_SCOPE = Scope()


def scope_for(*, site: Site | None = None, departments: Sequence[Department] = ()) -> Scope:
    """The scope of a site and/or departments already loaded (forms, views, export jobs).

    With both, the departments must belong to the site and narrow it to themselves.
    """
    departments = sorted(departments, key=lambda d: (d.site.name, d.name, d.pk))
    if site is not None and any(d.site_id != site.pk for d in departments):
        raise ReportInputError(
            _("a department chosen is not in the site %(site)s") % {"site": site.name}
        )
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
    refresher_months: int = field(default_factory=lambda: program_settings.get().refresher_months)
    deadline_hours: int = field(default_factory=lambda: program_settings.get().first_contact_hours)

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
        return _("PRISM/RE-AIM report: %(scope)s, %(start)s to %(end)s") % {
            "scope": self.scope.shown_label,
            "start": self.start,
            "end": self.end,
        }

    # -- computing --

    @cached_property
    def year_windows(self) -> list[metrics.Window]:
        return metrics.year_windows(self.start, self.end)

    @cached_property
    def quarter_windows(self) -> list[metrics.Window]:
        return metrics.quarters(self.start, self.end)

    @cached_property
    def _departments(self) -> list[DepartmentRow]:
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
    def _contact_hours(self) -> metrics.QuartileSummary:
        return selectors.referral_contact_hours(
            start=self.start, end=self.end, department_ids=self.department_ids
        )

    @cached_property
    def _survey_items(self) -> dict[tuple[str, str], Any]:
        return survey_selectors.items_counts(
            items=SURVEY_ITEMS,
            start=self.start,
            end=self.end,
            department_ids=self.department_ids,
        )

    def _survey_item(self, survey: str, question: str, *, likert: bool) -> dict[str, Any]:
        counts = self._survey_items[survey, question]
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
        with translation.override("en"):  # the JSON contract's labels are the English ones
            rows = [
                {
                    "noted_on": _iso(note.noted_on),
                    "domain": note.domain,
                    "domain_label": str(PrismDomain(note.domain).label),
                    "tag": note.tag,
                    "tag_label": str(PrismTag(note.tag).label),
                    "department": note.department.label if note.department is not None else None,
                    "note": note.text,
                }
                for note in notes
            ]
        return sorted(rows, key=lambda row: (domain_order[row["domain"]], row["noted_on"]))

    @cached_property
    def _interaction_statistics(self) -> selectors.InteractionStatistics:
        windows = {f"y{i}": w for i, w in enumerate(self.year_windows)}
        windows.update({f"q{i}": w for i, w in enumerate(self.quarter_windows)})
        return selectors.interaction_statistics(
            start=self.start, end=self.end, department_ids=self.department_ids, windows=windows
        )

    @property
    def _interactions(self) -> dict[str, Any]:
        return self._interaction_statistics.totals

    @property
    def _interactions_by_department(self) -> dict[int, dict[str, Any]]:
        return self._interaction_statistics.by_department

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
        return {
            "duration_minutes": interactions["duration_minutes"],
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
                "hours_to_first_contact": self._contact_hours,
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
        by_year: list[dict[str, Any]] = []
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
        """Numbers beyond the JSON contract (docs/metrics.md) that the charts need, by the same
        definitions: the quarterly rate per 100 physician-years and the histogram of durations."""
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
                department["pk"],
                {"successful": 0, "unique_physicians": 0, "median_duration_minutes": None},
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
                    "median_duration_minutes": interactions["median_duration_minutes"],
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
        with selectors.report_queries():
            return self._computed()

    def _computed(self) -> dict[str, Any]:
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


@dataclass
class HeadlineReport(ReAimReport):
    """The figures of the report's summary alone (``render/summary.py``, ``HEADLINES``): the
    five dimensions' headline figures and those that explain them, by the same selectors and
    arithmetic as the whole report, for the previous period a summary compares with. Nothing
    else in it is computed.

    Exact only: with a threshold, whether a headline count is hidden depends on the counts it
    could be recomputed from elsewhere in the report, so a suppressed report is compared with
    a whole one.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.threshold is not None:
            raise ReportInputError("a report of headline figures alone is never suppressed")

    def _computed(self) -> dict[str, Any]:
        unique = selectors.unique_physicians_supported(
            start=self.start, end=self.end, department_ids=self.department_ids
        )
        eligible = selectors.eligible_physicians(
            start=self.start, end=self.end, department_ids=self.department_ids
        )
        departments = self._department_counts
        referrals = self._referrals
        return {
            "period": {"start": _iso(self.start), "end": _iso(self.end)},
            "scope": self.scope.as_dict(),
            "reach": {
                "unique_physicians_supported": unique,
                "eligible_physicians": eligible,
                "proportion_supported": metrics.proportion(unique, eligible),
            },
            "effectiveness": {
                "would_recommend": self._survey_item(
                    "program_evaluation", "would_recommend", likert=False
                ),
            },
            "adoption": {
                "departments_total": departments["total"],
                "departments_adopted": departments["adopted"],
                "proportion_departments": metrics.proportion(
                    departments["adopted"], departments["total"]
                ),
            },
            "implementation": {
                "referrals": {
                    "received": referrals["received"],
                    "within_deadline": referrals["within_deadline"],
                    "proportion_within_deadline": metrics.proportion(
                        referrals["within_deadline"], referrals["received"]
                    ),
                },
            },
            "maintenance": {
                "departments_sustained": departments["sustained"],
                "departments_eligible_for_sustainment": departments["eligible_for_sustainment"],
            },
        }
