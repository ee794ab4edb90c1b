"""Interaction numbers of the report on a small hand-built program; every expected value is
worked out by hand in the comments.

Period P = 2020-01-01 .. 2021-06-30 (547 days; 366 in 2020, 181 in 2021).

North/Emergency Medicine (A): launched 2019-06-01. Physicians a1, a2, a3 (joined 2021-01-01)
    and the supporter s_a: 547 + 547 + 181 + 547 = 1822 days.
North/Surgery (C): launched 2020-09-15, ended 2021-03-31 (198 days). c1 and the supporter s_c:
    396 days.
South/Emergency Medicine (B): launched 2020-01-01. b1 and the supporter s_b: 1094 days.
"""

from __future__ import annotations

from datetime import date

import pytest

from reporting.report import ReAimReport, period_parse, scope_resolve
from tests.factories import DepartmentFactory, PeerSupporterFactory, PhysicianFactory, SiteFactory
from tests.training.factories import TrainingCompletionFactory

from .factories import make_interaction

Y = 365.25


def d(text: str) -> date:
    return date.fromisoformat(text)


def rate(count: int, days: int) -> float:
    """Interactions per 100 physician-years, written as the definition reads."""
    return count / (days / Y) * 100


@pytest.fixture
def program(db):
    north, south = SiteFactory(name="North"), SiteFactory(name="South")
    a = DepartmentFactory(site=north, name="Emergency Medicine", launched_on=d("2019-06-01"))
    c = DepartmentFactory(
        site=north, name="Surgery", launched_on=d("2020-09-15"), ended_on=d("2021-03-31")
    )
    b = DepartmentFactory(site=south, name="Emergency Medicine", launched_on=d("2020-01-01"))
    a1, a2 = PhysicianFactory(department=a), PhysicianFactory(department=a)
    PhysicianFactory(department=a, started_on=d("2021-01-01"))
    c1, b1 = PhysicianFactory(department=c), PhysicianFactory(department=b)
    s_a = PeerSupporterFactory(physician=PhysicianFactory(department=a))
    s_b = PeerSupporterFactory(physician=PhysicianFactory(department=b))
    s_c = PeerSupporterFactory(physician=PhysicianFactory(department=c))
    for supporter, on in ((s_a, "2019-05-01"), (s_b, "2020-10-01"), (s_c, "2020-09-01")):
        TrainingCompletionFactory(physician=supporter.physician, completed_on=d(on))
    rows = [
        # 1. The day before P: not counted.
        {
            "department": a,
            "physician": a1,
            "occurred_on": "2019-12-31",
            "duration_minutes": 60,
            "supporter": s_a,
        },
        # 2. P's first day.
        {
            "department": a,
            "physician": a1,
            "occurred_on": "2020-01-01",
            "duration_minutes": 30,
            "supporter": s_a,
        },
        # 3. The same physician again: still one unique physician.
        {
            "department": a,
            "physician": a1,
            "occurred_on": "2020-02-10",
            "duration_minutes": 45,
            "source": "third_party",
            "supporter": s_a,
        },
        # 4. De-identified after retention: a1's pseudonym only, so a1 still counts once.
        {
            "department": a,
            "physician": a1,
            "pseudonymised": True,
            "occurred_on": "2020-03-05",
            "duration_minutes": 60,
            "source": "event",
            "escalated": True,
            "supporter": s_a,
        },
        # 5. An attempt that did not reach anyone: logged, not successful.
        {
            "department": a,
            "physician": a2,
            "occurred_on": "2020-04-01",
            "duration_minutes": 0,
            "successful": False,
            "source": "proactive",
            "supporter": s_a,
        },
        # 6. B's supporter supports in C.
        {
            "department": c,
            "physician": c1,
            "occurred_on": "2020-10-01",
            "duration_minutes": 90,
            "source": "proactive",
            "escalated": True,
            "supporter": s_b,
        },
        # 7. Nobody on the roster: successful, but no physician to count.
        {
            "department": b,
            "physician": None,
            "occurred_on": "2021-02-15",
            "duration_minutes": 20,
            "supporter": s_b,
        },
        # 8. P's last day; A's supporter supports in B.
        {
            "department": b,
            "physician": b1,
            "occurred_on": "2021-06-30",
            "duration_minutes": 120,
            "source": "third_party",
            "supporter": s_a,
        },
        # 9. The day after P: not counted.
        {
            "department": b,
            "physician": b1,
            "occurred_on": "2021-07-01",
            "duration_minutes": 50,
            "supporter": s_b,
        },
    ]
    for row in rows:
        make_interaction(**{**row, "occurred_on": d(row["occurred_on"])})
    return {"a": a, "b": b, "c": c, "s_a": s_a, "s_b": s_b, "s_c": s_c}


def report(start="2020-01-01", end="2021-06-30", **scope) -> dict:
    return ReAimReport(period=period_parse(start, end), scope=scope_resolve(**scope)).data


def test_reach(program):
    reach = report()["reach"]
    assert reach["successful_interactions"] == 6  # 2, 3, 4, 6, 7, 8
    assert reach["interactions_logged"] == 7  # and 5
    assert reach["unique_physicians_supported"] == 3  # a1 (linked or pseudonymised), c1, b1
    assert reach["eligible_physicians"] == 8
    assert reach["proportion_supported"] == 3 / 8
    assert reach["physician_years"] == 3312 / Y
    assert reach["interactions_per_100_physician_years"] == rate(6, 3312)
    assert reach["by_source"] == {"self": 2, "third_party": 2, "event": 1, "proactive": 1}


def test_implementation(program):
    implementation = report()["implementation"]
    # Durations [20, 30, 45, 60, 90, 120]: median at rank 2.5 = 45 + 0.5 x 15; p25 at 1.25 =
    # 30 + 0.25 x 15; p75 at 3.75 = 60 + 0.75 x 30; mean 365 / 6.
    assert implementation["duration_minutes"] == {
        "n": 6,
        "median": 52.5,
        "p25": 33.75,
        "p75": 82.5,
        "mean": 365 / 6,
    }
    assert implementation["total_support_hours"] == 365 / 60
    assert implementation["escalated"] == 2  # 4 and 6
    assert implementation["escalation_rate"] == 2 / 6


def test_maintenance(program):
    maintenance = report()["maintenance"]
    # 2020: interactions 2, 3, 4, 6; A 366 x 3 + C 108 x 2 + B 366 x 2 = 2046 days.
    # 2021 H1: interactions 7, 8; A 181 x 4 + C 90 x 2 + B 181 x 2 = 1266 days.
    assert maintenance["by_year"] == [
        {
            "from": "2020-01-01",
            "to": "2020-12-31",
            "successful_interactions": 4,
            "physician_years": 2046 / Y,
            "interactions_per_100_physician_years": rate(4, 2046),
        },
        {
            "from": "2021-01-01",
            "to": "2021-06-30",
            "successful_interactions": 2,
            "physician_years": 1266 / Y,
            "interactions_per_100_physician_years": rate(2, 1266),
        },
    ]
    assert maintenance["trend_ratio"] == rate(2, 1266) / rate(4, 2046)
    assert [(q["from"], q["successful_interactions"]) for q in maintenance["by_quarter"]] == [
        ("2020-01-01", 3),
        ("2020-04-01", 0),  # only the unsuccessful attempt
        ("2020-07-01", 0),
        ("2020-10-01", 1),
        ("2021-01-01", 1),
        ("2021-04-01", 1),
    ]
    # Eligible: A and B (launched by 2020-06-30, still running); C launched later. Only B had
    # a successful interaction in [2021-01-01, 2021-06-30].
    assert maintenance["departments_eligible_for_sustainment"] == 2
    assert maintenance["departments_sustained"] == 1
    # Eligible for retention: s_a (trained 2019-05-01); retained by interaction 8.
    assert maintenance["supporters_eligible_for_retention"] == 1
    assert maintenance["supporters_retained"] == 1


def test_adoption_counts_active_supporters_wherever_they_worked(program):
    assert report()["adoption"]["supporters_active"] == 2  # s_a and s_b; s_c logged nothing
    # In the second half of 2020 B's supporter worked only in C (North), yet counts for B.
    south = report("2020-07-01", "2020-12-31", departments=["South/Emergency Medicine"])
    assert south["reach"]["successful_interactions"] == 0
    assert south["adoption"]["supporters_active"] == 1
    north = report("2020-07-01", "2020-12-31", site="North")
    assert north["reach"]["successful_interactions"] == 1
    assert north["adoption"]["supporters_active"] == 0  # s_a and s_c logged nothing then


def test_by_department(program):
    rows = {(r["site"], r["department"]): r for r in report()["by_department"]}
    a = rows[("North", "Emergency Medicine")]
    assert (a["physicians"], a["successful_interactions"], a["unique_physicians_supported"]) == (
        4,
        3,
        1,
    )
    assert a["physician_years"] == 1822 / Y
    assert a["interactions_per_100_physician_years"] == rate(3, 1822)
    assert a["median_duration_minutes"] == 45.0  # [30, 45, 60]
    c = rows[("North", "Surgery")]
    assert (c["successful_interactions"], c["unique_physicians_supported"]) == (1, 1)
    assert c["physician_years"] == 396 / Y
    assert c["median_duration_minutes"] == 90.0
    b = rows[("South", "Emergency Medicine")]
    assert (b["successful_interactions"], b["unique_physicians_supported"]) == (2, 1)
    assert b["median_duration_minutes"] == 70.0  # [20, 120]
    assert b["interactions_per_100_physician_years"] == rate(2, 1094)
    assert list(a) == [
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
        "survey_had_interaction",
    ]


def test_quarters_are_clipped_to_the_period(program):
    maintenance = report("2020-02-10", "2020-11-15")["maintenance"]
    assert [
        (q["from"], q["to"], q["successful_interactions"]) for q in maintenance["by_quarter"]
    ] == [
        ("2020-02-10", "2020-03-31", 2),  # 3 and 4 (2 is before the period)
        ("2020-04-01", "2020-06-30", 0),
        ("2020-07-01", "2020-09-30", 0),
        ("2020-10-01", "2020-11-15", 1),
    ]


def test_duration_histogram(program):
    histogram = report()["supplementary"]["duration_histogram"]
    assert histogram == {
        "under 15": 0,
        "15-29": 1,
        "30-44": 1,
        "45-59": 1,
        "60-89": 1,
        "90-119": 1,
        "120 or more": 1,
    }


def test_department_scope_counts_its_own_interactions(program):
    south = report(departments=["South/Emergency Medicine"])
    assert south["reach"]["successful_interactions"] == 2
    assert south["reach"]["unique_physicians_supported"] == 1
    assert south["implementation"]["duration_minutes"]["median"] == 70.0


def test_contract_keys_in_order(program):
    data = report()
    assert list(data["reach"]) == [
        "successful_interactions",
        "interactions_logged",
        "unique_physicians_supported",
        "eligible_physicians",
        "proportion_supported",
        "physician_years",
        "interactions_per_100_physician_years",
        "by_source",
        "survey_had_interaction",
    ]
    assert list(data["adoption"]) == [
        "departments_total",
        "departments_adopted",
        "proportion_departments",
        "physicians_total",
        "physicians_in_adopting_departments",
        "proportion_physicians_covered",
        "supporters_trained",
        "supporters_trained_in_period",
        "supporters_active",
        "supporters_per_100_physicians",
    ]
    assert list(data["implementation"]) == [
        "duration_minutes",
        "total_support_hours",
        "escalated",
        "escalation_rate",
        "referrals",
    ]
    assert list(data["maintenance"]) == [
        "by_year",
        "by_quarter",
        "trend_ratio",
        "departments_sustained",
        "departments_eligible_for_sustainment",
        "supporters_retained",
        "supporters_eligible_for_retention",
        "supporters_training_current",
    ]


def test_trend_ratio_is_null_when_the_first_rate_is_zero(program):
    # 2020-04-01..2020-09-30: one window, only the failed attempt: a rate of 0.
    quiet = report("2020-04-01", "2020-09-30")["maintenance"]
    assert quiet["by_year"][0]["interactions_per_100_physician_years"] == 0.0
    assert quiet["trend_ratio"] is None
    # 2021-07-02..2022-12-31: two windows without any interaction.
    later = report("2021-07-02", "2022-12-31")["maintenance"]
    assert [w["successful_interactions"] for w in later["by_year"]] == [0, 0]
    assert later["trend_ratio"] is None
