"""Aggregate queries behind the RE-AIM report.

Each function takes a period (dates, both ends included) and a scope given as department ids
(``None`` = program-wide), runs a fixed number of aggregate queries whatever the number of
departments or rows, and returns plain counts, sums and value lists. ``report.py`` turns them
into the numbers of ``docs/metrics.md`` with the arithmetic of ``metrics.py``.

The same SQL runs on SQLite and PostgreSQL. Person-days follow the formula in the docstring of
``metrics.physician_days``: every bound is COALESCEd with the period bound (GREATEST and LEAST
ignore NULL on PostgreSQL but return NULL on SQLite), and only rows with ``lo <= hi`` count.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict

from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import LessThanOrEqual
from django.http import Http404
from django.utils import timezone

from interactions.models import Interaction, Referral
from interactions.models import Status as ReferralStatus
from post_program.models import Department, Physician
from training.models import CourseKind, TrainingCompletion

from . import metrics
from .access import prism_notes_filter, report_exports_filter
from .models import PrismNote, ReportExport

DepartmentIds = Collection[int] | None
"""Department ids in scope; None is the program-wide scope."""


def _date(value: date) -> Value:
    return Value(value, output_field=DateField())


# --- Departments --------------------------------------------------------------------------


def departments_in_scope(department_ids: DepartmentIds) -> QuerySet[Department]:
    departments = Department.objects.all()
    if department_ids is not None:
        departments = departments.filter(pk__in=department_ids)
    return departments


def adopted_q(start: date, end: date, prefix: str = "") -> Q:
    """Adopted in P: ``launched_on <= end`` and (``ended_on`` empty or ``>= start``)."""
    return Q(**{f"{prefix}launched_on__lte": end}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": start})
    )


def sustainment_eligible_q(end: date, prefix: str = "") -> Q:
    """``launched_on <= end - 12 months`` and ``ended_on`` empty or after ``end``."""
    return Q(**{f"{prefix}launched_on__lte": metrics.sustainment_launch_cutoff(end)}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": end})
    )


class DepartmentRow(TypedDict):
    """A department in scope as the report reads it."""

    pk: int
    launched_on: date | None
    ended_on: date | None
    site_name: str
    department_name: str


def department_rows(department_ids: DepartmentIds) -> list[DepartmentRow]:
    """The departments in scope, ordered by site and name: id, site, department, launched_on,
    ended_on. One query."""
    return list(
        departments_in_scope(department_ids)
        .order_by("site__name", "name", "pk")
        .values(
            "pk",
            "launched_on",
            "ended_on",
            site_name=F("site__name"),
            department_name=F("name"),
        )
    )


def department_counts(*, start: date, end: date, department_ids: DepartmentIds) -> dict[str, int]:
    """``departments_total``, ``departments_adopted``, the departments eligible for
    sustainment and those sustained (a successful interaction in the last six months to
    ``end``), in one query."""
    eligible = sustainment_eligible_q(end)
    return (
        departments_in_scope(department_ids)
        .alias(recently_active=_department_active(metrics.sustainment_window(end)))
        .aggregate(
            total=Count("pk"),
            adopted=Count("pk", filter=adopted_q(start, end)),
            eligible_for_sustainment=Count("pk", filter=eligible),
            sustained=Count("pk", filter=eligible & Q(recently_active=True)),
        )
    )


# --- Physicians and person-time -----------------------------------------------------------


def employed_q(start: date, end: date) -> Q:
    """Employed in P: (``started_on`` empty or ``<= end``) and (``ended_on`` empty or
    ``>= start``)."""
    return (Q(started_on__isnull=True) | Q(started_on__lte=end)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )


def _person_time(window: metrics.Window) -> tuple[Sum, Count]:
    """Aggregates whose results give a window's physician-days: Σ(hi - lo) and the number of
    rows with lo <= hi (each contributes hi - lo + 1 days)."""
    lo = Greatest(
        _date(window.start),
        Coalesce("started_on", _date(window.start)),
        F("department__launched_on"),
        output_field=DateField(),
    )
    hi = Least(
        _date(window.end),
        Coalesce("ended_on", _date(window.end)),
        Coalesce("department__ended_on", _date(window.end)),
        output_field=DateField(),
    )
    counted = Q(department__launched_on__isnull=False) & Q(LessThanOrEqual(lo, hi))
    span = ExpressionWrapper(hi - lo, output_field=DurationField())
    return Sum(span, filter=counted), Count("pk", filter=counted)


def _days(result: Mapping[str, Any], key: str) -> int:
    """Physician-days from the pair of aggregates made by ``_person_time``."""
    span = result[f"{key}_span"]
    return (span.days if span is not None else 0) + result[f"{key}_rows"]


def _person_time_aggregates(windows: dict[str, metrics.Window]) -> dict[str, Aggregate]:
    aggregates: dict[str, Aggregate] = {}
    for key, window in windows.items():
        span, rows = _person_time(window)
        aggregates[f"{key}_span"] = span
        aggregates[f"{key}_rows"] = rows
    return aggregates


def _physicians(department_ids: DepartmentIds) -> QuerySet[Physician]:
    physicians = Physician.objects.order_by()
    if department_ids is not None:
        physicians = physicians.filter(department_id__in=department_ids)
    return physicians


def _first_initial() -> Subquery:
    """The date of a physician's first completed initial course."""
    return Subquery(
        TrainingCompletion.objects.filter(physician=OuterRef("pk"), course=CourseKind.INITIAL)
        .order_by()
        .values("physician")
        .annotate(first=Min("completed_on"))
        .values("first")[:1],
        output_field=DateField(),
    )


def _training_recent(start: date, end: date) -> Exists:
    """Some course (initial or refresher) completed in [start, end]."""
    return Exists(
        TrainingCompletion.objects.filter(
            physician=OuterRef("pk"), completed_on__gte=start, completed_on__lte=end
        )
    )


@dataclass(frozen=True)
class PhysicianCounts:
    """Roster and training counts of one scope (or one department)."""

    physicians_total: int
    eligible_physicians: int
    physician_days: int
    supporters_trained: int
    supporters_trained_in_period: int
    supporters_eligible_for_retention: int
    supporters_training_current: int
    supporters_active: int
    supporters_retained: int
    window_days: dict[str, int]

    @property
    def physician_years(self) -> float:
        return metrics.physician_years(self.physician_days)


def _physician_aggregates(
    *, start: date, end: date, windows: dict[str, metrics.Window], refresher_months: int
) -> dict:
    employed = employed_q(start, end)
    trained = Q(first_initial__lte=end)
    return {
        "physicians_total": Count("pk", filter=employed),
        "eligible_physicians": Count("pk", filter=employed & adopted_q(start, end, "department__")),
        "supporters_trained": Count("pk", filter=trained),
        "supporters_trained_in_period": Count(
            "pk", filter=Q(first_initial__gte=start, first_initial__lte=end)
        ),
        "supporters_eligible_for_retention": Count(
            "pk", filter=Q(first_initial__lte=metrics.retention_training_cutoff(end))
        ),
        "supporters_training_current": Count("pk", filter=trained & Q(training_recent=True)),
        "supporters_active": Count("pk", filter=trained & Q(active_in_period=True)),
        "supporters_retained": Count(
            "pk",
            filter=Q(first_initial__lte=metrics.retention_training_cutoff(end))
            & Q(active_recently=True),
        ),
        **_person_time_aggregates({"period": metrics.Window(start, end), **windows}),
    }


def _physician_counts(result: Mapping[str, Any], windows: Sequence[str]) -> PhysicianCounts:
    return PhysicianCounts(
        physicians_total=result["physicians_total"],
        eligible_physicians=result["eligible_physicians"],
        physician_days=_days(result, "period"),
        supporters_trained=result["supporters_trained"],
        supporters_trained_in_period=result["supporters_trained_in_period"],
        supporters_eligible_for_retention=result["supporters_eligible_for_retention"],
        supporters_training_current=result["supporters_training_current"],
        supporters_active=result["supporters_active"],
        supporters_retained=result["supporters_retained"],
        window_days={key: _days(result, key) for key in windows},
    )


def physician_counts(
    *,
    start: date,
    end: date,
    department_ids: DepartmentIds,
    windows: dict[str, metrics.Window] | None = None,
    refresher_months: int = metrics.DEFAULT_REFRESHER_MONTHS,
) -> tuple[PhysicianCounts, dict[int, PhysicianCounts]]:
    """Roster, person-time and training counts for the whole scope and for each department.

    ``windows`` names extra windows (the ``by_year`` and quarterly windows) whose physician-days
    are summed in the same query. Two queries in all: one for the scope, one grouped by
    department.
    """
    windows = windows or {}
    current_from = metrics.training_current_cutoff(end, refresher_months)
    physicians = _physicians(department_ids).alias(
        first_initial=_first_initial(),
        training_recent=_training_recent(current_from, end),
        active_in_period=_logged_successful(metrics.Window(start, end)),
        active_recently=_logged_successful(metrics.retention_window(end)),
    )
    aggregates = _physician_aggregates(
        start=start, end=end, windows=windows, refresher_months=refresher_months
    )
    total = _physician_counts(physicians.aggregate(**aggregates), list(windows))
    by_department = {
        row["department_id"]: _physician_counts(row, list(windows))
        for row in physicians.values("department_id").annotate(**aggregates)
    }
    return total, by_department


# --- Referrals ----------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    """Midnight starting ``day`` in the program's time zone (the ``TIME_ZONE`` setting)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _referrals(*, start: date, end: date, department_ids: DepartmentIds) -> QuerySet[Referral]:
    """Referrals received in [start, end] (dates in the program's time zone), in scope."""
    referrals = Referral.objects.order_by().filter(
        received_at__gte=day_start(start), received_at__lt=day_start(end + timedelta(days=1))
    )
    if department_ids is not None:
        referrals = referrals.filter(department_id__in=department_ids)
    return referrals


REFERRAL_SOURCES = ("self", "third_party", "event")
REFERRAL_OUTCOMES = ("supported", "declined", "unreachable", "referred_out", "open")


def referral_counts(
    *, start: date, end: date, department_ids: DepartmentIds, deadline_hours: int
) -> dict[str, int]:
    """Counts of referrals received in P, in scope: ``received``, ``source_<s>``, ``contacted``,
    ``within_deadline`` and ``outcome_<o>`` (``open`` = not closed yet). One query."""
    deadline = ExpressionWrapper(
        F("received_at") + Value(timedelta(hours=deadline_hours)), output_field=DateTimeField()
    )
    closed = Q(status=ReferralStatus.CLOSED)
    return _referrals(start=start, end=end, department_ids=department_ids).aggregate(
        received=Count("pk"),
        **{f"source_{s}": Count("pk", filter=Q(source=s)) for s in REFERRAL_SOURCES},
        contacted=Count("pk", filter=Q(first_contact_at__isnull=False)),
        within_deadline=Count("pk", filter=Q(first_contact_at__lte=deadline)),
        **{
            f"outcome_{o}": Count("pk", filter=closed & Q(outcome=o))
            for o in REFERRAL_OUTCOMES
            if o != "open"
        },
        outcome_open=Count("pk", filter=~closed),
    )


def referral_contact_hours(*, start: date, end: date, department_ids: DepartmentIds) -> list[float]:
    """Hours from receipt to first contact of the contacted referrals received in P, in scope:
    the values behind the ``hours_to_first_contact`` percentiles."""
    pairs = (
        _referrals(start=start, end=end, department_ids=department_ids)
        .filter(first_contact_at__isnull=False)
        .values_list("received_at", "first_contact_at")
    )
    return [
        metrics.hours_between(received, contacted)
        for received, contacted in pairs
        if contacted is not None
    ]


# --- Interactions ---------------------------------------------------------------------------

INTERACTION_SOURCES = ("self", "third_party", "event", "proactive")
SUCCESSFUL = Q(successful=True)
# Unique supported physicians are counted on the keyed pseudonym, which every interaction
# linked to a roster entry stores and retention keeps (interactions.models.Interaction).
LINKED = ~Q(physician_pseudonym="")
DURATION_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under 15", 0, 15),
    ("15-29", 15, 30),
    ("30-44", 30, 45),
    ("45-59", 45, 60),
    ("60-89", 60, 90),
    ("90-119", 90, 120),
    ("120 or more", 120, None),
)
"""Bands of the duration histogram (minutes, lower bound included, upper excluded)."""


def _interactions(*, start: date, end: date, department_ids: DepartmentIds) -> QuerySet:
    """Interactions with ``occurred_on`` in [start, end], in scope by their own department."""
    interactions = Interaction.objects.order_by().between(start, end)
    if department_ids is not None:
        interactions = interactions.filter(department_id__in=department_ids)
    return interactions


def _band(low: int, high: int | None) -> Q:
    band = Q(duration_minutes__gte=low)
    return band if high is None else band & Q(duration_minutes__lt=high)


def interaction_counts(
    *,
    start: date,
    end: date,
    department_ids: DepartmentIds,
    windows: dict[str, metrics.Window] | None = None,
) -> dict[str, int]:
    """Counts of interactions in P, in scope, in one query: ``successful``, ``logged``,
    ``unique_physicians``, ``escalated``, ``minutes`` (sum over successful ones),
    ``source_<s>``, ``band_<i>`` (duration histogram) and ``window_<key>`` (successful ones in
    each of ``windows``, which lie within P)."""
    windows = windows or {}
    # Aggregate names must differ from the model's fields ("successful", "escalated").
    result = _interactions(start=start, end=end, department_ids=department_ids).aggregate(
        n_successful=Count("pk", filter=SUCCESSFUL),
        logged=Count("pk"),
        unique_physicians=Count("physician_pseudonym", filter=SUCCESSFUL & LINKED, distinct=True),
        n_escalated=Count("pk", filter=SUCCESSFUL & Q(escalated=True)),
        minutes=Sum("duration_minutes", filter=SUCCESSFUL),
        **{
            f"source_{source}": Count("pk", filter=SUCCESSFUL & Q(source=source))
            for source in INTERACTION_SOURCES
        },
        **{
            f"band_{index}": Count("pk", filter=SUCCESSFUL & _band(low, high))
            for index, (_, low, high) in enumerate(DURATION_BANDS)
        },
        **{
            f"window_{key}": Count(
                "pk",
                filter=SUCCESSFUL & Q(occurred_on__gte=window.start, occurred_on__lte=window.end),
            )
            for key, window in windows.items()
        },
    )
    result["successful"] = result.pop("n_successful")
    result["escalated"] = result.pop("n_escalated")
    result["minutes"] = result["minutes"] or 0
    return result


def interaction_counts_by_department(
    *, start: date, end: date, department_ids: DepartmentIds
) -> dict[int, dict[str, int]]:
    """Successful interactions and unique supported physicians per department. One query."""
    rows = (
        _interactions(start=start, end=end, department_ids=department_ids)
        .values("department_id")
        .annotate(
            n_successful=Count("pk", filter=SUCCESSFUL),
            unique_physicians=Count(
                "physician_pseudonym", filter=SUCCESSFUL & LINKED, distinct=True
            ),
        )
    )
    return {
        row["department_id"]: {
            "successful": row["n_successful"],
            "unique_physicians": row["unique_physicians"],
        }
        for row in rows
    }


def successful_durations(
    *, start: date, end: date, department_ids: DepartmentIds
) -> dict[int, list[int]]:
    """The durations (minutes) of the successful interactions in P, in scope, by department:
    the values behind the duration percentiles. One query."""
    durations: dict[int, list[int]] = {}
    rows = (
        _interactions(start=start, end=end, department_ids=department_ids)
        .filter(SUCCESSFUL)
        .values_list("department_id", "duration_minutes")
    )
    for department_id, minutes in rows:
        durations.setdefault(department_id, []).append(minutes)
    return durations


def _logged_successful(window: metrics.Window) -> Exists:
    """The physician (as a supporter) logged a successful interaction in ``window``,
    anywhere in the program."""
    return Exists(
        Interaction.objects.filter(
            supporter__physician_id=OuterRef("pk"),
            successful=True,
            occurred_on__gte=window.start,
            occurred_on__lte=window.end,
        )
    )


def _department_active(window: metrics.Window) -> Exists:
    """The department had a successful interaction in ``window``."""
    return Exists(
        Interaction.objects.filter(
            department_id=OuterRef("pk"),
            successful=True,
            occurred_on__gte=window.start,
            occurred_on__lte=window.end,
        )
    )


# --- Objects fetched for a user (the rules are in the access modules) ----------------


def prism_notes_visible_to(user) -> QuerySet[PrismNote]:
    return PrismNote.objects.filter(prism_notes_filter(user))


def get_prism_note_or_404(user, pk: int) -> PrismNote:
    try:
        return prism_notes_visible_to(user).select_related("department__site").get(pk=pk)
    except PrismNote.DoesNotExist:
        raise Http404 from None


def get_report_export_or_404(user, pk: int) -> ReportExport:
    try:
        return ReportExport.objects.defer("content").filter(report_exports_filter(user)).get(pk=pk)
    except ReportExport.DoesNotExist:
        raise Http404 from None
