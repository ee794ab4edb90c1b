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

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from itertools import chain
from operator import or_
from typing import Any, NamedTuple, TypedDict

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.db.models.lookups import LessThanOrEqual
from django.http import Http404

from interactions.models import (
    Interaction,
    InteractionMinutes,
    InteractionMonth,
    Referral,
    ReferralContactHours,
    ReferralMonth,
    SupporterMonth,
)
from interactions.models import Status as ReferralStatus
from interactions.services.rollup import day_start, month_start
from post_program.distributions import median_of_counts
from post_program.models import Department, Physician
from training.models import CourseKind, TrainingCompletion

from . import metrics
from .access import prism_notes_filter, report_exports_filter
from .models import PrismNote, ReportExport

DepartmentIds = Collection[int] | None
"""Department ids in scope; None is the program-wide scope."""


def _date(value: date) -> Value:
    return Value(value, output_field=DateField())


REPORT_WORK_MEM = "32MB"
"""PostgreSQL's memory for each sort or hash of a report's query (one report at a time per
connection: a few of them at once stay well within a small server's memory)."""


@contextmanager
def report_queries() -> Iterator[None]:
    """Run a report's aggregate queries in one transaction without PostgreSQL's JIT and with
    room to hash in memory: the report's queries are short scans that JIT compilation slows
    (measured at regional scale: 1.61 s against 1.45 s for the program's five years), and the
    distinct supported physicians of a year (200,000 interactions at regional scale) spill a
    sort to disk under the default 4 MB where 32 MB hashes them at once (0.39 s against
    0.28 s, docs/performance.md)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # SET LOCAL of both, in one statement.
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
                    [REPORT_WORK_MEM],
                )
        yield


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


def _person_time_bounds(window: metrics.Window) -> tuple[Greatest, Least, Q]:
    """A physician's range of days in ``window`` as SQL: lo, hi and the test that it is not
    empty (``metrics.physician_days``)."""
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
    return lo, hi, Q(department__launched_on__isnull=False) & Q(LessThanOrEqual(lo, hi))


def _physicians(department_ids: DepartmentIds) -> QuerySet[Physician]:
    physicians = Physician.objects.order_by()
    if department_ids is not None:
        physicians = physicians.filter(department_id__in=department_ids)
    return physicians


@dataclass
class PhysicianCounts:
    """Roster and training counts of one scope (or one department)."""

    physicians_total: int = 0
    eligible_physicians: int = 0
    physician_days: int = 0
    supporters_trained: int = 0
    supporters_trained_in_period: int = 0
    supporters_eligible_for_retention: int = 0
    supporters_training_current: int = 0
    supporters_active: int = 0
    supporters_retained: int = 0
    window_days: dict[str, int] = field(default_factory=dict)

    @property
    def physician_years(self) -> float:
        return metrics.physician_years(self.physician_days)

    def add(self, other: PhysicianCounts) -> None:
        """Add another department's counts (window days are the scope's own)."""
        for name in COUNTED:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTED = (
    "physicians_total",
    "eligible_physicians",
    "physician_days",
    "supporters_trained",
    "supporters_trained_in_period",
    "supporters_eligible_for_retention",
    "supporters_training_current",
    "supporters_active",
    "supporters_retained",
)


def _eligible_q(start: date, end: date) -> Q:
    """Employed in [start, end] in a department adopted in it: could be supported."""
    return employed_q(start, end) & adopted_q(start, end, "department__")


def eligible_physicians(*, start: date, end: date, department_ids: DepartmentIds) -> int:
    """The physicians who could be supported in [start, end], in scope. One query."""
    return _physicians(department_ids).aggregate(n=Count("pk", filter=_eligible_q(start, end)))["n"]


def _roster_by_department(
    physicians: QuerySet[Physician], start: date, end: date
) -> dict[int, PhysicianCounts]:
    """Employed, eligible and physician-days per department. One query."""
    lo, hi, counted = _person_time_bounds(metrics.Window(start, end))
    rows = physicians.values("department_id").annotate(
        employed=Count("pk", filter=employed_q(start, end)),
        eligible=Count("pk", filter=_eligible_q(start, end)),
        span=Sum(ExpressionWrapper(hi - lo, output_field=DurationField()), filter=counted),
        rows=Count("pk", filter=counted),
    )
    return {
        row["department_id"]: PhysicianCounts(
            physicians_total=row["employed"],
            eligible_physicians=row["eligible"],
            physician_days=(row["span"].days if row["span"] is not None else 0) + row["rows"],
        )
        for row in rows
    }


def _ranges_by_end(
    physicians: QuerySet[Physician], start: date, end: date
) -> tuple[dict[date, int], dict[date, int]]:
    """The physicians' ranges of days in [start, end], counted by first and by last day (the
    input of ``metrics.window_physician_days``). Two queries."""
    lo, hi, counted = _person_time_bounds(metrics.Window(start, end))
    ranges = physicians.annotate(lo=lo, hi=hi).filter(counted)

    def counted_by(bound: str) -> dict[date, int]:
        return dict(ranges.values(bound).annotate(n=Count("pk")).values_list(bound, "n"))

    return counted_by("lo"), counted_by("hi")


def _supporters_by_department(
    department_ids: DepartmentIds, start: date, end: date, refresher_months: int
) -> dict[int, PhysicianCounts]:
    """Training and activity counts of the physicians with an initial course, per
    department. Three queries, over courses and over the supporters' successful interactions;
    rows per trained physician, whatever the size of the roster."""
    completions = TrainingCompletion.objects.order_by()
    if department_ids is not None:
        completions = completions.filter(physician__department_id__in=department_ids)
    current_from = metrics.training_current_cutoff(end, refresher_months)
    courses = (
        completions.values("physician_id", "physician__department_id")
        .annotate(
            first_initial=Min("completed_on", filter=Q(course=CourseKind.INITIAL)),
            recent=Count("pk", filter=Q(completed_on__gte=current_from, completed_on__lte=end)),
        )
        .filter(first_initial__lte=end)
        .values_list("physician_id", "physician__department_id", "first_initial", "recent")
    )
    retention = metrics.retention_window(end)
    active = _supporters_active(department_ids, start, end, retention.start)
    retention_cutoff = metrics.retention_training_cutoff(end)
    counts: dict[int, PhysicianCounts] = {}
    for physician_id, department_id, first_initial, recent in courses:
        in_period, recently = active.get(physician_id, (0, 0))
        eligible_for_retention = first_initial <= retention_cutoff
        department = counts.setdefault(department_id, PhysicianCounts())
        department.supporters_trained += 1
        department.supporters_trained_in_period += first_initial >= start
        department.supporters_eligible_for_retention += eligible_for_retention
        department.supporters_training_current += recent > 0
        department.supporters_active += in_period > 0
        department.supporters_retained += eligible_for_retention and recently > 0
    return counts


def _supporters_active(
    department_ids: DepartmentIds, start: date, end: date, recent_from: date
) -> dict[int, tuple[int, int]]:
    """Successful interactions of each supporter (by roster entry) in [start, end] and in
    [recent_from, end]: whole months from the supporters' rollup, the days left from the raw
    rows. Two queries."""
    split = metrics.month_split(metrics.Window(min(start, recent_from), end), (start, recent_from))
    raw = Interaction.objects.order_by().filter(SUCCESSFUL & _days_q("occurred_on", split.days))
    months = SupporterMonth.objects.order_by().filter(month__in=split.months)
    if department_ids is not None:
        raw = raw.filter(supporter__physician__department_id__in=department_ids)
        months = months.filter(supporter__physician__department_id__in=department_ids)
    rows = chain(
        raw.values("supporter__physician_id")
        .annotate(
            in_period=Count("pk", filter=Q(occurred_on__gte=start)),
            recently=Count("pk", filter=Q(occurred_on__gte=recent_from)),
        )
        .values_list("supporter__physician_id", "in_period", "recently"),
        months.values("supporter__physician_id")
        .annotate(
            in_period=Sum("successful", filter=Q(month__gte=start), default=0),
            recently=Sum("successful", filter=Q(month__gte=recent_from), default=0),
        )
        .values_list("supporter__physician_id", "in_period", "recently"),
    )
    active: dict[int, tuple[int, int]] = {}
    for physician_id, in_period, recently in rows:
        before = active.get(physician_id, (0, 0))
        active[physician_id] = (before[0] + in_period, before[1] + recently)
    return active


def physician_counts(
    *,
    start: date,
    end: date,
    department_ids: DepartmentIds,
    windows: dict[str, metrics.Window] | None = None,
    refresher_months: int = metrics.DEFAULT_REFRESHER_MONTHS,
) -> tuple[PhysicianCounts, dict[int, PhysicianCounts]]:
    """Roster, person-time and training counts for the whole scope and for each department.

    ``windows`` names extra windows within the period (the ``by_year`` and quarterly windows)
    whose physician-days the scope's counts carry. Six queries in all, each one pass over a
    table: the roster by department, the roster's ranges by first and by last day, the
    courses, and the supporters' successful interactions (rollup months and raw days).
    """
    windows = windows or {}
    physicians = _physicians(department_ids)
    by_department = _roster_by_department(physicians, start, end)
    for department_id, supporters in _supporters_by_department(
        department_ids, start, end, refresher_months
    ).items():
        by_department.setdefault(department_id, PhysicianCounts()).add(supporters)
    total = PhysicianCounts()
    for counts in by_department.values():
        total.add(counts)
    starts, ends = _ranges_by_end(physicians, start, end)
    total.window_days = dict(
        zip(windows, metrics.window_physician_days(starts, ends, windows.values()), strict=True)
    )
    return total, by_department


# --- Percentiles ----------------------------------------------------------------------------

QUARTILES = (0.25, 0.5, 0.75)


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fractions) WITHIN GROUP (ORDER BY expression)``: one
    sort for all the fractions, and the interpolation ``metrics.percentile`` defines."""

    function = "PERCENTILE_CONT"
    template = (
        "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    )

    def __init__(self, expression, fractions: Sequence[float], **extra):
        super().__init__(
            expression,
            output_field=ArrayField(FloatField()),
            fractions=", ".join(str(float(f)) for f in fractions),
            **extra,
        )


_HOURS = Func(
    F("first_contact_at") - F("received_at"),
    template="EXTRACT(EPOCH FROM %(expressions)s)::float8 / 3600.0",
    output_field=FloatField(),
)
"""Hours from receipt to first contact as ``metrics.hours_between`` computes them: elapsed
seconds as a double, divided by 3600."""


def _percentiles_in_sql() -> bool:
    """PostgreSQL sorts and interpolates in the database; other backends fetch the values."""
    return connection.vendor == "postgresql"


def _quartiles(n: int, quartiles: Sequence[float] | None) -> metrics.QuartileSummary:
    if not n or quartiles is None:
        return {"n": n, "median": None, "p25": None, "p75": None}
    p25, median, p75 = quartiles
    return {"n": n, "median": median, "p25": p25, "p75": p75}


# --- Referrals ----------------------------------------------------------------------------


def _received_q(start: date, end: date) -> Q:
    """Received in [start, end] (dates in the program's time zone)."""
    return Q(received_at__gte=day_start(start), received_at__lt=day_start(end + timedelta(days=1)))


def _referral_months(start: date, end: date) -> tuple[list[date], list[tuple[datetime, datetime]]]:
    """The referral months (UTC) within [start, end] in the program's time zone, and the
    instants left over at either edge, as [from, to) pairs."""
    lo, hi = day_start(start), day_start(end + timedelta(days=1))
    month = lo.astimezone(UTC).date().replace(day=1)
    if month_start(month) < lo:
        month = metrics.add_months(month, 1)
    months = []
    while month_start(following := metrics.add_months(month, 1)) <= hi:
        months.append(month)
        month = following
    if not months:
        return [], [(lo, hi)]
    edges = [(lo, month_start(months[0])), (month_start(month), hi)]
    return months, [(a, b) for a, b in edges if a < b]


def referrals_received(
    *, start: date, end: date, department_ids: DepartmentIds
) -> QuerySet[Referral]:
    """Referrals received in [start, end], in scope."""
    referrals = Referral.objects.order_by().filter(_received_q(start, end))
    if department_ids is not None:
        referrals = referrals.filter(department_id__in=department_ids)
    return referrals


REFERRAL_SOURCES = ("self", "third_party", "event")
REFERRAL_OUTCOMES = ("supported", "declined", "unreachable", "referred_out", "open")


def referral_counts(
    *, start: date, end: date, department_ids: DepartmentIds, deadline_hours: int
) -> dict[str, int]:
    """Counts of referrals received in P, in scope: ``received``, ``source_<s>``, ``contacted``,
    ``within_deadline`` and ``outcome_<o>`` (``open`` = not closed yet). Three queries: the
    rollup's whole months (counts, and the contacted ones by hours to first contact) and the
    raw rows of the hours left."""
    months, instants = _referral_months(start, end)
    deadline = ExpressionWrapper(
        F("received_at") + Value(timedelta(hours=deadline_hours)), output_field=DateTimeField()
    )
    closed = Q(status=ReferralStatus.CLOSED)
    referrals = Referral.objects.order_by().filter(
        reduce(
            or_,
            (Q(received_at__gte=lo, received_at__lt=hi) for lo, hi in instants),
            Q(pk__in=[]),
        )
    )
    if department_ids is not None:
        referrals = referrals.filter(department_id__in=department_ids)
    raw = referrals.aggregate(
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
    names = [name for name in raw if name != "within_deadline"]
    rolled_up = _months(ReferralMonth, months, department_ids).aggregate(
        **{name: Sum(name) for name in names}
    )
    within = _months(ReferralContactHours, months, department_ids).aggregate(
        n=Sum("n", filter=Q(hours__lte=deadline_hours))
    )
    counts = {name: raw[name] + (rolled_up[name] or 0) for name in names}
    counts["within_deadline"] = raw["within_deadline"] + (within["n"] or 0)
    return counts


def referral_contact_hours(
    *, start: date, end: date, department_ids: DepartmentIds
) -> metrics.QuartileSummary:
    """``hours_to_first_contact``: quartiles of the hours from receipt to first contact of the
    contacted referrals received in P, in scope. One query."""
    contacted = referrals_received(start=start, end=end, department_ids=department_ids).filter(
        first_contact_at__isnull=False
    )
    if _percentiles_in_sql():
        result = contacted.aggregate(n=Count("pk"), quartiles=PercentileCont(_HOURS, QUARTILES))
        return _quartiles(result["n"], result["quartiles"])
    pairs = contacted.values_list("received_at", "first_contact_at")
    return metrics.quartile_summary(
        metrics.hours_between(received, first_contact)
        for received, first_contact in pairs
        if first_contact is not None
    )


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


def _days_q(field: str, days: Sequence[metrics.Window]) -> Q:
    """``field`` (a date) in any of ``days``; no row when there are none."""
    return reduce(
        or_,
        (Q(**{f"{field}__gte": w.start, f"{field}__lte": w.end}) for w in days),
        Q(pk__in=[]),
    )


def _interactions_on_days(days: Sequence[metrics.Window], department_ids: DepartmentIds):
    """Interactions with ``occurred_on`` in any of ``days``, in scope by their own department."""
    interactions = Interaction.objects.order_by().filter(_days_q("occurred_on", days))
    if department_ids is not None:
        interactions = interactions.filter(department_id__in=department_ids)
    return interactions


def _months(rollup, months: Sequence[date], department_ids: DepartmentIds) -> QuerySet:
    """A rollup's rows of ``months``, in scope."""
    rows = rollup.objects.order_by().filter(month__in=months)
    if department_ids is not None:
        rows = rows.filter(department_id__in=department_ids)
    return rows


def _in_band(minutes: int, low: int, high: int | None) -> bool:
    return minutes >= low and (high is None or minutes < high)


def _successful_by_department_and_minutes(
    raw: QuerySet, months: QuerySet[InteractionMinutes]
) -> dict[int, dict[int, int]]:
    """Successful interactions counted by department and duration (whole minutes): the
    histogram behind the successful counts, minutes, bands and percentiles. Two queries: the
    rollup's months and the raw days."""
    histogram: dict[int, dict[int, int]] = {}
    rows = chain(
        months.values("department_id", "minutes")
        .annotate(count=Sum("n"))
        .values_list("department_id", "minutes", "count"),
        raw.filter(SUCCESSFUL)
        .values("department_id", "duration_minutes")
        .annotate(count=Count("pk"))
        .values_list("department_id", "duration_minutes", "count"),
    )
    for department_id, minutes, n in rows:
        if n:
            counts = histogram.setdefault(department_id, {})
            counts[minutes] = counts.get(minutes, 0) + n
    return histogram


def _unique_physicians(interactions: QuerySet) -> tuple[int, dict[int, int]]:
    """Distinct supported physicians in all and per department, in one pass: the distinct
    (department, physician) pairs (hashed, where COUNT(DISTINCT) per group sorts), then
    counted per department and, once more distinct, in all. One query."""
    pairs = (
        interactions.filter(SUCCESSFUL & LINKED)
        .values("department_id", "physician_pseudonym")
        .distinct()
    )
    try:
        inner, params = pairs.query.sql_with_params()
    except EmptyResultSet:  # an empty scope
        return 0, {}
    # The inner query is Django's own, its values bound as parameters; an interaction always
    # has a department, so NULL marks the row of the whole scope.
    sql = (
        f"WITH pairs AS ({inner}) "  # noqa: S608  # nosec B608
        "SELECT department_id, COUNT(*) FROM pairs GROUP BY department_id "
        "UNION ALL SELECT NULL, COUNT(DISTINCT physician_pseudonym) FROM pairs"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = dict(cursor.fetchall())
    return counts.pop(None), counts


def unique_physicians_supported(*, start: date, end: date, department_ids: DepartmentIds) -> int:
    """Distinct physicians with a successful interaction in [start, end], in scope, counted
    without the departments' own counts. One query."""
    interactions = _interactions_on_days([metrics.Window(start, end)], department_ids)
    return interactions.filter(SUCCESSFUL & LINKED).values("physician_pseudonym").distinct().count()


class InteractionStatistics(NamedTuple):
    """The interactions of a period and scope as the report reads them."""

    totals: dict[str, Any]
    by_department: dict[int, dict[str, Any]]


def interaction_statistics(
    *,
    start: date,
    end: date,
    department_ids: DepartmentIds,
    windows: dict[str, metrics.Window] | None = None,
) -> InteractionStatistics:
    """Interactions in P, in scope, in five queries whatever their number: counts by month
    (the rollup's whole months) and by day (the days left), successful ones by department and
    minutes (the same two ways), distinct supported physicians (raw rows: distinct counts do
    not add up across months).

    ``totals``: ``successful``, ``logged``, ``unique_physicians``, ``escalated``, ``minutes``
    (sum over successful ones), ``source_<s>``, ``band_<i>`` (duration histogram),
    ``duration_minutes`` (the summary of successful ones' durations) and ``window_<key>``
    (successful ones in each of ``windows``, which lie within P). ``by_department``:
    ``successful``, ``unique_physicians`` and ``median_duration_minutes`` per department.
    Durations are whole minutes, so the database counts them by value and the percentiles
    come exactly from those counts.
    """
    windows = windows or {}
    split = metrics.month_split(metrics.Window(start, end), (w.start for w in windows.values()))
    raw = _interactions_on_days(split.days, department_ids)
    counted = {
        "logged": Count("pk"),
        # Names must differ from the model's fields ("successful", "escalated").
        "n_successful": Count("pk", filter=SUCCESSFUL),
        "n_escalated": Count("pk", filter=SUCCESSFUL & Q(escalated=True)),
        **{
            f"source_{source}": Count("pk", filter=SUCCESSFUL & Q(source=source))
            for source in INTERACTION_SOURCES
        },
    }
    rolled_up = {
        "logged": Sum("logged"),
        "n_successful": Sum("successful"),
        "n_escalated": Sum("escalated"),
        **{f"source_{source}": Sum(f"source_{source}") for source in INTERACTION_SOURCES},
    }
    # Counted by day (raw days) and by month (rollup months, each within one window), summed
    # here: the totals, and the successful ones of each window.
    by_day = [
        *raw.values(day=F("occurred_on")).annotate(**counted).order_by(),
        *_months(InteractionMonth, split.months, department_ids)
        .values(day=F("month"))
        .annotate(**rolled_up)
        .order_by(),
    ]
    totals: dict[str, Any] = {name: sum(day[name] for day in by_day) for name in counted}
    totals["escalated"] = totals.pop("n_escalated")
    del totals["n_successful"]  # the histogram's sum below, the same number
    for key, window in windows.items():
        totals[f"window_{key}"] = sum(
            day["n_successful"] for day in by_day if window.contains(day["day"])
        )
    interactions = _interactions_on_days([metrics.Window(start, end)], department_ids)
    totals["unique_physicians"], unique = _unique_physicians(interactions)
    histogram = _successful_by_department_and_minutes(
        raw, _months(InteractionMinutes, split.months, department_ids)
    )
    pooled: dict[int, int] = {}
    for counts in histogram.values():
        for minutes, n in counts.items():
            pooled[minutes] = pooled.get(minutes, 0) + n
    totals["successful"] = sum(pooled.values())
    totals["minutes"] = sum(minutes * n for minutes, n in pooled.items())
    for index, (_, low, high) in enumerate(DURATION_BANDS):
        totals[f"band_{index}"] = sum(
            n for minutes, n in pooled.items() if _in_band(minutes, low, high)
        )
    totals["duration_minutes"] = metrics.duration_summary_of_counts(pooled)
    by_department = {
        department_id: {
            "successful": sum(counts.values()),
            "unique_physicians": unique.get(department_id, 0),
            "median_duration_minutes": median_of_counts(counts),
        }
        for department_id, counts in histogram.items()
    }
    return InteractionStatistics(totals, by_department)


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


def departments_without_activity(*, on: date) -> QuerySet[Department]:
    """Departments running the program on ``on`` for at least the sustainment look-back (six
    months), with no successful interaction in that look-back: the maintenance dimension's
    "sustained" test (``_department_active`` over ``metrics.sustainment_window``) failed by a
    department that has had the time to pass it. One query, by site and name."""
    window = metrics.sustainment_window(on)
    return (
        Department.objects.filter(adopted_q(on, on), launched_on__lt=window.start)
        .alias(recently_active=_department_active(window))
        .filter(recently_active=False)
        .select_related("site")
        .order_by("site__name", "name", "pk")
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
