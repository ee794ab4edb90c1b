"""The benchmark harness (`benchmarks/`): its arithmetic, its results file, and the report's
SQL floor, which must compute exactly the report's headline figures."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from benchmarks import floors, results
from benchmarks.__main__ import main
from benchmarks.results import (
    BELOW,
    RATIO_AT_LEAST,
    RATIO_AT_MOST,
    SAME_ACROSS_SIZES,
    Figure,
    Target,
)
from post_program.models import Department
from reporting import metrics
from reporting.report import PROGRAM_SCOPE, ReAimReport, scope_for

TODAY = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("target", "value", "floor", "expected"),
    [
        (Target(RATIO_AT_MOST, 1.5), 1.5, 1.0, True),
        (Target(RATIO_AT_MOST, 1.5), 1.6, 1.0, False),
        (Target(RATIO_AT_LEAST, 0.5), 40.0, 100.0, False),
        (Target(RATIO_AT_LEAST, 0.5), 50.0, 100.0, True),
        (Target(BELOW, 0.3), 0.3, None, False),
        (Target(BELOW, 0.3), 0.29, None, True),
        (Target(RATIO_AT_MOST, 2), 1.0, 0.0, None),
        (Target(RATIO_AT_MOST, 2), None, 1.0, None),
        (Target(SAME_ACROSS_SIZES), 12, None, None),
        (None, 1.0, 1.0, None),
    ],
)
def test_a_figure_meets_its_target_or_says_it_cannot_tell(target, value, floor, expected):
    assert Figure("f", "s", value, floor, target).met is expected


def test_the_ratio_is_value_over_floor():
    assert Figure("f", "s", 3.0, 1.5).ratio == 2.0
    assert Figure("f", "s", 3.0, None).ratio is None
    assert Figure("f", "s", 3.0, 0).ratio is None


def test_the_exponent_is_the_slope_in_log_log():
    sizes = [0.1, 0.333, 1]
    assert results.exponent(sizes, [2 * s for s in sizes]) == pytest.approx(1.0)
    assert results.exponent(sizes, [5 * s**2 for s in sizes]) == pytest.approx(2.0)
    assert results.exponent(sizes, [7, 7, 7]) == pytest.approx(0.0)
    assert results.exponent(sizes, [None, 0, 3]) is None
    assert results.exponent([1], [3]) is None
    assert results.exponent([1, 1], [3, 4]) is None


def _run(value: float, queries: int) -> list[dict]:
    return [
        Figure("report", "s", value, value / 2, Target(RATIO_AT_MOST, 1.5)).as_dict(),
        Figure("queries", "queries", queries, None, Target(SAME_ACROSS_SIZES)).as_dict(),
    ]


def test_the_results_document_holds_every_figure_by_size_and_its_verdict():
    document = results.results_document(
        sizes=[0.1, 1],
        runs={"0.1": _run(1.0, 12), "1": _run(10.0, 13)},
        about={"seeder": ["seed_scale"]},
    )
    json.dumps(document)  # a JSON document
    assert document["sizes"] == ["0.1", "1"]
    report, queries = document["figures"]
    assert report["name"] == "report"
    assert report["target"] == {"kind": RATIO_AT_MOST, "limit": 1.5}
    assert report["by_size"]["1"] == {"value": 10.0, "floor": 5.0, "ratio": 2.0, "met": False}
    assert report["exponent"]["value"] == pytest.approx(1.0)
    assert report["exponent"]["floor"] == pytest.approx(1.0)
    assert report["met"] is False
    assert queries["met"] is False  # 12 queries at 0.1, 13 at 1
    same = results.gather([0.1, 1], {"0.1": _run(1.0, 12), "1": _run(1.2, 12)})
    assert [entry["met"] for entry in same] == [False, True]  # ratio 2 at 1; 12 queries each


def test_the_table_shows_value_floor_ratio_target_verdict_and_exponent():
    document = results.results_document(
        sizes=[0.1, 1], runs={"0.1": _run(1.0, 12), "1": _run(10.0, 12)}, about={}
    )
    lines = results.table(document).splitlines()
    assert lines[0].split() == [
        "figure",
        "unit",
        "size",
        "value",
        "floor",
        "ratio",
        "target",
        "met",
        "k",
    ]
    assert lines[2].split() == ["1", "10", "5", "2.00", "≤", "1.5x", "MISSED", "1.00"]
    assert lines[4].split()[-5:] == ["same", "across", "sizes", "met", "0.00"]


# --- The report's floor, on PostgreSQL ------------------------------------------------------


@pytest.fixture
def demo(request):
    if connection.vendor != "postgresql":
        pytest.skip("the floor SQL is PostgreSQL's (percentile_cont, FILTER, = ANY)")
    request.getfixturevalue("demo_program")


def _scopes():
    department = Department.objects.filter(launched_on__isnull=False).order_by("pk").first()
    return [
        PROGRAM_SCOPE,
        scope_for(site=department.site),
        scope_for(departments=[department]),
    ]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "period",
    [
        metrics.trailing_window(TODAY, 60),
        metrics.trailing_window(TODAY, 12),
        metrics.Window(date(2024, 2, 15), date(2025, 5, 10)),
    ],
)
def test_the_floor_computes_the_reports_headline_figures(demo, period):
    for scope in _scopes():
        floor = floors.headline(
            start=period.start,
            end=period.end,
            department_ids=scope.department_ids,
            deadline_hours=settings.FIRST_CONTACT_DEADLINE_HOURS,
        )
        exact = ReAimReport(period=period, scope=scope).exact
        floors.check(floor, exact)
        assert floor["successful_interactions"] > 0  # the demo gives the comparison something


@pytest.mark.postgres
def test_a_floor_that_differs_from_the_report_fails_loudly(demo):
    period = metrics.trailing_window(TODAY, 12)
    floor = floors.headline(
        start=period.start, end=period.end, department_ids=None, deadline_hours=24
    )
    floor["referrals_received"] += 1
    with pytest.raises(floors.FloorMismatch, match="referrals_received"):
        floors.check(floor, ReAimReport(period=period).exact)


@pytest.mark.parametrize("sizes", ["0", "0.1,-1"])
def test_sizes_that_are_no_fraction_of_l_are_refused_before_any_database(sizes, capsys):
    with pytest.raises(SystemExit):
        main(["--sizes", sizes])
    assert "every size is a fraction of L above 0" in capsys.readouterr().err


def test_each_miss_says_why_or_that_it_is_unexplained():
    runs = {
        "1": [
            Figure("export_program, time", "s", 30.0, 3.0, Target(RATIO_AT_MOST, 3)).as_dict(),
            Figure("a new figure", "s", 9.0, 1.0, Target(RATIO_AT_MOST, 2)).as_dict(),
            Figure("report, site, 5 years", "s", 0.1, 0.1, Target(RATIO_AT_MOST, 1.5)).as_dict(),
        ]
    }
    document = results.results_document(sizes=[1], runs=runs, about={})
    why = {entry["name"]: entry.get("why", "met") for entry in document["figures"]}
    assert why["export_program, time"].startswith("Python work per row")
    assert why["a new figure"] is None
    assert why["report, site, 5 years"] == "met"
    text = results.misses(document)
    assert "MISSED a new figure: no measured cause written" in text
    assert "report, site" not in text
