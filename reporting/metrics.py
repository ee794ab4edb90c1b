"""The arithmetic of the RE-AIM report, as defined in ``docs/metrics.md``.

Everything here is pure: plain Python values in (dates, datetimes, ints, floats, mappings),
plain values out.  There is no Django and no database in this module.  The aggregate queries in
``reporting/selectors.py`` collect counts, sums and value lists, and hand them to these functions
so that every number in every dashboard and export has exactly one definition.

Sections:

* Dates and periods: month arithmetic, adoption and employment tests, windows and quarters.
* Person-time: days of overlap and physician-years.
* Ratios: proportions, rates per 100, trend ratio.
* Distributions: percentiles and duration summaries.
* Surveys: Likert and yes/no items, WHO-5.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple, TypedDict

from dateutil.relativedelta import relativedelta

from post_program.distributions import percentile_of_counts

DAYS_PER_YEAR = 365.25
"""Days in a physician-year: ``physician_years = days / 365.25``."""

SUSTAINMENT_RECENT_MONTHS = 6
"""A sustained department had a successful interaction in [end - 6 months + 1 day, end]."""

SUSTAINMENT_LAUNCH_MONTHS = 12
"""Eligible for sustainment: ``launched_on ≤ end - 12 months``."""

RETENTION_MONTHS = 12
"""Retention looks at [end - 12 months + 1 day, end] and initial courses ≤ end - 12 months."""

DEFAULT_REFRESHER_MONTHS = 24
"""Default of the ``REFRESHER_MONTHS`` setting."""

DEFAULT_FIRST_CONTACT_DEADLINE_HOURS = 24
"""Default of the ``FIRST_CONTACT_DEADLINE_HOURS`` setting."""

WHO5_ITEMS: tuple[str, ...] = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")
"""Question codes of the WHO-5 well-being index, each answered 0 (at no time) to 5."""

WHO5_ITEM_MIN = 0
WHO5_ITEM_MAX = 5
POOR_WELLBEING_BELOW = 52
"""``poor_wellbeing``: WHO-5 index < 52."""

LIKERT_MIN = 1
LIKERT_MAX = 5
LIKERT_AGREE: frozenset[int] = frozenset({4, 5})
"""Likert items run 1 (strongly disagree) to 5 (strongly agree); 4 or 5 counts as agree."""

YES = "yes"
NO = "no"


# ---------------------------------------------------------------------------------------------
# Dates and periods
# ---------------------------------------------------------------------------------------------


class Window(NamedTuple):
    """An inclusive date range [start, end] (the report writes it as ``from`` / ``to``)."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Days in the window, both ends included."""
        return inclusive_days(self.start, self.end)

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in [start, end]."""
        return self.start <= day <= self.end


def _check_period(start: date, end: date) -> None:
    if start > end:
        raise ValueError(f"period start {start} is after its end {end}")


def add_months(d: date, n: int) -> date:
    """Add ``n`` calendar months (negative to go back) to ``d``.

    "Months: calendar-month arithmetic that clamps to the month's last day (as
    ``dateutil.relativedelta`` does): 2019-06-01 + 12 months = 2020-06-01."
    So 2019-01-31 + 1 month = 2019-02-28 and 2020-02-29 + 12 months = 2021-02-28.
    """
    return d + relativedelta(months=n)


def inclusive_days(start: date, end: date) -> int:
    """Days in [start, end] counting both ends; 0 when ``end`` is before ``start``."""
    return max(0, (end - start).days + 1)


def is_adopted(launched_on: date | None, ended_on: date | None, start: date, end: date) -> bool:
    """Whether a department is adopted in the period [start, end].

    "Adopted in P: the department has ``launched_on ≤ end`` and (``ended_on`` empty or
    ``ended_on ≥ start``)."  A department without ``launched_on`` has not adopted the program.
    """
    if launched_on is None or launched_on > end:
        return False
    return ended_on is None or ended_on >= start


def is_employed(started_on: date | None, ended_on: date | None, start: date, end: date) -> bool:
    """Whether a physician is on the roster during the period [start, end].

    "Employed in P: (``started_on`` empty or ``≤ end``) and (``ended_on`` empty or ``≥ start``)."
    """
    return (started_on is None or started_on <= end) and (ended_on is None or ended_on >= start)


def year_windows(start: date, end: date) -> list[Window]:
    """The ``maintenance.by_year`` windows of the period [start, end].

    "12-month windows [start + 12k months, start + 12(k+1) months - 1 day] for k = 0, 1, …
    while the window starts on or before ``end``, the last cut at ``end``."

    Each window is computed from ``start`` (not from the previous window), so a period starting
    on 2020-02-29 has windows starting 2021-02-28, 2022-02-28, 2023-02-28, 2024-02-29.
    The windows are contiguous and cover the period exactly.
    """
    _check_period(start, end)
    windows: list[Window] = []
    k = 0
    while (window_start := add_months(start, 12 * k)) <= end:
        window_end = add_months(start, 12 * (k + 1)) - timedelta(days=1)
        windows.append(Window(window_start, min(window_end, end)))
        k += 1
    return windows


def quarter_start(d: date) -> date:
    """First day of the calendar quarter holding ``d`` (1 January, 1 April, 1 July, 1 October)."""
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def quarters(start: date, end: date) -> list[Window]:
    """The ``maintenance.by_quarter`` windows: "calendar quarters that overlap P, clipped to P"."""
    _check_period(start, end)
    windows: list[Window] = []
    current = quarter_start(start)
    while current <= end:
        following = add_months(current, 3)
        windows.append(Window(max(current, start), min(following - timedelta(days=1), end)))
        current = following
    return windows


class MonthSplit(NamedTuple):
    """A period as the monthly rollups read it: whole calendar months, and the days left."""

    months: list[date]
    """First days of the months read from the rollups."""
    days: list[Window]
    """The rest of the period, read from the raw rows."""


def month_split(period: Window, cuts: Iterable[date] = ()) -> MonthSplit:
    """Split ``period`` into the calendar months that lie within it with no day of ``cuts``
    (days that start a window counted apart) after their first, and the days left over, in
    contiguous windows. A rollup month then falls wholly within one window."""
    cuts = sorted(set(cuts))
    months: list[date] = []
    days: list[Window] = []
    month = period.start.replace(day=1)
    while month <= period.end:
        following = add_months(month, 1)
        last = following - timedelta(days=1)
        cut = any(month < day <= last for day in cuts)
        if month >= period.start and last <= period.end and not cut:
            months.append(month)
        else:
            piece = Window(max(month, period.start), min(last, period.end))
            if days and days[-1].end + timedelta(days=1) == piece.start:
                piece = Window(days.pop().start, piece.end)
            days.append(piece)
        month = following
    return MonthSplit(months, days)


def is_whole_quarters(window: Window) -> bool:
    """Whether ``window`` runs from the first day of a calendar quarter to the last day of one
    (the periods department leads may choose)."""
    return window.start == quarter_start(window.start) and window.end == (
        add_months(quarter_start(window.end), 3) - timedelta(days=1)
    )


def whole_quarters_before(day: date, count: int) -> Window:
    """The ``count`` whole calendar quarters that end before the quarter holding ``day``."""
    end = quarter_start(day) - timedelta(days=1)
    return Window(add_months(quarter_start(end), -3 * (count - 1)), end)


def trailing_window(end: date, months: int) -> Window:
    """[end - ``months`` months + 1 day, end], the look-back used by maintenance."""
    return Window(add_months(end, -months) + timedelta(days=1), end)


def sustainment_window(end: date) -> Window:
    """The window in which a sustained department had a successful interaction.

    "those with a successful interaction in [end - 6 months + 1 day, end]"
    """
    return trailing_window(end, SUSTAINMENT_RECENT_MONTHS)


def retention_window(end: date) -> Window:
    """The window in which a retained supporter logged a successful interaction.

    "those who logged a successful interaction (anywhere) in [end - 12 months + 1 day, end]"
    """
    return trailing_window(end, RETENTION_MONTHS)


def sustainment_launch_cutoff(end: date) -> date:
    """``end - 12 months``: the latest ``launched_on`` of a department eligible for sustainment."""
    return add_months(end, -SUSTAINMENT_LAUNCH_MONTHS)


def is_eligible_for_sustainment(launched_on: date | None, ended_on: date | None, end: date) -> bool:
    """Whether a department counts in ``departments_eligible_for_sustainment``.

    "departments in scope with ``launched_on ≤ end - 12 months`` and ``ended_on`` empty or
    after ``end``"
    """
    if launched_on is None or launched_on > sustainment_launch_cutoff(end):
        return False
    return ended_on is None or ended_on > end


def retention_training_cutoff(end: date) -> date:
    """``end - 12 months``: "supporters in scope whose first initial course was on or before
    ``end - 12 months``" are eligible for retention.
    """
    return add_months(end, -RETENTION_MONTHS)


def training_current_cutoff(end: date, refresher_months: int = DEFAULT_REFRESHER_MONTHS) -> date:
    """``end - REFRESHER_MONTHS months``: the earliest latest-course date that is still current."""
    return add_months(end, -refresher_months)


def is_training_current(
    latest_completed_on: date | None,
    end: date,
    refresher_months: int = DEFAULT_REFRESHER_MONTHS,
) -> bool:
    """Whether a trained supporter counts in ``supporters_training_current``.

    "trained supporters in scope whose latest course (initial or refresher) completed on or
    before ``end`` is on or after ``end - REFRESHER_MONTHS months``"

    ``latest_completed_on`` must be the latest completion on or before ``end`` (None if none).
    """
    if latest_completed_on is None or latest_completed_on > end:
        return False
    return latest_completed_on >= training_current_cutoff(end, refresher_months)


# ---------------------------------------------------------------------------------------------
# Person-time
# ---------------------------------------------------------------------------------------------


def overlap_days(starts: Iterable[date | None], ends: Iterable[date | None]) -> int:
    """Days in the inclusive range [max(starts), min(ends)], ignoring None bounds.

    Returns 0 when the range is empty (max(starts) > min(ends)).  Each side must hold at least
    one date; a range that is open on one side has no finite length and raises ValueError.

    >>> overlap_days((date(2020, 1, 1), None), (date(2020, 1, 31),))
    31
    """
    known_starts = [d for d in starts if d is not None]
    known_ends = [d for d in ends if d is not None]
    if not known_starts or not known_ends:
        raise ValueError("overlap_days needs at least one start and one end date")
    return inclusive_days(max(known_starts), min(known_ends))


def physician_days(
    *,
    period_start: date,
    period_end: date,
    started_on: date | None,
    ended_on: date | None,
    launched_on: date | None,
    department_ended_on: date | None,
) -> int:
    """One physician's contribution, in days, to ``physician_years``.

    "Σ over physicians in scope whose department has a ``launched_on``, of the days in
    [max(start, started_on, launched_on), min(end, ended_on, department ended_on)]
    (inclusive; 0 where that range is empty) / 365.25"

    Empty ``started_on``/``ended_on``/``department_ended_on`` leave that bound open (the period
    bound applies); a department without ``launched_on`` contributes 0.

    The selectors sum the same quantity in SQL, over physicians in scope whose department has
    ``launched_on IS NOT NULL``::

        lo   = GREATEST(:start, COALESCE(p.started_on, :start), d.launched_on)
        hi   = LEAST(:end, COALESCE(p.ended_on, :end), COALESCE(d.ended_on, :end))
        days = hi - lo + 1            -- only rows WHERE lo <= hi; other rows contribute 0
        physician_years = SUM(days) / 365.25   (via ``physician_years``)

    Every bound is COALESCEd with the period bound because GREATEST/LEAST ignore NULLs on
    PostgreSQL but return NULL on SQLite (Django's ``Greatest``/``Least`` follow the backend).
    Filtering ``lo <= hi`` instead of clamping at 0 keeps the +1 from counting empty ranges.
    """
    if launched_on is None:
        return 0
    return overlap_days(
        (period_start, started_on, launched_on),
        (period_end, ended_on, department_ended_on),
    )


def window_physician_days(
    starts: Mapping[date, int], ends: Mapping[date, int], windows: Iterable[Window]
) -> list[int]:
    """Physician-days of each window, from the roster's ranges counted by their ends.

    Each physician contributes an inclusive range [lo, hi] (``physician_days``' bounds, clipped
    to the report period, empty ranges left out); ``starts`` counts the ranges by ``lo`` and
    ``ends`` by ``hi``. A window's physician-days are the sum over its days of the ranges that
    hold the day, which is the sum over ranges of their overlap with the window: the same
    number as summing ``physician_days`` per physician and window, found in one pass over the
    days whatever the number of physicians or windows.
    """
    windows = list(windows)
    if not windows or not starts:
        return [0] * len(windows)
    first = min(min(starts), min(w.start for w in windows))
    last = max(max(ends), max(w.end for w in windows))
    # held[i] = ranges holding day first + i; cumulative[i] = Σ held[0..i-1].
    cumulative = [0]
    held = 0
    day = first
    while day <= last:
        held += starts.get(day, 0)
        cumulative.append(cumulative[-1] + held)
        held -= ends.get(day, 0)
        day += timedelta(days=1)
    return [
        cumulative[(w.end - first).days + 1] - cumulative[(w.start - first).days]
        if w.start <= w.end
        else 0
        for w in windows
    ]


def physician_years(total_days: int | float) -> float:
    """Summed physician-days expressed as physician-years: "... (days) / 365.25"."""
    if total_days < 0:
        raise ValueError("physician-days cannot be negative")
    return total_days / DAYS_PER_YEAR


# ---------------------------------------------------------------------------------------------
# Ratios
# ---------------------------------------------------------------------------------------------

Number = int | float


def proportion(numerator: Number | None, denominator: Number | None) -> float | None:
    """``numerator / denominator``; "a proportion or rate whose denominator is 0 is null".

    Also None when either value is unknown (None), e.g. because it was suppressed.
    """
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def rate_per_100(numerator: Number | None, denominator: Number | None) -> float | None:
    """``numerator / denominator * 100``, None under the same rules as ``proportion``."""
    ratio = proportion(numerator, denominator)
    return None if ratio is None else ratio * 100


def per_100_physician_years(interactions: int | None, years: float | None) -> float | None:
    """``interactions_per_100_physician_years``: "``successful_interactions / physician_years *
    100``" (None when there are no physician-years).
    """
    return rate_per_100(interactions, years)


def trend_ratio(first_rate: float | None, last_rate: float | None) -> float | None:
    """``maintenance.trend_ratio``: last window's rate over the first window's rate.

    "``interactions_per_100_physician_years`` of the last window of ``by_year`` / that of the
    first (``null`` when either is ``null`` or the first is 0)"
    """
    return proportion(last_rate, first_rate)


def minutes_to_hours(total_minutes: Number) -> float:
    """``total_support_hours``: "Σ their ``duration_minutes`` / 60"."""
    return total_minutes / 60


def hours_between(received_at: datetime, first_contact_at: datetime) -> float:
    """Hours from receipt to first contact, fractional.

    "(first_contact_at - received_at) in hours": elapsed time, so aware datetimes are compared
    in UTC (Python subtracts two datetimes sharing one tzinfo by wall clock, which is off by an
    hour across a daylight-saving change).  Naive datetimes are subtracted as they are.
    """
    if received_at.tzinfo is not None:
        received_at = received_at.astimezone(UTC)
    if first_contact_at.tzinfo is not None:
        first_contact_at = first_contact_at.astimezone(UTC)
    return (first_contact_at - received_at).total_seconds() / 3600


def is_within_deadline(
    hours_to_first_contact: float | None,
    deadline_hours: Number = DEFAULT_FIRST_CONTACT_DEADLINE_HOURS,
) -> bool:
    """Whether a referral counts in ``referrals.within_deadline``.

    "contacted within the deadline (setting ``FIRST_CONTACT_DEADLINE_HOURS``, default 24)": a
    first contact no later than ``deadline_hours`` after receipt.  A referral without a first
    contact (None) is not within the deadline.
    """
    return hours_to_first_contact is not None and hours_to_first_contact <= deadline_hours


def acceptance_rate(supported: int | None, declined: int | None) -> float | None:
    """``referrals.acceptance_rate``: "``supported / (supported + declined)``"."""
    if supported is None or declined is None:
        return None
    return proportion(supported, supported + declined)


# ---------------------------------------------------------------------------------------------
# Distributions
# ---------------------------------------------------------------------------------------------


class QuartileSummary(TypedDict):
    """{``n``, ``median``, ``p25``, ``p75``}; the statistics are None when ``n`` is 0."""

    n: int
    median: float | None
    p25: float | None
    p75: float | None


class DurationSummary(QuartileSummary):
    """{``n``, ``median``, ``p25``, ``p75``, ``mean``}; the statistics are None when ``n`` is 0."""

    mean: float | None


def percentile(values: Iterable[Number], q: Number) -> float | None:
    """The ``q``-th percentile (0 ≤ q ≤ 100) of ``values``, sorted or not; None when empty.

    "linear interpolation between closest ranks, as PostgreSQL ``percentile_cont`` and
    ``numpy.percentile`` do by default": with the n values sorted as v[0] ≤ … ≤ v[n-1],
    h = (n - 1) * q / 100 and the result is v[⌊h⌋] + (h - ⌊h⌋) * (v[⌊h⌋ + 1] - v[⌊h⌋]).
    (``percentile_cont`` takes the fraction q / 100.)
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile q must be within [0, 100], got {q}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    lower = math.floor(rank)
    fraction = rank - lower
    if fraction == 0:
        return float(ordered[lower])
    return ordered[lower] + fraction * (ordered[lower + 1] - ordered[lower])


def median(values: Iterable[Number]) -> float | None:
    """The 50th percentile (``median_duration_minutes``); None when empty."""
    return percentile(values, 50)


def mean(values: Iterable[Number]) -> float | None:
    """Arithmetic mean; None when empty."""
    items = list(values)
    if not items:
        return None
    return math.fsum(items) / len(items)


def quartile_summary(values: Iterable[Number]) -> QuartileSummary:
    """{``n``, ``median``, ``p25``, ``p75``} of ``values``.

    Used for ``referrals.hours_to_first_contact``; the statistics are None when ``n`` is 0.
    """
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median": percentile(ordered, 50),
        "p25": percentile(ordered, 25),
        "p75": percentile(ordered, 75),
    }


def duration_summary(values: Iterable[Number]) -> DurationSummary:
    """``implementation.duration_minutes``: "{``n``, ``median``, ``p25``, ``p75``, ``mean``} over
    successful interactions in P, in scope".  The statistics are None when ``n`` is 0.
    """
    ordered = sorted(values)
    quartiles = quartile_summary(ordered)
    return {
        "n": quartiles["n"],
        "median": quartiles["median"],
        "p25": quartiles["p25"],
        "p75": quartiles["p75"],
        "mean": mean(ordered),
    }


def duration_summary_of_counts(counts: Mapping[int, int]) -> DurationSummary:
    """``duration_summary`` of whole minutes given as {minutes: how many interactions}: the
    same numbers, from a histogram the database counts instead of every duration."""
    n = sum(counts.values())
    return {
        "n": n,
        "median": percentile_of_counts(counts, 50),
        "p25": percentile_of_counts(counts, 25),
        "p75": percentile_of_counts(counts, 75),
        "mean": sum(value * count for value, count in counts.items()) / n if n else None,
    }


# ---------------------------------------------------------------------------------------------
# Surveys
# ---------------------------------------------------------------------------------------------


class AgreeBlock(TypedDict):
    """A Likert item: {``agree``, ``respondents``, ``proportion``}."""

    agree: int
    respondents: int
    proportion: float | None


class YesBlock(TypedDict):
    """A yes/no item: {``yes``, ``respondents``, ``proportion``}."""

    yes: int
    respondents: int
    proportion: float | None


class WellbeingBlock(TypedDict):
    """``effectiveness.wellbeing``."""

    respondents: int
    mean_index: float | None
    poor_wellbeing: int
    proportion_poor: float | None


def is_agree(answer: int | None) -> bool:
    """Whether a Likert answer counts as agree.

    "Likert items run 1 (strongly disagree) to 5 (strongly agree); an answer of 4 or 5 counts
    as 'agree'."  An unanswered item (None) does not agree.
    """
    if answer is None:
        return False
    if not LIKERT_MIN <= answer <= LIKERT_MAX:
        raise ValueError(f"Likert answer out of range 1-5: {answer}")
    return answer in LIKERT_AGREE


def is_yes(answer: bool | str | None) -> bool:
    """Whether a yes/no answer counts: "Yes/no items count 'yes'".

    True or the text ``yes`` (any case) is yes; None (unanswered) is not.
    """
    if answer is None or isinstance(answer, bool):
        return answer is True
    return answer.strip().lower() == YES


def agree_block(agree: int, respondents: int) -> AgreeBlock:
    """{``agree``, ``respondents``, ``proportion`` = agree / respondents} from counts."""
    _check_part_of_whole(agree, respondents)
    return {
        "agree": agree,
        "respondents": respondents,
        "proportion": proportion(agree, respondents),
    }


def yes_block(yes: int, respondents: int) -> YesBlock:
    """{``yes``, ``respondents``, ``proportion`` = yes / respondents} from counts."""
    _check_part_of_whole(yes, respondents)
    return {"yes": yes, "respondents": respondents, "proportion": proportion(yes, respondents)}


def likert_item(answers: Iterable[int | None]) -> AgreeBlock:
    """Count one Likert item over responses; respondents are those who answered it (not None)."""
    given = [a for a in answers if a is not None]
    return agree_block(sum(1 for a in given if is_agree(a)), len(given))


def yes_no_item(answers: Iterable[bool | str | None]) -> YesBlock:
    """Count one yes/no item over responses; respondents are those who answered it (not None)."""
    given = [a for a in answers if a is not None]
    return yes_block(sum(1 for a in given if is_yes(a)), len(given))


def who5_index(answers: Mapping[str, int | None]) -> int | None:
    """The WHO-5 well-being index of one response, 0-100.

    "WHO-5 index = 4 * sum of the five items, for responses that answered all five"

    ``answers`` maps question codes (``who5_1`` … ``who5_5``) to 0-5; None unless all five are
    answered.  The index runs 0-100.
    """
    total = 0
    for code in WHO5_ITEMS:
        item = answers.get(code)
        if item is None:
            return None
        if not WHO5_ITEM_MIN <= item <= WHO5_ITEM_MAX:
            raise ValueError(f"{code} answer out of range 0-5: {item}")
        total += item
    return 4 * total


def is_poor_wellbeing(index: int | None) -> bool:
    """Whether an index counts in ``poor_wellbeing``: "(index < 52)".

    An incomplete response (None) is not counted.
    """
    return index is not None and index < POOR_WELLBEING_BELOW


def wellbeing_block(respondents: int, index_total: int, poor_wellbeing: int) -> WellbeingBlock:
    """``effectiveness.wellbeing`` from aggregates: {``respondents``, ``mean_index`` =
    index_total / respondents, ``poor_wellbeing``, ``proportion_poor`` = poor / respondents}.
    """
    _check_part_of_whole(poor_wellbeing, respondents)
    return {
        "respondents": respondents,
        "mean_index": proportion(index_total, respondents),
        "poor_wellbeing": poor_wellbeing,
        "proportion_poor": proportion(poor_wellbeing, respondents),
    }


def wellbeing_summary(indices: Iterable[int | None]) -> WellbeingBlock:
    """``effectiveness.wellbeing`` over WHO-5 indices; incomplete responses (None) are skipped."""
    complete = [i for i in indices if i is not None]
    return wellbeing_block(
        respondents=len(complete),
        index_total=sum(complete),
        poor_wellbeing=sum(1 for i in complete if is_poor_wellbeing(i)),
    )


def _check_part_of_whole(part: int, whole: int) -> None:
    if part < 0 or whole < 0 or part > whole:
        raise ValueError(f"count {part} cannot be a part of {whole}")
