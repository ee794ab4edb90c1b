"""Suppression on the report as shown to leads and in shareable exports: whatever the counts,
no count of care from 1 to K-1 is shown anywhere, nothing computed from a hidden count is
shown, and no hidden count can be recomputed by subtraction (tests/reporting/disclosure.py)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reporting.labels import FIGURES
from reporting.models import ReportExport
from reporting.render.tidy import tidy_rows
from reporting.report import ReAimReport, period_parse, scope_for
from tests.factories import (
    DepartmentFactory,
    PeerSupporterFactory,
    PhysicianFactory,
    SiteFactory,
)
from tests.surveys.factories import builtin_instruments, make_response, version_of

from .conftest import PERIOD
from .disclosure import LABELS, PROGRAM_COUNTS, PROGRAM_FIGURES, disclosures, numbers
from .factories import make_interaction, make_referral

K = 11
SOURCES = ("self", "third_party", "event")
OUTCOMES = (None, "supported", "declined", "unreachable", "referred_out")
INTERACTION_SOURCES = ("self", "third_party", "event", "proactive")
FIRST_DAY = date(2020, 1, 1)
DAYS = 730  # 2020 and 2021
NOT_CARE = PROGRAM_COUNTS | PROGRAM_FIGURES | LABELS
ROSTER_DENOMINATOR = ("proportion_supported", "interactions_per_100_physician_years")
"""Ratios of care over the roster (eligible physicians, physician-years)."""


def small_care_figures(label_values) -> list[tuple[str, object]]:
    """(label, value) pairs that show a count of care from 1 to K-1 or a figure of care.

    ``label_values`` are the names and cells a reader sees; a label that names the program
    (roster, departments, supporters, physician-years) is left alone."""
    found = []
    for label, value in label_values:
        leaf = str(label).rpartition(".")[2]
        if leaf in NOT_CARE or value in (None, "", "suppressed", "not available"):
            continue
        number = float(str(value).replace(",", "").rstrip("%"))
        if number != 0:
            found.append((label, value))
    return found


# --- The attack: a lead exports their own small department ---------------------------------


def lead_export(program, fmt, django_capture_on_commit_callbacks) -> bytes:
    data = {**PERIOD, "format": fmt, "department": program.department_a.pk}
    data.pop("period")
    with django_capture_on_commit_callbacks(execute=True):
        response = program.client("lead").post(reverse("reporting:export_create"), data)
    assert response.status_code == 302
    export = ReportExport.objects.get(format=fmt)
    assert export.threshold == K
    return bytes(export.content)


def test_a_lead_reads_no_count_of_care_of_a_small_department_in_any_format(
    program, django_capture_on_commit_callbacks
):
    """Department A in 2020: 3 referrals, 3 interactions, 8 survey respondents — every count
    of care is below 11, so the lead's page and files show none of them, and nothing computed
    from them; roster and program counts stay."""
    data = json.loads(lead_export(program, "json", django_capture_on_commit_callbacks))
    assert data["reach"]["successful_interactions"] is None
    assert "successful_interactions" in data["reach"]["suppressed"]
    assert data["implementation"]["referrals"]["received"] is None
    assert data["implementation"]["duration_minutes"]["n"] is None
    assert data["implementation"]["duration_minutes"]["median"] is None
    assert data["reach"]["eligible_physicians"] == 14  # the roster is shown
    json_pairs = [(".".join(map(str, path)), value) for path, value in numbers(data)]
    assert small_care_figures(json_pairs) == []

    content = lead_export(program, "csv", django_capture_on_commit_callbacks).decode()
    rows = list(csv.reader(io.StringIO(content)))
    csv_pairs = [(row[1], row[3]) for row in rows[1:]]
    for _, metric, _, _, numerator, denominator in rows[1:]:
        if metric.rpartition(".")[2] in NOT_CARE:
            continue  # a figure of the program, from counts of the program
        csv_pairs.append((f"numerator of {metric}", numerator))
        if not metric.endswith(ROSTER_DENOMINATOR):
            csv_pairs.append((f"denominator of {metric}", denominator))
    assert small_care_figures(csv_pairs) == []

    workbook = load_workbook(
        io.BytesIO(lead_export(program, "xlsx", django_capture_on_commit_callbacks))
    )
    # The workbook names figures by their plain labels: read them back as the figures' paths.
    exported = ReAimReport(
        period=period_parse(PERIOD["start"], PERIOD["end"]),
        scope=scope_for(departments=[program.department_a]),
        threshold=K,
    )
    by_label = {row.label: row.metric for row in tidy_rows(exported)}
    by_column = {
        figure.label: key.rpartition(".")[2]
        for key, figure in FIGURES.items()
        if key.startswith(("by_department.", "maintenance.by_year.", "supplementary."))
    }
    xlsx_pairs = []
    for sheet in workbook.worksheets:
        if sheet.title in ("Report", "PRISM context", "Definitions"):
            continue
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        if sheet.title in ("By department", "Trend"):
            header = None
            for row in rows:
                if len([c for c in row if c is not None]) <= 1:
                    header = None  # a title line such as "Each quarter of the period"
                elif header is None:
                    header = [by_column[label] for label in row]
                else:
                    xlsx_pairs += list(zip(header, row, strict=True))
        else:
            xlsx_pairs += [(by_label[row[0]], row[1]) for row in rows[1:]]
    assert xlsx_pairs
    assert small_care_figures(xlsx_pairs) == []

    url = reverse("reporting:department_dashboard", kwargs={"pk": program.department_a.pk})
    html = program.client("lead").get(url, PERIOD).content.decode()
    page_pairs = re.findall(r'data-metric="([a-z_.0-9-]+)">([^<]*)<', html)
    assert page_pairs
    # Every number on the page, the cards' too, names its figure (data-metric).
    assert any(path == "reach.proportion_supported" for path, _ in page_pairs)
    assert small_care_figures(page_pairs) == []
    charts = json.loads(re.search(r'id="report-charts"[^>]*>(.*?)</script>', html, re.S)[1])
    for chart in charts:
        for series in chart["series"]:
            values = [v for v in series["values"] if v]
            assert values == [], (chart["title"], series["label"], values)


# --- The property: no suppressed report discloses a small count -----------------------------

days = st.integers(0, DAYS - 1)
department_strategy = st.fixed_dictionaries(
    {
        "physicians": st.integers(0, 6),
        "interactions": st.lists(
            st.tuples(
                days,
                st.sampled_from(INTERACTION_SOURCES),
                st.booleans(),  # successful
                st.booleans(),  # linked to a roster entry
                st.integers(1, 150),  # minutes
                st.booleans(),  # escalated
            ),
            max_size=8,
        ),
        "referrals": st.lists(
            st.tuples(
                days,
                st.sampled_from(SOURCES),
                st.sampled_from(OUTCOMES),
                st.none() | st.integers(1, 48),  # hours to first contact
            ),
            max_size=8,
        ),
        "evaluations": st.lists(
            st.tuples(days, st.none() | st.booleans(), st.booleans()), max_size=8
        ),
        "feedback": st.lists(st.tuples(days, st.integers(1, 5)), max_size=4),
        "wellbeing": st.lists(st.tuples(days, st.integers(0, 5)), max_size=4),
    }
)
quarter_periods = st.tuples(st.integers(0, 7), st.integers(0, 7)).map(
    lambda q: (
        date(2020 + min(q) // 4, 3 * (min(q) % 4) + 1, 1),
        date(2020 + (max(q) + 1) // 4, 3 * ((max(q) + 1) % 4) + 1, 1) - timedelta(days=1),
    )
)
day_periods = st.tuples(days, days).map(
    lambda d: (FIRST_DAY + timedelta(days=min(d)), FIRST_DAY + timedelta(days=max(d)))
)


def respond(version, department, day, answers):
    """A response on FIRST_DAY + ``day``; an answer of None leaves the question unanswered."""
    make_response(
        None,
        department,
        {code: value for code, value in answers.items() if value is not None},
        submitted_on=FIRST_DAY + timedelta(days=day),
        version=version,
    )


def build_program(departments, program_wide_responses):
    builtin_instruments()
    versions = {
        code: version_of(code) for code in ("program_evaluation", "recipient_feedback", "wellbeing")
    }
    site = SiteFactory(name="Site")
    made = []
    supporter = PeerSupporterFactory()
    for index, spec in enumerate(departments):
        department = DepartmentFactory(site=site, name=f"D{index}", launched_on=FIRST_DAY)
        made.append(department)
        PhysicianFactory.create_batch(spec["physicians"], department=department)
        for day, source, successful, linked, minutes, escalated in spec["interactions"]:
            make_interaction(
                department=department,
                supporter=supporter,
                physician=PhysicianFactory(department=department) if linked else None,
                occurred_on=FIRST_DAY + timedelta(days=day),
                successful=successful,
                duration_minutes=minutes if successful else 0,
                source=source,
                escalated=escalated and successful,
            )
        for day, source, outcome, hours in spec["referrals"]:
            received = datetime.combine(FIRST_DAY + timedelta(days=day), time(9), tzinfo=UTC)
            make_referral(
                department,
                received,
                source,
                contact_hours=hours,
                outcome=outcome,
                supporter=supporter,
            )
        responses = [
            ("program_evaluation", day, {"would_recommend": recommend, "had_interaction": had})
            for day, had, recommend in spec["evaluations"]
        ]
        responses += [
            ("recipient_feedback", day, {"helpful": helpful, "would_recommend": helpful > 2})
            for day, helpful in spec["feedback"]
        ]
        responses += [
            ("wellbeing", day, {f"who5_{i}": item for i in range(1, 6)})
            for day, item in spec["wellbeing"]
        ]
        for code, day, answers in responses:
            respond(versions[code], department, day, answers)
    for day, had in program_wide_responses:
        respond(versions["program_evaluation"], None, day, {"had_interaction": had})
    return site, made


@settings(
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    departments=st.lists(department_strategy, min_size=1, max_size=3),
    program_wide_responses=st.lists(st.tuples(days, st.booleans()), max_size=3),
    period=quarter_periods | day_periods,
    scope_kind=st.sampled_from(["program", "site", "first department"]),
    threshold=st.integers(2, 12),
)
def test_no_suppressed_report_discloses_a_small_count(
    db, departments, program_wide_responses, period, scope_kind, threshold
):
    with transaction.atomic():
        site, made = build_program(departments, program_wide_responses)
        scope = {
            "program": scope_for(),
            "site": scope_for(site=site),
            "first department": scope_for(departments=made[:1]),
        }[scope_kind]
        report = ReAimReport(period=period_parse(*period), scope=scope, threshold=threshold)
        data, exact = report.data, report.exact
        transaction.set_rollback(True)
    assert disclosures(data, exact, threshold) == []
    assert data["suppression"] == {"threshold": threshold}


def test_the_check_finds_what_an_unsuppressed_report_discloses(program):
    """The property's judge is not blind: the exact report of department A fails it."""
    report = ReAimReport(
        period=period_parse("2020-01-01", "2020-12-31"),
        scope=scope_for(departments=[program.department_a]),
    )
    found = "\n".join(disclosures(report.exact, report.exact, K))
    assert "('reach', 'successful_interactions') = 3 is below 11" in found
    assert "('implementation', 'duration_minutes', 'median')" in found


# --- Leads choose whole quarters -----------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "start": "2020-06-01", "end": "2020-06-01"},
        {"period": "custom", "start": "2020-04-01", "end": "2020-06-29"},
        {"period": "custom", "start": "2020-04-02", "end": "2020-09-30"},
    ],
)
def test_a_lead_cannot_choose_a_period_shorter_than_whole_quarters(program, params):
    url = reverse("reporting:department_dashboard", kwargs={"pk": program.department_a.pk})
    response = program.client("lead").get(url, params)
    assert response.status_code == 400
    assert response.context["report"] is None
    html = response.content.decode()
    assert "whole calendar quarters" in html
    assert 'data-metric="reach.' not in html


@pytest.mark.parametrize("preset", ["this_quarter", "last_12_months", "program_to_date"])
def test_a_lead_cannot_choose_a_preset_that_is_not_whole_quarters(program, preset):
    url = reverse("reporting:department_dashboard", kwargs={"pk": program.department_a.pk})
    response = program.client("lead").get(url, {"period": preset})
    assert response.status_code == 400
    assert "is not one of the available choices" in response.content.decode()


def test_a_lead_export_of_a_short_period_is_refused(program):
    data = {"format": "json", "start": "2020-06-01", "end": "2020-06-01"}
    data["department"] = program.department_a.pk
    response = program.client("lead").post(reverse("reporting:export_create"), data)
    assert response.status_code == 400
    assert "whole calendar quarters" in response.content.decode()
    assert not ReportExport.objects.exists()


@freeze_time("2020-08-15")
def test_a_lead_gets_whole_quarters_and_a_coordinator_any_period(program):
    url = reverse("reporting:department_dashboard", kwargs={"pk": program.department_a.pk})
    lead = program.client("lead")
    report = lead.get(url).context["report"]
    assert (report.start, report.end) == (date(2020, 4, 1), date(2020, 6, 30))
    report = lead.get(url, {"period": "last_4_quarters"}).context["report"]
    assert (report.start, report.end) == (date(2019, 7, 1), date(2020, 6, 30))
    report = lead.get(
        url, {"period": "custom", "start": "2020-01-01", "end": "2020-06-30"}
    ).context["report"]
    assert (report.start, report.end, report.threshold) == (date(2020, 1, 1), date(2020, 6, 30), K)
    # The coordinator of North sees department A exact, for any period.
    coordinator = program.client("coordinator").get(
        url, {"period": "custom", "start": "2020-06-01", "end": "2020-06-01"}
    )
    assert coordinator.status_code == 200
    assert coordinator.context["report"].threshold is None
