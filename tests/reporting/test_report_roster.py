"""Report numbers that come from the roster, departments and training, on a small hand-built
program. Every expected value is worked out by hand in the comments.

Period P = 2020-01-01 .. 2021-06-30 (547 days: 366 in 2020, 181 in 2021).

North/Emergency Medicine (A): launched 2019-06-01, still running.
North/Surgery (C): launched 2020-09-15, ended 2021-03-31 (both inside P).
South/Anesthesia (B): never launched.
South/Pediatrics (D): launched 2021-07-01, the day after P.
"""

from __future__ import annotations

from datetime import date

import pytest

from reporting.report import ReAimReport, ReportInputError, period_parse, scope_resolve
from tests.factories import DepartmentFactory, PhysicianFactory, SiteFactory
from tests.training.factories import TrainingCompletionFactory

DAYS_PER_YEAR = 365.25


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def program(db):
    north = SiteFactory(name="North")
    south = SiteFactory(name="South")
    a = DepartmentFactory(site=north, name="Emergency Medicine", launched_on=d("2019-06-01"))
    c = DepartmentFactory(
        site=north, name="Surgery", launched_on=d("2020-09-15"), ended_on=d("2021-03-31")
    )
    b = DepartmentFactory(site=south, name="Anesthesia", launched_on=None)
    dd = DepartmentFactory(site=south, name="Pediatrics", launched_on=d("2021-07-01"))
    people = {
        # A: 547 days (all of P).
        "a1": PhysicianFactory(department=a),
        # A: joined 2020-03-01, 547 - 31 (Jan) - 29 (Feb 2020) = 487 days.
        "a2": PhysicianFactory(department=a, started_on=d("2020-03-01")),
        # A: left the day before P: not employed, 0 days.
        "a3": PhysicianFactory(department=a, ended_on=d("2019-12-31")),
        # A: joins the day after P: not employed, 0 days.
        "a4": PhysicianFactory(department=a, started_on=d("2021-07-01")),
        # A: left on P's first day: employed, 1 day.
        "a5": PhysicianFactory(department=a, ended_on=d("2020-01-01")),
        # C: 2020-09-15 .. 2021-03-31 = 16 + 31 + 30 + 31 + 31 + 28 + 31 = 198 days.
        "c1": PhysicianFactory(department=c),
        # C: joined 2021-04-01, after C ended: employed in P and eligible, but 0 days.
        "c2": PhysicianFactory(department=c, started_on=d("2021-04-01")),
        # B: employed, department never launched: not eligible, 0 days.
        "b1": PhysicianFactory(department=b),
        # D: employed, department launched after P: not eligible, 0 days.
        "d1": PhysicianFactory(department=dd),
    }
    completions = [
        ("a1", "initial", "2019-05-01"),
        ("a1", "refresher", "2021-01-10"),
        ("a2", "initial", "2020-06-30"),
        ("a2", "initial", "2021-02-01"),  # took it again: the first one counts
        ("c1", "initial", "2020-07-01"),
        ("b1", "initial", "2019-06-29"),  # one day before end - 24 months: lapsed
        ("d1", "initial", "2021-07-01"),  # after P: not trained by its end
        ("a3", "initial", "2019-01-01"),  # left the roster, still a trained physician of A
        ("a3", "refresher", "2021-06-30"),
        ("c2", "refresher", "2021-01-01"),  # a refresher without an initial course
    ]
    for who, course, on in completions:
        TrainingCompletionFactory(physician=people[who], course=course, completed_on=d(on))
    return {"a": a, "b": b, "c": c, "d": dd, **people}


def report(**kwargs) -> dict:
    scope = scope_resolve(site=kwargs.pop("site", None), departments=kwargs.pop("departments", ()))
    return ReAimReport(period=period_parse("2020-01-01", "2021-06-30"), scope=scope, **kwargs).data


def test_reach_counts_eligible_physicians_and_person_time(program):
    reach = report()["reach"]
    # Employed in P in adopted departments: a1, a2, a5 (A) and c1, c2 (C).
    assert reach["eligible_physicians"] == 5
    # 547 + 487 + 1 + 198 + 0 days.
    assert reach["physician_years"] == 1233 / DAYS_PER_YEAR


def test_adoption(program):
    adoption = report()["adoption"]
    assert adoption["departments_total"] == 4
    assert adoption["departments_adopted"] == 2  # A and C; B never launched, D after P
    assert adoption["proportion_departments"] == 0.5
    # Employed in P: a1, a2, a5, c1, c2, b1, d1 (a3 left before P, a4 joins after it).
    assert adoption["physicians_total"] == 7
    assert adoption["physicians_in_adopting_departments"] == 5
    assert adoption["proportion_physicians_covered"] == 5 / 7
    # First initial course on or before end: a1, a2, c1, b1, a3 (d1's is after P).
    assert adoption["supporters_trained"] == 5
    # ... within P: a2 (2020-06-30) and c1 (2020-07-01).
    assert adoption["supporters_trained_in_period"] == 2
    assert adoption["supporters_per_100_physicians"] == 5 / 5 * 100


def test_maintenance_windows_and_supporters(program):
    maintenance = report()["maintenance"]
    # 2020: a1 366 + a2 306 (Mar-Dec) + a5 1 + c1 108 (Sep 15 - Dec 31) = 781 days;
    # 2021 H1: a1 181 + a2 181 + c1 90 (Jan-Mar) = 452 days.
    assert [(w["from"], w["to"], w["physician_years"]) for w in maintenance["by_year"]] == [
        ("2020-01-01", "2020-12-31", 781 / DAYS_PER_YEAR),
        ("2021-01-01", "2021-06-30", 452 / DAYS_PER_YEAR),
    ]
    # launched_on <= 2020-06-30 and still running after end: only A.
    assert maintenance["departments_eligible_for_sustainment"] == 1
    # First initial on or before 2020-06-30: a1, a2 (that very day), b1, a3.
    assert maintenance["supporters_eligible_for_retention"] == 4
    # A course in [2019-06-30, 2021-06-30]: a1, a2, c1, a3 (refresher on end); b1's lapsed
    # one day earlier; c2 has a refresher but no initial course.
    assert maintenance["supporters_training_current"] == 4


def test_refresher_months_setting_moves_the_training_cutoff(program, settings):
    settings.REFRESHER_MONTHS = 12
    # Cut-off 2020-06-30: a1 (2021-01-10), a2, c1, a3 are still current; b1 is not.
    assert report()["maintenance"]["supporters_training_current"] == 4
    settings.REFRESHER_MONTHS = 6
    # Cut-off 2020-12-30: a1 (2021-01-10), a2 (2021-02-01), a3 (2021-06-30); c1 lapsed.
    assert report()["maintenance"]["supporters_training_current"] == 3


def test_by_department_rows(program):
    rows = report()["by_department"]
    assert [(r["site"], r["department"]) for r in rows] == [
        ("North", "Emergency Medicine"),
        ("North", "Surgery"),
        ("South", "Anesthesia"),
        ("South", "Pediatrics"),
    ]
    a, c, b, dd = rows
    assert (a["launched_on"], a["adopted"], a["physicians"]) == ("2019-06-01", True, 3)
    assert a["physician_years"] == (547 + 487 + 1) / DAYS_PER_YEAR
    assert a["supporters_trained"] == 3  # a1, a2, a3
    assert (c["adopted"], c["physicians"], c["physician_years"]) == (True, 2, 198 / DAYS_PER_YEAR)
    assert c["supporters_trained"] == 1
    assert (b["launched_on"], b["adopted"], b["physicians"], b["physician_years"]) == (
        None,
        False,
        1,
        0.0,
    )
    assert b["supporters_trained"] == 1
    assert (dd["adopted"], dd["physicians"], dd["physician_years"]) == (False, 1, 0.0)
    assert dd["supporters_trained"] == 0


def test_site_scope_keeps_its_departments_only(program):
    data = report(site="North")
    assert data["scope"] == {"sites": ["North"], "departments": []}
    assert [r["department"] for r in data["by_department"]] == ["Emergency Medicine", "Surgery"]
    assert data["adoption"]["departments_total"] == 2
    assert data["adoption"]["physicians_total"] == 5
    assert data["adoption"]["supporters_trained"] == 4  # a1, a2, a3, c1


def test_department_list_scope(program):
    data = report(departments=["South/Pediatrics", "North/Surgery"])
    assert data["scope"] == {
        "sites": [],
        "departments": ["North/Surgery", "South/Pediatrics"],
    }
    assert data["reach"]["eligible_physicians"] == 2  # c1, c2
    assert data["reach"]["physician_years"] == 198 / DAYS_PER_YEAR
    assert data["adoption"]["departments_adopted"] == 1


def test_empty_scope_gives_nulls_not_errors(db):
    SiteFactory(name="Empty")
    data = report(site="Empty")
    assert data["adoption"]["departments_total"] == 0
    assert data["adoption"]["proportion_departments"] is None
    assert data["reach"]["physician_years"] == 0.0
    assert data["adoption"]["supporters_per_100_physicians"] is None


def test_one_day_period(program):
    one = ReAimReport(period=period_parse("2020-01-01", "2020-01-01")).data
    # a1 and a5 (leaving that day); a2 joins in March; C launches in September.
    assert one["reach"]["eligible_physicians"] == 2
    assert one["reach"]["physician_years"] == 2 / DAYS_PER_YEAR
    assert [(w["from"], w["to"]) for w in one["maintenance"]["by_year"]] == [
        ("2020-01-01", "2020-01-01")
    ]


@pytest.mark.parametrize(
    ("site", "departments", "message"),
    [
        ("Nowhere", (), "unknown site 'Nowhere'"),
        (None, ("North/Dermatology",), "unknown department 'North/Dermatology'"),
        ("South", ("North/Surgery",), "not in the site South"),
    ],
)
def test_bad_scope_is_refused_with_a_clear_message(program, site, departments, message):
    with pytest.raises(ReportInputError, match=message):
        scope_resolve(site=site, departments=departments)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2020-13-01", "2020-12-31", "start date '2020-13-01' is not a valid date"),
        ("2020-01-01", "yesterday", "end date 'yesterday' is not a valid date"),
        ("2021-01-01", "2020-12-31", "the start 2021-01-01 is after the end 2020-12-31"),
    ],
)
def test_bad_period_is_refused_with_a_clear_message(start, end, message):
    with pytest.raises(ReportInputError, match=message):
        period_parse(start, end)
