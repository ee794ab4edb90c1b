"""Results per campaign: response rate, distributions, scores, suppression, scope; export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from post_program.models import AuditEvent
from surveys import selectors
from tests.factories import PhysicianFactory

from .factories import make_campaign, make_invitation, make_response

# Hand-built campaign (threshold 3 in these tests):
# department A: 6 invited, 5 answered; department B: 4 invited, 2 answered.
A_ANSWERS = [
    {
        "aware_of_program": True,
        "had_interaction": True,
        "would_recommend": True,
        "culture_improved": 5,
    },
    {
        "aware_of_program": True,
        "had_interaction": True,
        "would_recommend": True,
        "culture_improved": 5,
    },
    {
        "aware_of_program": True,
        "had_interaction": True,
        "would_recommend": True,
        "culture_improved": 4,
    },
    {
        "aware_of_program": True,
        "had_interaction": False,
        "would_recommend": True,
        "culture_improved": 3,
    },
    {
        "aware_of_program": True,
        "had_interaction": False,
        "would_recommend": False,
        "culture_improved": 2,
    },
]
B_ANSWERS = [
    {
        "aware_of_program": True,
        "had_interaction": False,
        "would_recommend": True,
        "culture_improved": 4,
    },
    {
        "aware_of_program": True,
        "had_interaction": False,
        "would_recommend": False,
        "culture_improved": 1,
    },
]


@pytest.fixture
def campaign(cast, settings):
    settings.SUPPRESSION_THRESHOLD = 3
    campaign = make_campaign(departments=[cast.department_a, cast.department_b])
    for department, invited, answers in (
        (cast.department_a, 6, A_ANSWERS),
        (cast.department_b, 4, B_ANSWERS),
    ):
        for index in range(invited):
            make_invitation(
                campaign, PhysicianFactory(department=department), used=index < len(answers)
            )
        for item in answers:
            make_response(campaign, department, item, submitted_on=date(2024, 3, 5))
    return campaign


def _item(results, code):
    return next(item for item in results.items if item.question.code == code)


def _cells(item):
    return {cell.code: cell.count for cell in item.cells}


def test_director_sees_the_exact_response_rate_and_suppressed_small_cells(campaign):
    results = selectors.campaign_results(campaign, exact_response_rate=True)
    assert (results.invited, results.responded, results.respondents) == (10, 7, 7)
    assert results.response_rate == pytest.approx(0.7)
    assert [(d.invited, d.responded) for d in results.by_department] == [(6, 5), (4, 2)]

    aware = _item(results, "aware_of_program")
    assert _cells(aware) == {"yes": 7, "no": 0}
    assert (aware.positive, aware.proportion) == (7, 1.0)

    had = _item(results, "had_interaction")
    assert _cells(had) == {"yes": 3, "no": 4}
    assert had.proportion == pytest.approx(3 / 7)

    # "no" = 2 is under 3; "yes" = 5 goes too, or it would give "no" away (7 - 5).
    recommend = _item(results, "would_recommend")
    assert _cells(recommend) == {"yes": None, "no": None}
    assert recommend.positive is None and recommend.proportion is None

    culture = _item(results, "culture_improved")
    assert _cells(culture) == {"1": None, "2": None, "3": None, "4": None, "5": None}
    assert culture.respondents == 7


def test_with_a_lower_threshold_the_same_numbers_show(campaign):
    results = selectors.campaign_results(campaign, threshold=1)
    culture = _item(results, "culture_improved")
    assert _cells(culture) == {"1": 1, "2": 1, "3": 1, "4": 2, "5": 2}
    assert (culture.positive_label, culture.positive) == ("agree", 4)
    assert culture.proportion == pytest.approx(4 / 7)
    recommend = _item(results, "would_recommend")
    assert (recommend.positive, recommend.proportion) == (5, pytest.approx(5 / 7))


def test_lead_sees_their_department_only(cast, campaign):
    results = selectors.campaign_results(campaign, department_ids={cast.department_a.pk})
    assert (results.invited, results.responded, results.respondents) == (6, 5, 5)
    assert [d.department for d in results.by_department] == ["North / Emergency Medicine"]
    assert _cells(_item(results, "aware_of_program")) == {"yes": 5, "no": 0}
    # yes 3, no 2: "no" is small, so "yes" goes with it.
    assert _cells(_item(results, "had_interaction")) == {"yes": None, "no": None}


def test_lead_response_counts_under_the_threshold_are_suppressed(cast, campaign):
    results = selectors.campaign_results(campaign, department_ids={cast.department_b.pk})
    assert results.invited == 4
    assert results.responded is None
    assert results.response_rate is None
    assert results.respondents is None
    assert all(item.suppressed for item in results.items)
    assert results.by_department[0].responded is None


def test_results_page_for_the_director(cast, campaign):
    page = cast.client("director").get(
        reverse("surveys:campaign_detail", kwargs={"pk": campaign.pk})
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Response rate" in body
    assert "70.0%" in body
    assert "South / Emergency Medicine" in body
    assert "suppressed" in body
    assert "Download responses" in body


def test_results_page_for_the_lead_shows_no_other_department(cast, campaign):
    page = cast.client("lead").get(reverse("surveys:campaign_detail", kwargs={"pk": campaign.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "83.3%" in body  # 5 of 6 in department A
    assert "South" not in body
    assert "Download responses" not in body
    assert "Close campaign" not in body


def test_lead_does_not_see_campaigns_that_never_reached_their_departments(cast):
    elsewhere = make_campaign(departments=[cast.department_b], name="South only")
    page = cast.client("lead").get(reverse("surveys:campaign_list"))
    assert "South only" not in page.content.decode()
    detail = reverse("surveys:campaign_detail", kwargs={"pk": elsewhere.pk})
    assert cast.client("lead").get(detail).status_code == 404


def test_who5_results_show_the_mean_index(cast, settings):
    settings.SUPPRESSION_THRESHOLD = 3
    campaign = make_campaign(code="wellbeing", departments=[cast.department_a])
    scores = []
    for values in ([3, 3, 3, 3, 3], [1, 2, 2, 2, 3], [5, 4, 4, 5, 2]):
        response = make_response(
            campaign,
            cast.department_a,
            dict(zip(["who5_1", "who5_2", "who5_3", "who5_4", "who5_5"], values, strict=True)),
        )
        response.score = 4 * sum(values)
        response.save()
        scores.append(response.score)
    results = selectors.campaign_results(campaign)
    assert scores == [60, 40, 80]
    assert results.score_mean == pytest.approx(60)
    assert results.score_respondents == 3
    assert results.poor_wellbeing is None  # 1 response under 52: suppressed
    assert selectors.campaign_results(campaign, threshold=1).poor_wellbeing == 1


def test_results_cost_the_same_queries_whatever_the_number_of_responses(cast, campaign):
    client = cast.client("director")
    url = reverse("surveys:campaign_detail", kwargs={"pk": campaign.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(15):
        make_response(campaign, cast.department_b, B_ANSWERS[0])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert len(few) <= 15


def test_campaign_list_costs_the_same_queries_whatever_the_number_of_campaigns(cast):
    client = cast.client("director")
    make_campaign(departments=[cast.department_a])
    client.get(reverse("surveys:campaign_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("surveys:campaign_list"))
    for n in range(10):
        make_campaign(departments=[cast.department_a], name=f"Campaign {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("surveys:campaign_list"))
    assert len(many) == len(few)
    assert page.content.decode().count("Campaign ") >= 10


def _export(cast, campaign):
    page = cast.client("director").get(
        reverse("surveys:campaign_export", kwargs={"pk": campaign.pk})
    )
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/csv")
    text = b"".join(page.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_names_departments_whose_cells_reach_the_threshold(cast, campaign, settings):
    settings.SUPPRESSION_THRESHOLD = 2
    sites = {(row["site"], row["department"]) for row in _export(cast, campaign)}
    assert sites == {("North", "Emergency Medicine"), ("South", "Emergency Medicine")}


def test_export_writes_the_long_format_of_survey_responses(cast, campaign):
    rows = _export(cast, campaign)
    assert list(rows[0]) == [
        "response_id",
        "survey",
        "submitted_on",
        "site",
        "department",
        "question",
        "answer",
    ]
    assert len(rows) == 7 * 4
    assert {row["survey"] for row in rows} == {"program_evaluation"}
    assert {row["submitted_on"] for row in rows} == {"2024-03-01"}  # the month, not the day
    by_response = {}
    for row in rows:
        by_response.setdefault(row["response_id"], {})[row["question"]] = row["answer"]
    assert len(by_response) == 7
    assert sorted(r["would_recommend"] for r in by_response.values()) == ["no", "no"] + ["yes"] * 5
    assert sorted(r["culture_improved"] for r in by_response.values()) == sorted(
        ["5", "5", "4", "3", "2", "4", "1"]
    )
    # Department B's 2 responses are under the threshold (3), and A's 5 are its complementary
    # cell: the file names neither department.
    sites = {(row["site"], row["department"]) for row in rows}
    assert sites == {("", "")}
    # Rows follow the random response id, not the order the responses were stored in.
    order = list(dict.fromkeys(row["response_id"] for row in rows))
    assert order == sorted(order)
    stored = list(campaign.responses.order_by("pk").values_list("public_id", flat=True))
    assert set(order) == set(stored)
    assert (
        AuditEvent.objects.filter(
            action="survey.responses_export", object_id=str(campaign.pk)
        ).count()
        == 1
    )


def test_export_cost_does_not_grow_with_responses(cast, campaign):
    client = cast.client("director")
    url = reverse("surveys:campaign_export", kwargs={"pk": campaign.pk})
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get(url).streaming_content)
    for _ in range(20):
        make_response(campaign, cast.department_a, A_ANSWERS[0])
    with CaptureQueriesContext(connection) as many:
        b"".join(client.get(url).streaming_content)
    assert len(many) == len(few)
