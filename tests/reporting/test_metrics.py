"""The RE-AIM arithmetic on small hand-built data; every expected value is worked out by hand."""

import statistics
from datetime import date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from post_program.distributions import median_of_counts
from reporting import metrics as m


def d(text: str) -> date:
    return date.fromisoformat(text)


# --- months -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # January has 31 days, February 2019 only 28: clamp to the month's last day.
        ("2019-01-31", 1, "2019-02-28"),
        # A year from the first day of a month: the same day.
        ("2019-06-01", 12, "2020-06-01"),
        # 2020 is a leap year, so the clamp lands on the 29th.
        ("2020-01-31", 1, "2020-02-29"),
        # 29 February plus a year: 2021 has no 29 February.
        ("2020-02-29", 12, "2021-02-28"),
        # ... but four years on it exists again.
        ("2020-02-29", 48, "2024-02-29"),
        # Going back clamps the same way: 31 March - 1 month -> 28 February 2019.
        ("2019-03-31", -1, "2019-02-28"),
        # Crossing a year boundary.
        ("2019-12-15", 1, "2020-01-15"),
        # A 31st minus six months lands on a 30-day November.
        ("2022-05-31", -6, "2021-11-30"),
        ("2021-07-04", 0, "2021-07-04"),
    ],
)
def test_add_months_clamps_to_month_end(start: str, months: int, expected: str) -> None:
    assert m.add_months(d(start), months) == d(expected)


def test_add_months_is_not_a_chain_of_single_months() -> None:
    # 31 Jan + 2 months is 31 March; stepping a month at a time would clamp to 28 Feb first
    # and end on 28 March.
    assert m.add_months(d("2019-01-31"), 2) == d("2019-03-31")


# --- day counts and person-time ----------------------------------------------------------------


def test_inclusive_days() -> None:
    assert m.inclusive_days(d("2020-01-01"), d("2020-01-01")) == 1
    # 2020 is a leap year: 366 days.
    assert m.inclusive_days(d("2020-01-01"), d("2020-12-31")) == 366
    assert m.inclusive_days(d("2020-01-02"), d("2020-01-01")) == 0


def test_overlap_of_a_single_day_is_one_day() -> None:
    assert m.overlap_days([d("2021-03-04")], [d("2021-03-04")]) == 1


def test_overlap_takes_the_latest_start_and_earliest_end() -> None:
    # Period 2020, physician from 1 March, no end: March..December 2020 =
    # 31+30+31+30+31+31+30+31+30+31 = 306 days.
    starts = [d("2020-01-01"), d("2020-03-01"), None]
    ends = [d("2020-12-31"), None, None]
    assert m.overlap_days(starts, ends) == 306


def test_overlap_of_an_empty_range_is_zero() -> None:
    # Starts after the end: nothing, and not a negative number.
    assert m.overlap_days([d("2020-01-01"), d("2021-01-01")], [d("2020-12-31")]) == 0
    # One day apart the wrong way round.
    assert m.overlap_days([d("2020-06-02")], [d("2020-06-01")]) == 0


def test_overlap_without_any_bound_on_a_side_is_an_error() -> None:
    with pytest.raises(ValueError):
        m.overlap_days([None, None], [d("2020-01-01")])
    with pytest.raises(ValueError):
        m.overlap_days([d("2020-01-01")], [])


def test_physician_days_uses_roster_and_department_dates() -> None:
    # Period 2019-06-01..2022-05-31; the physician joined in 2018 and left 2020-05-31; the
    # department launched 2019-09-01. Range [2019-09-01, 2020-05-31]:
    # Sep 30 + Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 29 + Mar 31 + Apr 30 + May 31 = 274.
    days = m.physician_days(
        period_start=d("2019-06-01"),
        period_end=d("2022-05-31"),
        started_on=d("2018-01-01"),
        ended_on=d("2020-05-31"),
        launched_on=d("2019-09-01"),
        department_ended_on=None,
    )
    assert days == 274


def test_physician_days_stop_when_the_department_ends() -> None:
    # Launched 1 June 2019 and stopped 30 June 2019; the physician has open roster dates:
    # 30 days of June.
    days = m.physician_days(
        period_start=d("2019-01-01"),
        period_end=d("2019-12-31"),
        started_on=None,
        ended_on=None,
        launched_on=d("2019-06-01"),
        department_ended_on=d("2019-06-30"),
    )
    assert days == 30


def test_physician_days_are_zero_without_launch_or_overlap() -> None:
    never_launched = m.physician_days(
        period_start=d("2019-01-01"),
        period_end=d("2019-12-31"),
        started_on=None,
        ended_on=None,
        launched_on=None,
        department_ended_on=None,
    )
    assert never_launched == 0
    # Left the roster before the department launched.
    left_before = m.physician_days(
        period_start=d("2019-01-01"),
        period_end=d("2019-12-31"),
        started_on=None,
        ended_on=d("2019-03-31"),
        launched_on=d("2019-04-01"),
        department_ended_on=None,
    )
    assert left_before == 0


_PERIOD = m.Window(date(2019, 1, 1), date(2021, 12, 31))
_days_in_period = st.integers(0, _PERIOD.days - 1).map(lambda n: _PERIOD.start + timedelta(n))


@given(
    st.lists(st.tuples(st.none() | _days_in_period, st.none() | _days_in_period), max_size=30),
    _days_in_period,
)
def test_window_physician_days_equal_the_sum_of_each_physician(employment, launched_on) -> None:
    """The ranges counted by their ends give each window what summing ``physician_days``
    physician by physician gives (the selectors' one pass against the definition)."""
    windows = m.year_windows(_PERIOD.start, _PERIOD.end) + m.quarters(_PERIOD.start, _PERIOD.end)
    starts: dict[date, int] = {}
    ends: dict[date, int] = {}
    for started_on, ended_on in employment:
        lo = max(_PERIOD.start, started_on or _PERIOD.start, launched_on)
        hi = min(_PERIOD.end, ended_on or _PERIOD.end)
        if lo <= hi:
            starts[lo] = starts.get(lo, 0) + 1
            ends[hi] = ends.get(hi, 0) + 1
    expected = [
        sum(
            m.physician_days(
                period_start=window.start,
                period_end=window.end,
                started_on=started_on,
                ended_on=ended_on,
                launched_on=launched_on,
                department_ended_on=None,
            )
            for started_on, ended_on in employment
        )
        for window in windows
    ]
    assert m.window_physician_days(starts, ends, windows) == expected


def test_physician_years_divide_by_365_25() -> None:
    assert m.physician_years(365.25) == 1.0
    # Four calendar years including one leap day: 3 * 365 + 366 = 1461 = 4 * 365.25.
    assert m.physician_years(1461) == 4.0
    assert m.physician_years(0) == 0.0
    # 730 days are a little under two physician-years (730 / 365.25 = 1.99863...).
    assert m.physician_years(730) == pytest.approx(1.998631, abs=1e-6)
    with pytest.raises(ValueError):
        m.physician_years(-1)


# --- adoption, employment, maintenance look-backs ---------------------------------------------


def test_is_adopted() -> None:
    start, end = d("2019-06-01"), d("2022-05-31")
    assert m.is_adopted(d("2022-05-31"), None, start, end)  # launched on the last day
    assert not m.is_adopted(d("2022-06-01"), None, start, end)  # launched after the period
    assert m.is_adopted(d("2018-01-01"), d("2019-06-01"), start, end)  # ended on the first day
    assert not m.is_adopted(d("2018-01-01"), d("2019-05-31"), start, end)  # ended before
    assert not m.is_adopted(None, None, start, end)  # never launched


def test_is_employed() -> None:
    start, end = d("2019-06-01"), d("2022-05-31")
    assert m.is_employed(None, None, start, end)
    assert m.is_employed(d("2022-05-31"), None, start, end)
    assert not m.is_employed(d("2022-06-01"), None, start, end)
    assert m.is_employed(None, d("2019-06-01"), start, end)
    assert not m.is_employed(None, d("2019-05-31"), start, end)


def test_maintenance_look_back_windows() -> None:
    end = d("2022-05-31")
    # 31 May - 6 months = 30 Nov (clamped), + 1 day = 1 December.
    assert m.sustainment_window(end) == m.Window(d("2021-12-01"), end)
    # 31 May 2022 - 12 months = 31 May 2021, + 1 day = 1 June 2021.
    assert m.retention_window(end) == m.Window(d("2021-06-01"), end)
    # 31 August - 6 months = 28 February (2022 is not a leap year), + 1 day = 1 March.
    assert m.sustainment_window(d("2022-08-31")).start == d("2022-03-01")
    assert m.retention_training_cutoff(end) == d("2021-05-31")
    assert m.sustainment_launch_cutoff(end) == d("2021-05-31")


def test_is_eligible_for_sustainment() -> None:
    end = d("2022-05-31")
    # The launch cut-off is 2021-05-31, inclusive.
    assert m.is_eligible_for_sustainment(d("2021-05-31"), None, end)
    assert not m.is_eligible_for_sustainment(d("2021-06-01"), None, end)
    # ended_on must be empty or after end: ending on the last day is not "after".
    assert not m.is_eligible_for_sustainment(d("2020-01-01"), end, end)
    assert m.is_eligible_for_sustainment(d("2020-01-01"), d("2022-06-01"), end)
    assert not m.is_eligible_for_sustainment(None, None, end)


def test_is_training_current() -> None:
    end = d("2022-05-31")
    # Default 24 months: current from 2020-05-31 on.
    assert m.is_training_current(d("2020-05-31"), end)
    assert not m.is_training_current(d("2020-05-30"), end)
    # With a 12-month refresher cycle 2021-06-01 is current, 2021-05-30 is not.
    assert m.is_training_current(d("2021-06-01"), end, refresher_months=12)
    assert not m.is_training_current(d("2021-05-30"), end, refresher_months=12)
    assert not m.is_training_current(None, end)
    # A course after the end of the period is not taken into account.
    assert not m.is_training_current(d("2022-06-01"), end)


# --- windows -----------------------------------------------------------------------------------


def test_three_year_period_gives_three_windows() -> None:
    windows = m.year_windows(d("2019-06-01"), d("2022-05-31"))
    assert windows == [
        m.Window(d("2019-06-01"), d("2020-05-31")),
        m.Window(d("2020-06-01"), d("2021-05-31")),
        m.Window(d("2021-06-01"), d("2022-05-31")),
    ]


def test_fourteen_month_period_gives_two_windows_the_last_cut_at_end() -> None:
    windows = m.year_windows(d("2019-06-01"), d("2020-07-31"))
    assert windows == [
        m.Window(d("2019-06-01"), d("2020-05-31")),
        m.Window(d("2020-06-01"), d("2020-07-31")),
    ]


def test_period_shorter_than_a_year_gives_one_window() -> None:
    assert m.year_windows(d("2021-01-01"), d("2021-03-31")) == [
        m.Window(d("2021-01-01"), d("2021-03-31"))
    ]
    assert m.year_windows(d("2021-01-01"), d("2021-01-01")) == [
        m.Window(d("2021-01-01"), d("2021-01-01"))
    ]


def test_a_year_and_a_day_gives_a_one_day_last_window() -> None:
    assert m.year_windows(d("2019-06-01"), d("2020-06-01")) == [
        m.Window(d("2019-06-01"), d("2020-05-31")),
        m.Window(d("2020-06-01"), d("2020-06-01")),
    ]


def test_windows_from_29_february_are_counted_from_the_start() -> None:
    # start + 12 months = 2021-02-28, start + 24 months = 2022-02-28; each window ends the day
    # before the next one starts.
    assert m.year_windows(d("2020-02-29"), d("2022-12-31")) == [
        m.Window(d("2020-02-29"), d("2021-02-27")),
        m.Window(d("2021-02-28"), d("2022-02-27")),
        m.Window(d("2022-02-28"), d("2022-12-31")),
    ]


def test_windows_from_29_february_find_it_again_in_the_next_leap_year() -> None:
    # start + 48 months = 2024-02-29, so the fourth window runs to 2024-02-28 (not 02-27, as
    # stepping 12 months from 2023-02-28 would give) and the fifth starts on the 29th.
    windows = m.year_windows(d("2020-02-29"), d("2024-12-31"))
    assert windows[3] == m.Window(d("2023-02-28"), d("2024-02-28"))
    assert windows[4] == m.Window(d("2024-02-29"), d("2024-12-31"))
    assert len(windows) == 5


def test_reversed_period_is_an_error() -> None:
    with pytest.raises(ValueError):
        m.year_windows(d("2020-01-02"), d("2020-01-01"))
    with pytest.raises(ValueError):
        m.quarters(d("2020-01-02"), d("2020-01-01"))


def test_quarters_are_clipped_at_both_ends() -> None:
    assert m.quarters(d("2020-02-15"), d("2020-08-10")) == [
        m.Window(d("2020-02-15"), d("2020-03-31")),
        m.Window(d("2020-04-01"), d("2020-06-30")),
        m.Window(d("2020-07-01"), d("2020-08-10")),
    ]


def test_quarters_of_the_reference_period() -> None:
    windows = m.quarters(d("2019-06-01"), d("2022-05-31"))
    # 2019 Q2 (June only), Q3, Q4; 4 in 2020; 4 in 2021; 2022 Q1 and Q2 (to 31 May) = 13.
    assert len(windows) == 13
    assert windows[0] == m.Window(d("2019-06-01"), d("2019-06-30"))
    assert windows[1] == m.Window(d("2019-07-01"), d("2019-09-30"))
    assert windows[2] == m.Window(d("2019-10-01"), d("2019-12-31"))
    assert windows[-1] == m.Window(d("2022-04-01"), d("2022-05-31"))


def test_period_inside_one_quarter_gives_one_window() -> None:
    assert m.quarters(d("2021-02-10"), d("2021-03-05")) == [
        m.Window(d("2021-02-10"), d("2021-03-05"))
    ]


def test_window_days_and_contains() -> None:
    window = m.Window(d("2020-02-01"), d("2020-02-29"))
    assert window.days == 29
    assert window.contains(d("2020-02-29"))
    assert not window.contains(d("2020-03-01"))


# Month ends and 29 February are where month arithmetic goes wrong, so draw them often.
awkward_starts = st.sampled_from(
    [date(2016, 2, 29), date(2020, 2, 29), date(2019, 1, 31), date(2019, 8, 31), date(2021, 5, 31)]
)
periods = st.tuples(
    st.one_of(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)), awkward_starts),
    st.integers(min_value=0, max_value=3000),
).map(lambda pair: (pair[0], pair[0] + timedelta(days=pair[1])))


@given(periods)
def test_year_windows_tile_the_period(period: tuple[date, date]) -> None:
    start, end = period
    windows = m.year_windows(start, end)
    assert windows[0].start == start
    assert windows[-1].end == end
    for earlier, later in pairwise(windows):
        assert later.start == earlier.end + timedelta(days=1)
    # Every window but the last is a whole year of 365 or 366 days.
    assert all(w.days in (365, 366) for w in windows[:-1])
    assert 1 <= windows[-1].days <= 366
    assert sum(w.days for w in windows) == m.inclusive_days(start, end)


@given(periods)
def test_quarters_tile_the_period(period: tuple[date, date]) -> None:
    start, end = period
    windows = m.quarters(start, end)
    assert windows[0].start == start
    assert windows[-1].end == end
    for earlier, later in pairwise(windows):
        assert later.start == earlier.end + timedelta(days=1)
        assert later.start.month in (1, 4, 7, 10)
        assert later.start.day == 1
    assert sum(w.days for w in windows) == m.inclusive_days(start, end)


# --- ratios ------------------------------------------------------------------------------------


def test_proportion() -> None:
    assert m.proportion(1, 4) == 0.25
    assert m.proportion(0, 5) == 0.0
    assert m.proportion(3, 0) is None
    assert m.proportion(0, 0) is None
    assert m.proportion(None, 4) is None
    assert m.proportion(4, None) is None


def test_rates_per_100() -> None:
    assert m.rate_per_100(1, 4) == 25.0
    assert m.rate_per_100(3, 0) is None
    # 306 successful interactions over 102 physician-years: 3 per physician-year, 300 per 100.
    assert m.per_100_physician_years(306, 102.0) == 300.0
    assert m.per_100_physician_years(5, 0.0) is None


def test_trend_ratio() -> None:
    assert m.trend_ratio(50.0, 75.0) == 1.5
    assert m.trend_ratio(80.0, 0.0) == 0.0
    assert m.trend_ratio(0.0, 75.0) is None
    assert m.trend_ratio(None, 75.0) is None
    assert m.trend_ratio(50.0, None) is None


def test_acceptance_rate() -> None:
    # 30 supported, 10 declined: 30 / 40.
    assert m.acceptance_rate(30, 10) == 0.75
    assert m.acceptance_rate(0, 0) is None
    assert m.acceptance_rate(None, 10) is None


def test_minutes_to_hours() -> None:
    assert m.minutes_to_hours(90) == 1.5
    assert m.minutes_to_hours(0) == 0.0


def test_hours_between_counts_real_elapsed_time() -> None:
    utc = ZoneInfo("UTC")
    received_at = datetime(2021, 3, 4, 9, 0, tzinfo=utc)
    # Next day 10:30: 24 + 1.5 hours.
    assert m.hours_between(received_at, datetime(2021, 3, 5, 10, 30, tzinfo=utc)) == 25.5
    # The same instant written in another zone: 09:00 UTC is 04:00 in New York (EST, -5).
    assert m.hours_between(received_at, datetime(2021, 3, 4, 4, 0, tzinfo=ZoneInfo("EST"))) == 0.0
    # Over the spring-forward night in New York the wall clock moves 24 hours, time only 23.
    new_york = ZoneInfo("America/New_York")
    received = datetime(2021, 3, 13, 12, 0, tzinfo=new_york)
    contacted = datetime(2021, 3, 14, 12, 0, tzinfo=new_york)
    assert m.hours_between(received, contacted) == 23.0


def test_is_within_deadline() -> None:
    assert m.is_within_deadline(24.0)  # exactly at the default deadline
    assert not m.is_within_deadline(24.25)
    assert not m.is_within_deadline(None)  # never contacted
    assert m.is_within_deadline(47.5, deadline_hours=48)


# --- distributions -----------------------------------------------------------------------------


def test_percentile_interpolates_between_closest_ranks() -> None:
    values = [15, 20, 35, 40, 50]
    # n = 5, so rank h = 4 * q / 100.
    assert m.percentile(values, 0) == 15.0
    assert m.percentile(values, 25) == 20.0  # h = 1
    assert m.percentile(values, 50) == 35.0  # h = 2
    assert m.percentile(values, 75) == 40.0  # h = 3
    assert m.percentile(values, 100) == 50.0  # h = 4
    # h = 1.6: 20 + 0.6 * (35 - 20) = 29.
    assert m.percentile(values, 40) == pytest.approx(29.0)


def test_percentile_does_not_need_sorted_input() -> None:
    assert m.percentile([50, 15, 40, 20, 35], 50) == 35.0
    assert m.percentile([4, 1, 3, 2], 25) == 1.75


def test_percentile_of_an_even_count() -> None:
    values = [1, 2, 3, 4]
    # n = 4, h = 3 * q / 100.
    assert m.percentile(values, 50) == 2.5  # h = 1.5: 2 + 0.5 * 1
    assert m.percentile(values, 25) == 1.75  # h = 0.75: 1 + 0.75 * 1
    assert m.percentile(values, 75) == 3.25  # h = 2.25: 3 + 0.25 * 1


def test_percentile_of_one_and_of_no_values() -> None:
    assert m.percentile([60], 25) == 60.0
    assert m.percentile([60], 75) == 60.0
    assert m.percentile([], 50) is None


def test_percentile_rejects_q_outside_0_to_100() -> None:
    with pytest.raises(ValueError):
        m.percentile([1, 2], 101)
    with pytest.raises(ValueError):
        m.percentile([1, 2], -1)


def test_median() -> None:
    assert m.median([45, 60]) == 52.5
    assert m.median([]) is None


def test_duration_summary() -> None:
    # Sorted: 30 45 60 60 90 120, n = 6, h = 5 * q / 100.
    # median h = 2.5: 60 + 0.5 * 0 = 60; p25 h = 1.25: 45 + 0.25 * 15 = 48.75;
    # p75 h = 3.75: 60 + 0.75 * 30 = 82.5; mean 405 / 6 = 67.5.
    summary = m.duration_summary([60, 120, 30, 90, 45, 60])
    assert summary == {"n": 6, "median": 60.0, "p25": 48.75, "p75": 82.5, "mean": 67.5}


def test_duration_summary_of_nothing() -> None:
    assert m.duration_summary([]) == {
        "n": 0,
        "median": None,
        "p25": None,
        "p75": None,
        "mean": None,
    }


def test_quartile_summary_has_no_mean() -> None:
    # Hours to first contact 2, 6, 30: median 6, p25 h = 0.5: 2 + 0.5 * 4 = 4,
    # p75 h = 1.5: 6 + 0.5 * 24 = 18.
    assert m.quartile_summary([30.0, 2.0, 6.0]) == {"n": 3, "median": 6.0, "p25": 4.0, "p75": 18.0}


@given(st.lists(st.integers(min_value=0, max_value=1440), min_size=2, max_size=60))
def test_quartiles_agree_with_the_standard_library(values: list[int]) -> None:
    # statistics.quantiles(method="inclusive") is the same closest-ranks interpolation.
    p25, p50, p75 = statistics.quantiles(values, n=4, method="inclusive")
    summary = m.quartile_summary(values)
    assert summary["p25"] == pytest.approx(p25)
    assert summary["median"] == pytest.approx(p50)
    assert summary["p75"] == pytest.approx(p75)


@given(
    st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=60),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_agrees_with_numpy(values: list[float], q: float) -> None:
    numpy = pytest.importorskip("numpy")
    assert m.percentile(values, q) == pytest.approx(float(numpy.percentile(values, q)))


# --- surveys -----------------------------------------------------------------------------------


def test_likert_agree_is_4_or_5() -> None:
    assert [m.is_agree(answer) for answer in (1, 2, 3, 4, 5)] == [False, False, False, True, True]
    assert not m.is_agree(None)
    with pytest.raises(ValueError):
        m.is_agree(0)
    with pytest.raises(ValueError):
        m.is_agree(6)


def test_is_yes() -> None:
    assert m.is_yes("yes")
    assert m.is_yes("Yes")
    assert m.is_yes(True)
    assert not m.is_yes("no")
    assert not m.is_yes(False)
    assert not m.is_yes(None)


def test_likert_item_counts_respondents_who_answered() -> None:
    # Answered: 5 4 3 2 4 (one blank). Agree: 5, 4, 4 = 3 of 5 = 0.6.
    assert m.likert_item([5, 4, 3, None, 2, 4]) == {
        "agree": 3,
        "respondents": 5,
        "proportion": 0.6,
    }


def test_yes_no_item_counts_yes() -> None:
    # Answered: 5 (one blank). Yes: "yes", "YES", True = 3 of 5.
    assert m.yes_no_item(["yes", "no", "YES", None, True, False]) == {
        "yes": 3,
        "respondents": 5,
        "proportion": 0.6,
    }


def test_item_blocks_from_counts() -> None:
    assert m.yes_block(17, 20) == {"yes": 17, "respondents": 20, "proportion": 0.85}
    assert m.agree_block(0, 0) == {"agree": 0, "respondents": 0, "proportion": None}
    with pytest.raises(ValueError):
        m.agree_block(5, 3)


def test_who5_index() -> None:
    answers = {"who5_1": 3, "who5_2": 3, "who5_3": 3, "who5_4": 3, "who5_5": 3}
    assert m.who5_index(answers) == 60  # 4 * 15
    assert m.who5_index(dict.fromkeys(m.WHO5_ITEMS, 5)) == 100
    assert m.who5_index(dict.fromkeys(m.WHO5_ITEMS, 0)) == 0
    uneven = {"who5_1": 0, "who5_2": 1, "who5_3": 2, "who5_4": 4, "who5_5": 5}
    assert m.who5_index(uneven) == 48  # 4 * 12


def test_who5_index_needs_all_five_items() -> None:
    missing = {"who5_1": 3, "who5_2": 3, "who5_3": 3, "who5_4": 3}
    assert m.who5_index(missing) is None
    blank = {"who5_1": 3, "who5_2": 3, "who5_3": None, "who5_4": 3, "who5_5": 3}
    assert m.who5_index(blank) is None
    with pytest.raises(ValueError):
        m.who5_index({**blank, "who5_3": 6})


def test_poor_wellbeing_is_below_52() -> None:
    assert m.is_poor_wellbeing(48)
    assert not m.is_poor_wellbeing(52)
    assert not m.is_poor_wellbeing(None)


def test_wellbeing_summary() -> None:
    # Complete responses 60, 48, 100, 28 (one incomplete): mean 236 / 4 = 59;
    # poor (< 52): 48 and 28 = 2 of 4.
    assert m.wellbeing_summary([60, 48, None, 100, 28]) == {
        "respondents": 4,
        "mean_index": 59.0,
        "poor_wellbeing": 2,
        "proportion_poor": 0.5,
    }
    assert m.wellbeing_summary([]) == {
        "respondents": 0,
        "mean_index": None,
        "poor_wellbeing": 0,
        "proportion_poor": None,
    }


@given(st.lists(st.integers(0, 600), max_size=40))
def test_summaries_of_counts_equal_those_of_the_values(minutes) -> None:
    """Durations counted by value (as the database returns them) give exactly the summary and
    median of the durations listed one by one."""
    counts: dict[int, int] = {}
    for value in minutes:
        counts[value] = counts.get(value, 0) + 1
    assert m.duration_summary_of_counts(counts) == m.duration_summary(minutes)
    assert median_of_counts(counts) == m.median(minutes)
