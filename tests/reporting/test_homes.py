"""The director's and the lead's homes: their figures are the report's for the period they
name (and the dashboard's for the same dates), the lead sees only their departments and
suppressed, the director's lists say what needs acting on, and the query count is flat.

The program of ``conftest.py``: successful interactions in June 2020 (A 3, B 1) and October
2020 (C 12); every department launched on 2020-01-01.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from post_program.models import PeerSupporter
from reporting.metrics import Window, sustainment_window
from reporting.render.display import display_number
from reporting.render.tidy import lookup
from reporting.report import ReAimReport, scope_for
from reporting.selectors import departments_without_activity
from tests.factories import DepartmentFactory, PeerSupporterFactory, PhysicianFactory
from tests.surveys.factories import make_campaign, make_invitation
from tests.training.factories import TrainingCompletionFactory, TrainingSessionFactory

from .factories import make_interaction
from .test_dashboards import _grow, cells

THIS_QUARTER = Window(date(2020, 10, 1), date(2020, 11, 15))
LAST_FULL_QUARTER = Window(date(2020, 4, 1), date(2020, 6, 30))


def _home(client, name: str):
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response


def _report_figures(shown: dict[str, str], report: ReAimReport) -> dict[str, str]:
    """The report's own figures, displayed, for the paths a page shows."""
    return {
        path: display_number(
            path,
            lookup(report.data, path),
            suppressed=lookup(report.data, path) is None and lookup(report.exact, path) is not None,
        )
        for path in shown
    }


@freeze_time("2020-11-15 12:00")
def test_director_home_shows_the_reports_figures_for_this_quarter(program):
    response = _home(program.client("director"), "home_director")
    shown = cells(response.content.decode())
    report = ReAimReport(period=THIS_QUARTER)
    assert shown == _report_figures(shown, report)
    # The figures the two pages used to disagree on, worked out by hand: only supporter B
    # talked to anyone this quarter (C's twelve colleagues), and all three departments run.
    assert shown["adoption.supporters_active"] == "1"
    assert shown["reach.unique_physicians_supported"] == "12"
    assert shown["adoption.departments_adopted"] == "3"
    assert shown["reach.successful_interactions"] == "12"
    # The program dashboard for the same dates shows the same numbers and the same changes.
    dashboard = program.client("director").get(response.context["dashboard_url"])
    assert dashboard.context["report"].period == THIS_QUARTER
    on_dashboard = cells(dashboard.content.decode())
    assert {path: on_dashboard[path] for path in shown} == shown
    assert response.context["summary"] == dashboard.context["summary"]
    reach = response.context["summary"][0]
    assert reach["change"]["text"] == "Up 12 from 0."
    # Each further figure names its own definition beside it.
    html = response.content.decode()
    for card in response.context["figures"]:
        assert card["definition"] and card["definition"] in html


@freeze_time("2020-11-15 12:00")
def test_director_home_lists_what_needs_acting_on(program):
    quiet = DepartmentFactory(site=program.department_a.site, name="Radiology")
    new = DepartmentFactory(site=program.department_a.site, name="Pathology")
    new.launched_on = date(2020, 9, 1)
    new.save()
    left = DepartmentFactory(site=program.department_a.site, name="Dermatology")
    left.ended_on = date(2020, 3, 31)
    left.save()
    old_talk = DepartmentFactory(site=program.department_a.site, name="Urology")
    make_interaction(
        department=old_talk,
        supporter=program.supporter_a_profile,
        physician=PhysicianFactory(department=old_talk),
        occurred_on=date(2020, 5, 15),  # the day before the six months to 2020-11-15
    )

    def supporter(name: str, completed_on: str, **kwargs) -> PeerSupporter:
        profile = PeerSupporterFactory(
            physician__name=name, physician__department=program.department_b, **kwargs
        )
        TrainingCompletionFactory(
            physician=profile.physician, completed_on=date.fromisoformat(completed_on)
        )
        return profile

    supporter("Lapsing Soon", "2018-12-10")  # current until 2020-12-10 (24 months)
    supporter("Lapsing Later", "2019-02-01")  # current until 2021-02-01: beyond 60 days
    supporter("Already Lapsed", "2018-10-01")
    supporter("Retired Lapsing", "2018-12-10", status=PeerSupporter.Status.RETIRED)
    campaign = make_campaign(departments=[program.department_a], name="Autumn evaluation")
    for index, physician in enumerate(program.department_a.physicians.all()[:4]):
        make_invitation(campaign, physician, used=index == 0)
    make_campaign(name="Closed one", status="closed")

    response = _home(program.client("director"), "home_director")
    context, html = response.context, response.content.decode()
    quiet_names = [d.name for d in context["inactive"]]
    assert quiet_names == ["Radiology", "Urology"]  # by site, then name
    assert context["inactive_count"] == 2
    assert quiet.name in html
    assert [s.physician.name for s in context["lapsing"]] == ["Lapsing Soon"]
    assert "2020-12-10" in html
    assert [c.name for c in context["campaigns"]] == ["Autumn evaluation"]
    assert "25.0%" in html  # 1 answer out of 4 invitations
    # The role's pages are in the side menu.
    assert reverse("reporting:program_dashboard") in html
    assert reverse("audit_list") in html


@freeze_time("2020-08-15 12:00")
def test_lead_home_shows_their_departments_last_quarter_suppressed(program):
    response = _home(program.client("lead"), "home_lead")
    html = response.content.decode()
    shown = cells(html)
    report = ReAimReport(
        period=LAST_FULL_QUARTER,
        scope=scope_for(departments=[program.department_a]),
        threshold=11,
    )
    summary = {path: value for path, value in shown.items() if not path.startswith("by_")}
    assert summary and summary == _report_figures(summary, report)
    # A's three conversations of the quarter are a small count: hidden, as on its dashboard.
    assert shown["reach.unique_physicians_supported"] == "suppressed"
    assert "Counts of care from 1 to 10" in html
    row = report.data["by_department"][0]
    assert response.context["departments"][0]["cells"][1]["value"] == display_number(
        "by_department.*.unique_physicians_supported",
        row["unique_physicians_supported"],
        suppressed="unique_physicians_supported" in row["suppressed"],
    )
    assert response.context["departments"][0]["cells"][1]["value"] == "suppressed"
    # The department dashboard for the same quarter shows the same summary (it does not
    # compare with the quarter before; the home does, as the program dashboard does).
    link = response.context["departments"][0]["url"]
    assert link.startswith(
        reverse("reporting:department_dashboard", args=[program.department_a.pk])
    )
    dashboard = program.client("lead").get(link)
    assert dashboard.context["report"].period == LAST_FULL_QUARTER

    def figures(cards):
        return [{k: v for k, v in card.items() if k != "change"} for card in cards]

    assert figures(response.context["summary"]) == figures(dashboard.context["summary"])
    assert response.context["summary"][0]["change"]["text"] == (
        "No comparison: a small count is hidden."
    )


@freeze_time("2020-08-15 12:00")
def test_lead_home_shows_only_their_departments(program):
    response = _home(program.client("lead"), "home_lead")
    rows = response.context["departments"]
    assert [row["label"] for row in rows] == ["Emergency Medicine, North"]
    assert response.context["report"].department_ids == {program.department_a.pk}
    html = response.content.decode()
    assert "Surgery" not in html
    assert "South" not in html
    for department in (program.department_b, program.department_c):
        assert reverse("reporting:department_dashboard", args=[department.pk]) not in html
    # Aggregates only: no one of the department is named, supporters included.
    for physician in program.department_a.physicians.all():
        assert physician.name not in html


@freeze_time("2020-08-15 12:00")
def test_lead_home_lists_upcoming_training(program):
    TrainingSessionFactory(course__name="Peer support: first course")
    html = _home(program.client("lead"), "home_lead").content.decode()
    assert "Peer support: first course" in html


def _queries(client, name: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _home(client, name)
    return len(queries)


# The budgets: two reports (the period and the one before) of about twenty aggregate queries
# each, the lists under them and the page's own (session, roles, menu); on PostgreSQL each
# report also turns JIT off for its transaction (one statement more).
@pytest.mark.parametrize(
    ("name", "member", "budget"), [("home_director", "director", 57), ("home_lead", "lead", 46)]
)
@freeze_time("2020-11-15 12:00")
def test_home_query_count_is_flat_and_within_budget(program, name, member, budget):
    client = program.client(member)
    before = _queries(client, name)
    assert before <= budget, before
    _grow(program, sites=2, departments=4, physicians=3)
    assert _queries(client, name) == before


def test_departments_without_activity_use_the_sustainment_window(db):
    """Quiet: running since before the six months to the day, with no successful interaction
    in them; the window's first day counts, as it does for a sustained department."""
    on = date(2020, 11, 15)
    window = sustainment_window(on)
    assert window.start == date(2020, 5, 16)
    supporter = PeerSupporterFactory()

    def department(name: str, *, launched_on=date(2020, 1, 1), talk_on=None, successful=True):
        made = DepartmentFactory(name=name, launched_on=launched_on)
        if talk_on is not None:
            make_interaction(
                department=made, supporter=supporter, occurred_on=talk_on, successful=successful
            )
        return made

    department("Quiet")
    department("Only an attempt", talk_on=date(2020, 9, 1), successful=False)
    department("Talked before", talk_on=date(2020, 5, 15))
    department("Talked on the first day", talk_on=date(2020, 5, 16))
    department("Launched on the first day", launched_on=date(2020, 5, 16))
    department("Not launched", launched_on=None)
    supporter_department = supporter.physician.department.name
    names = {d.name for d in departments_without_activity(on=on)}
    assert names == {"Quiet", "Only an attempt", "Talked before", supporter_department}
