"""The dashboards: what each role sees, the period and scope filters, suppression for leads,
agreement with the report, and a query count that does not grow with the program."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from reporting.render.display import display_number
from reporting.render.files import render
from reporting.render.tidy import tidy_rows
from reporting.report import ReAimReport, period_parse
from tests.factories import DepartmentFactory, PhysicianFactory, SiteFactory
from tests.training.factories import TrainingCompletionFactory

from .conftest import PERIOD
from .factories import make_interaction

CELL = re.compile(r'data-metric="([a-z_.0-9-]+)">([^<]*)<')


def cells(html: str) -> dict[str, str]:
    """The dimension tables' cells, {"reach.eligible_physicians": "37", ...}."""
    return dict(CELL.findall(html))


def get(client, name, params=None, **kwargs):
    return client.get(reverse(f"reporting:{name}", kwargs=kwargs or None), params or {})


def test_program_dashboard_shows_the_report_numbers(program):
    response = get(program.client("director"), "program_dashboard", PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"))
    shown = cells(html)
    rows = tidy_rows(report)
    assert rows
    for row in rows:
        if row.dimension == "by_department":
            continue
        key = f"{row.dimension}.{row.metric}"
        assert shown[key] == display_number(row.metric, row.value, suppressed=row.suppressed), key
    # Spot checks worked out by hand: 14 + 4 + 22 + 1 trained physician of C = 41 eligible.
    assert shown["reach.eligible_physicians"] == "41"
    assert shown["reach.successful_interactions"] == "16"  # 3 in A, 1 in B, 12 in C
    assert shown["reach.by_source.third_party"] == "12"
    # Each dimension's key figures show what they are counted from.
    cards = [(c["label"], c["value"], c["detail"]) for c in response.context["cards"]]
    assert (
        "Share of physicians supported",
        "39.0%",
        "16 of 41 physicians who could be supported",
    ) in cards
    # Contacted after 3, 4, 5, 6, 7 and 8 hours: the median is 5.5.
    assert ("Median time to first contact (hours)", "5.50", "over 6 requests contacted") in cards
    assert shown["implementation.referrals.received"] == "6"
    assert shown["implementation.referrals.outcomes.supported"] == "3"
    # Each chart has its table alternative, and the chart data is embedded for the script.
    assert html.count("Show the numbers as a table") == html.count("<canvas")
    charts = json.loads(re.search(r'id="report-charts"[^>]*>(.*?)</script>', html, re.S)[1])
    funnel = next(c for c in charts if c["id"] == "chart-referral-funnel")
    assert funnel["series"][0]["values"] == [6, 6, 3]
    # PRISM context beside the numbers, for the whole program.
    assert "Pandemic surge strained every department." in html
    assert "South reorganised." in html


def test_director_sees_exact_small_counts(program):
    html = get(program.client("director"), "program_dashboard", PERIOD).content.decode()
    assert "Counts of care from 1 to" not in html
    assert cells(html)["implementation.referrals.by_source.event"] == "1"


def test_lead_sees_their_department_suppressed(program):
    lead = program.client("lead")
    response = get(lead, "department_dashboard", PERIOD, pk=program.department_a.pk)
    assert response.status_code == 200
    html = response.content.decode()
    shown = cells(html)
    # Department A alone: 3 referrals (2 self, 1 event): all below 11, the total too.
    assert shown["implementation.referrals.received"] == "suppressed"
    # Interactions of A: 2 self and 1 proactive, all below 11, the total too.
    assert shown["reach.successful_interactions"] == "suppressed"
    # The roster is not a count of care: it is shown.
    assert shown["reach.eligible_physicians"] == "14"
    # A card says which of its parts is hidden and which is only not available.
    details = [card["detail"] for card in response.context["cards"]]
    assert "suppressed of 14 physicians who could be supported" in details
    assert (
        '<span data-metric="reach.unique_physicians_supported">suppressed</span> of '
        '<span data-metric="reach.eligible_physicians">14</span>' in html
    )
    assert shown["reach.by_source.self"] == "suppressed"
    assert shown["reach.by_source.proactive"] == "suppressed"
    assert shown["reach.by_source.event"] == "0"
    assert shown["implementation.referrals.by_source.self"] == "suppressed"
    assert shown["implementation.referrals.by_source.event"] == "suppressed"
    assert shown["implementation.referrals.by_source.third_party"] == "0"
    assert shown["implementation.referrals.acceptance_rate"] == "suppressed"
    # Survey: 5 yes of 8 respondents, both small.
    assert shown["reach.survey_had_interaction.yes"] == "suppressed"
    assert shown["reach.survey_had_interaction.proportion"] == "suppressed"
    assert "Counts of care from 1 to 10" in html
    # Only department A: no other department, no other department's context note.
    assert "South reorganised." not in html
    assert "Chief endorsed." in html
    assert "South/Emergency Medicine" not in html
    # No person is named anywhere on the page.
    for physician in program.department_a.physicians.all():
        assert physician.name not in html


def test_suppression_is_applied_again_after_a_filter(program):
    """Program-wide, the director sees exact numbers; the coordinator of North sees North's
    numbers exact; the lead's filtered view of the same department is suppressed."""
    coordinator = program.client("coordinator")
    html = get(
        coordinator,
        "site_dashboard",
        {**PERIOD, "department": program.department_a.pk},
        pk=program.north.pk,
    ).content.decode()
    assert cells(html)["implementation.referrals.by_source.self"] == "2"
    lead_html = get(
        program.client("lead"), "department_dashboard", PERIOD, pk=program.department_a.pk
    ).content.decode()
    assert cells(lead_html)["implementation.referrals.by_source.self"] == "suppressed"


def test_site_dashboard_department_filter(program):
    coordinator = program.client("coordinator")
    response = get(
        coordinator,
        "site_dashboard",
        {**PERIOD, "department": program.department_c.pk},
        pk=program.north.pk,
    )
    assert response.status_code == 200
    shown = cells(response.content.decode())
    assert shown["adoption.departments_total"] == "1"
    assert shown["reach.eligible_physicians"] == "23"  # 22 + the trained physician of C
    # A department of another site is not a choice on North's dashboard.
    response = get(
        coordinator,
        "site_dashboard",
        {**PERIOD, "department": program.department_b.pk},
        pk=program.north.pk,
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_program_dashboard_site_filter(program):
    response = get(
        program.client("director"), "program_dashboard", {**PERIOD, "site": program.south.pk}
    )
    shown = cells(response.content.decode())
    assert shown["adoption.departments_total"] == "1"
    assert shown["reach.eligible_physicians"] == "4"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"period": "custom", "start": "", "end": "2020-12-31"},
            "Give the first day of the custom range.",
        ),
        (
            {"period": "custom", "start": "2020-02-01", "end": ""},
            "Give the last day of the custom range.",
        ),
        (
            {"period": "custom", "start": "2021-01-01", "end": "2020-12-31"},
            "The end must be on or after the start.",
        ),
        ({"period": "custom", "start": "2020-02-30", "end": "2020-12-31"}, "Enter a valid date."),
        (
            {"period": "custom", "start": "1899-01-01", "end": "2020-12-31"},
            "Choose a date on or after 1990-01-01.",
        ),
        ({"period": "forever"}, "Select a valid choice."),
        ({"period": "last_12_months", "site": "999999"}, "Select a valid choice."),
        ({"period": "last_12_months", "department": "abc"}, "is not a valid value"),
    ],
)
def test_bad_filters_are_explained(program, params, message):
    response = get(program.client("director"), "program_dashboard", params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_site_and_department_must_agree(program):
    params = {
        "period": "last_12_months",
        "site": program.south.pk,
        "department": program.department_a.pk,
    }
    response = get(program.client("director"), "program_dashboard", params)
    assert response.status_code == 400
    assert "Choose departments of the site chosen" in response.content.decode()


@freeze_time("2020-08-15")
@pytest.mark.parametrize(
    ("preset", "start", "end"),
    [
        ("this_quarter", "2020-07-01", "2020-08-15"),
        ("last_12_months", "2019-08-16", "2020-08-15"),
        ("program_to_date", "2020-01-01", "2020-08-15"),
    ],
)
def test_period_presets(program, preset, start, end):
    response = get(program.client("director"), "program_dashboard", {"period": preset})
    report = response.context["report"]
    assert (report.start, report.end) == (date.fromisoformat(start), date.fromisoformat(end))


@freeze_time("2020-08-15")
def test_default_periods(program):
    director = get(program.client("director"), "program_dashboard").context["report"]
    assert director.start == date(2019, 8, 16)
    lead = get(program.client("lead"), "department_dashboard", pk=program.department_a.pk)
    # A lead's default is the last whole quarter.
    lead_report = lead.context["report"]
    assert (lead_report.start, lead_report.end) == (date(2020, 4, 1), date(2020, 6, 30))


def test_program_to_date_of_an_unlaunched_scope_is_today(db, cast):
    site = SiteFactory(name="West")
    DepartmentFactory(site=site, launched_on=None)
    response = get(
        cast.client("director"), "program_dashboard", {"period": "program_to_date", "site": site.pk}
    )
    report = response.context["report"]
    assert report.start == report.end


def _grow(cast, sites: int, departments: int, physicians: int) -> None:
    """More sites, departments, physicians, trained supporters and interactions."""
    for s in range(sites):
        site = SiteFactory(name=f"Grown {s}")
        for d in range(departments):
            department = DepartmentFactory(site=site, name=f"Department {d}")
            for physician in PhysicianFactory.create_batch(physicians, department=department):
                TrainingCompletionFactory(physician=physician, completed_on=date(2020, 3, 1))
                make_interaction(
                    department=department,
                    supporter=cast.supporter_b_profile,
                    physician=physician,
                    occurred_on=date(2020, 8, 1),
                )
    for department in (cast.department_a, cast.department_c):
        for physician in PhysicianFactory.create_batch(5, department=department):
            make_interaction(
                department=department,
                supporter=cast.supporter_a_profile,
                physician=physician,
                occurred_on=date(2020, 9, 1),
            )


DASHBOARDS = [
    ("program_dashboard", "director", {}),
    ("site_dashboard", "coordinator", {"pk": "north"}),
    ("department_dashboard", "lead", {"pk": "department_a"}),
]
"""Each dashboard with a member of the cast who may open it (its pk named by the program)."""


@pytest.mark.parametrize(("name", "member", "kwargs"), DASHBOARDS)
def test_query_count_does_not_grow_with_departments_or_rows(program, name, member, kwargs):
    client = program.client(member)
    kwargs = {k: getattr(program, v).pk for k, v in kwargs.items()}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = get(client, name, PERIOD, **kwargs)
        assert response.status_code == 200
        return len(queries)

    before = count()
    _grow(program, sites=2, departments=4, physicians=3)
    assert count() == before


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "pdf"])
def test_report_files_query_count_does_not_grow_with_departments_or_rows(program, fmt):
    period = period_parse(PERIOD["start"], PERIOD["end"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            content, _ = render(ReAimReport(period=period), fmt)
        assert content
        return len(queries)

    before = count()
    _grow(program, sites=2, departments=4, physicians=3)
    assert count() == before
