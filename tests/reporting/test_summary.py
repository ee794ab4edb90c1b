"""The summary of the report: the five dimensions' headline figures against the previous period
of the same length, on the program dashboard and the PDF's first page, and the charts that say
why they draw nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from post_program.models import FIRST_DAY
from reporting import views
from reporting.charts import ALL_HIDDEN_TEXT, NOTHING_TEXT, SOME_HIDDEN_TEXT, chart_specs
from reporting.metrics import Window
from reporting.render import render
from reporting.render.summary import (
    HEADLINES,
    previous_period,
    previous_report,
    prism_tag_counts,
    summary_cards,
)
from reporting.render.tidy import lookup
from reporting.report import (
    HeadlineReport,
    ReAimReport,
    ReportInputError,
    period_parse,
    scope_for,
)

from .conftest import PERIOD
from .factories import make_interaction


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        # Whole months: the same number of months before.
        ("2020-04-01", "2020-06-30", ("2020-01-01", "2020-03-31")),
        ("2020-07-01", "2020-09-30", ("2020-04-01", "2020-06-30")),
        ("2020-01-01", "2020-12-31", ("2019-01-01", "2019-12-31")),
        ("2020-03-01", "2020-03-31", ("2020-02-01", "2020-02-29")),
        # Any other period: as many days before.
        ("2020-08-16", "2021-08-15", ("2019-08-17", "2020-08-15")),
        ("2020-03-10", "2020-03-19", ("2020-02-29", "2020-03-09")),
        ("2020-03-10", "2020-03-10", ("2020-03-09", "2020-03-09")),
    ],
)
def test_previous_period_has_the_same_length(start, end, previous):
    window = Window(date.fromisoformat(start), date.fromisoformat(end))
    expected = Window(*(date.fromisoformat(d) for d in previous))
    assert previous_period(window) == expected


def test_previous_period_stops_at_the_first_day():
    assert previous_period(Window(FIRST_DAY, date(1900, 12, 31))) is None
    clipped = previous_period(Window(date(1900, 1, 11), date(1900, 1, 30)))
    assert clipped == Window(FIRST_DAY, date(1900, 1, 10))


def test_summary_compares_each_dimension_with_the_previous_period(program):
    # Four conversations in the second half of 2019 with four physicians of department C.
    physicians = program.department_c.physicians.order_by("pk")
    for index, physician in enumerate(physicians[:4]):
        make_interaction(
            department=program.department_c,
            supporter=program.supporter_b_profile,
            physician=physician,
            occurred_on=date(2019, 10, 1 + index),
        )
    report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"))
    previous = previous_report(report)
    assert (previous.start, previous.end) == (date(2019, 1, 1), date(2019, 12, 31))
    cards = {card["dimension"]: card for card in summary_cards(report, previous)}
    assert list(cards) == ["reach", "effectiveness", "adoption", "implementation", "maintenance"]
    reach = cards["reach"]
    assert (reach["label"], reach["value"]) == ("Physicians supported", "16")
    assert reach["detail"] == "of 41 physicians who could be supported (39.0%)"
    assert reach["change"] == {"direction": "up", "text": "Up 12 from 4."}
    # No survey was answered in 2019, so there is no share to compare with.
    assert cards["effectiveness"]["value"] == "100.0%"
    assert cards["effectiveness"]["change"]["direction"] == "none"
    # Departments launched on 2020-01-01: none took part in 2019.
    assert cards["adoption"]["change"]["text"] == "Up 3 from 0."
    assert cards["maintenance"]["change"]["text"] == "Same as the previous period (0)."
    # Against a period with fewer physicians supported, the change goes the other way.
    later = ReAimReport(period=period_parse("2021-01-01", "2021-12-31"))
    down = {c["dimension"]: c for c in summary_cards(later, previous_report(later))}
    assert down["reach"]["change"] == {"direction": "down", "text": "Down 16 from 16."}


def test_summary_says_when_a_hidden_count_prevents_the_comparison(program):
    """Department A's lead in the second quarter of 2020: 3 physicians supported (hidden), none
    in the first quarter."""
    scope = scope_for(departments=[program.department_a])
    report = ReAimReport(period=period_parse("2020-04-01", "2020-06-30"), scope=scope, threshold=11)
    previous = previous_report(report)
    assert (previous.start, previous.end, previous.threshold) == (
        date(2020, 1, 1),
        date(2020, 3, 31),
        11,
    )
    reach = summary_cards(report, previous)[0]
    assert reach["value"] == "suppressed"
    assert reach["change"] == {
        "direction": "none",
        "text": "No comparison: a small count is hidden.",
    }


def test_prism_notes_are_counted_by_tag(program):
    report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"))
    assert prism_tag_counts(report) == [
        {"tag": "Barrier", "count": 1},
        {"tag": "Facilitator", "count": 1},
        {"tag": "Context", "count": 1},
    ]


def test_program_dashboard_opens_with_the_summary_and_its_trend(program):
    response = program.client("director").get(reverse("reporting:program_dashboard"), PERIOD)
    page = response.content.decode()
    summary = page[page.index('id="summary-heading"') : page.index("<details")]
    assert "previous period of the same length, Jan. 1, 2019 to Dec. 31, 2019" in summary
    for dimension in ("Reach", "Effectiveness", "Adoption", "Implementation", "Maintenance"):
        assert f'<h3 class="h6 mb-0">{dimension}</h3>' in summary
    assert "Up 16 from 0." in summary
    assert '<span data-metric="reach.eligible_physicians">41</span>' in summary
    # Every detailed section opens on demand: closed details, no script needed.
    assert page.count('<details class="report-section') == 7
    assert '<details class="report-section mb-3" open' not in page
    assert "1 barrier, 1 facilitator, 1 context" in page


def test_lead_and_site_dashboards_show_no_trend(program):
    lead = program.client("lead").get(
        reverse("reporting:department_dashboard", kwargs={"pk": program.department_a.pk}), PERIOD
    )
    assert lead.context["compare"] is False
    assert all(card["change"] is None for card in lead.context["summary"])
    assert "data-change=" not in lead.content.decode()


def test_the_comparison_costs_the_previous_periods_headline_figures(program, monkeypatch):
    """The program dashboard's budget: the page without the comparison, plus exactly the
    queries of the previous period's headline figures, fewer than a whole report's."""
    client = program.client("director")
    url = reverse("reporting:program_dashboard")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, PERIOD).status_code == 200
        return len(queries)

    with_comparison = count()
    with monkeypatch.context() as patched:
        patched.setattr(views, "previous_report", lambda report: None)
        without = count()
    previous = period_parse("2019-01-01", "2019-12-31")

    def queries_of(report) -> int:
        with CaptureQueriesContext(connection) as queries:
            report.data  # noqa: B018 - computing it is the point
        return len(queries)

    headlines = queries_of(HeadlineReport(period=previous))
    assert with_comparison - without == headlines > 0
    assert headlines < queries_of(ReAimReport(period=previous)) / 2


PERIODS = (
    ("2019-01-01", "2019-12-31"),
    ("2020-01-01", "2020-12-31"),
    ("2020-02-10", "2020-08-20"),
    ("2020-04-01", "2020-06-30"),
    ("2021-03-01", "2021-03-01"),
)


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_headline_figures_alone_equal_the_whole_reports(program, start, end):
    # Beside the cast's: five conversations, two of them with a physician only known by
    # pseudonym, and outreach that did not reach three other physicians.
    physicians = program.department_c.physicians.order_by("pk")
    for index, physician in enumerate(physicians[:5]):
        make_interaction(
            department=program.department_c,
            supporter=program.supporter_b_profile,
            physician=physician,
            pseudonymised=index < 2,
            occurred_on=date(2020, 2, 8 + index),
        )
    for index, physician in enumerate(physicians[5:8]):
        make_interaction(
            department=program.department_c,
            supporter=program.supporter_b_profile,
            physician=physician,
            successful=False,
            duration_minutes=0,
            occurred_on=date(2020, 6, 1 + index),
        )
    period = period_parse(start, end)
    scopes = [
        scope_for(),
        scope_for(site=program.department_a.site),
        scope_for(departments=[program.department_a]),
        scope_for(departments=[program.department_b, program.department_c]),
    ]
    for scope in scopes:
        whole = ReAimReport(period=period, scope=scope).exact
        alone = HeadlineReport(period=period, scope=scope).data
        for headline in HEADLINES:
            for path in (headline.path, headline.of, headline.part, headline.share):
                if path is not None:
                    assert lookup(alone, path) == lookup(whole, path), (scope.label, path)


def test_only_an_exact_report_is_compared_with_headline_figures_alone(program):
    period = period_parse("2020-04-01", "2020-06-30")
    assert type(previous_report(ReAimReport(period=period))) is HeadlineReport
    suppressed = previous_report(ReAimReport(period=period, threshold=11))
    assert type(suppressed) is ReAimReport
    assert suppressed.threshold == 11
    with pytest.raises(ReportInputError):
        HeadlineReport(period=period, threshold=11)


def _chart(data: dict, chart_id: str):
    return next(chart for chart in chart_specs(data) if chart.id == chart_id)


def test_a_chart_whose_values_are_all_hidden_says_so(program):
    scope = scope_for(departments=[program.department_a])
    report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"), scope=scope, threshold=11)
    # Department A's 3 referrals: received, contacted and supported are all hidden.
    assert _chart(report.data, "chart-referral-funnel").empty_text == ALL_HIDDEN_TEXT
    # Its sources: 2 self and 1 proactive hidden, none from a colleague or an event.
    assert _chart(report.data, "chart-reach-source").empty_text == SOME_HIDDEN_TEXT
    exact = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"), scope=scope)
    assert _chart(exact.data, "chart-referral-funnel").empty_text == ""
    page = (
        program.client("lead")
        .get(
            reverse("reporting:department_dashboard", kwargs={"pk": program.department_a.pk}),
            PERIOD,
        )
        .content.decode()
    )
    assert ALL_HIDDEN_TEXT in page
    assert 'id="chart-referral-funnel"' not in page  # no canvas: no empty axes
    # The PDF says so too, in place of the drawing.
    pdf = PdfReader(io.BytesIO(render(report, "pdf")[0]))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert f"Requests for support: received, contacted, supported {ALL_HIDDEN_TEXT}" in text


def test_a_chart_of_a_quiet_period_says_there_is_nothing_to_draw(program):
    report = ReAimReport(period=period_parse("2019-01-01", "2019-06-30"))
    assert _chart(report.data, "chart-referral-funnel").empty_text == NOTHING_TEXT


def test_a_reports_queries_run_without_jit_and_with_room_to_hash(transactional_db):
    """On PostgreSQL the report's transaction turns JIT off and raises ``work_mem``, for its
    own queries only."""
    from reporting.selectors import REPORT_WORK_MEM, report_queries

    if connection.vendor != "postgresql":
        pytest.skip("the settings are PostgreSQL's")

    def shown() -> tuple[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
            return cursor.fetchone()

    before = shown()
    with report_queries():
        assert shown() == ("off", REPORT_WORK_MEM)
    assert shown() == before != ("off", REPORT_WORK_MEM)
