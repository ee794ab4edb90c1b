"""The demo's reporting side: PRISM notes in every domain, and a report whose charts and
tables all have something to show."""

from __future__ import annotations

import random
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from post_program import demo as core_demo
from post_program.models import Department, User
from reporting import demo
from reporting.charts import chart_specs
from reporting.models import PrismDomain, PrismNote
from reporting.report import ReAimReport, period_parse

TODAY = date(2026, 6, 30)


@pytest.fixture
def seeded(db):
    ctx = core_demo.DemoContext(today=TODAY, rng=random.Random(2019))
    core_demo.seed(ctx)
    state = ctx.rng.getstate()
    demo.seed(ctx)
    ctx.state_before = state
    return ctx


def test_reporting_leaves_the_shared_dice_alone(seeded):
    assert seeded.rng.getstate() == seeded.state_before


def test_notes_cover_every_domain_the_program_and_the_lead_department(seeded):
    assert set(PrismNote.objects.values_list("domain", flat=True)) == set(PrismDomain.values)
    assert PrismNote.objects.filter(department__isnull=True).count() == len(demo.PROGRAM_NOTES)
    lead = User.objects.get(email="lead@example.org")
    lead_department = Department.objects.get(leads__user=lead)
    assert PrismNote.objects.filter(department=lead_department, author=lead).count() == len(
        demo.DEPARTMENT_NOTES
    )
    for note in PrismNote.objects.select_related("department"):
        assert core_demo.DemoContext(today=TODAY, rng=None).program_start <= note.noted_on <= TODAY
        if note.department_id:
            assert note.noted_on >= note.department.launched_on


@pytest.fixture
def demo_report(transactional_db):
    call_command("seed_demo", "--today", TODAY.isoformat(), stdout=StringIO())
    return ReAimReport(period=period_parse("2023-07-01", TODAY.isoformat())).data


def test_the_demo_report_has_something_in_every_chart_and_table(demo_report):
    data = demo_report
    assert data["adoption"]["departments_adopted"] == 11
    assert data["prism"]
    assert data["reach"]["successful_interactions"] > 0
    assert data["maintenance"]["departments_sustained"] > 0
    assert data["implementation"]["referrals"]["received"] > 0
    assert data["reach"]["survey_had_interaction"]["respondents"] > 0
    assert data["effectiveness"]["wellbeing"]["respondents"] > 0
    charts = chart_specs(data)
    assert {chart.id for chart in charts} == {
        "chart-quarterly-trend",
        "chart-by-year",
        "chart-reach-source",
        "chart-referral-funnel",
        "chart-referral-outcomes",
        "chart-duration",
        "chart-survey",
        "chart-by-department",
    }
    for chart in charts:
        assert chart.labels, chart.id
        assert any(value for series in chart.series for value in series.values), chart.id
