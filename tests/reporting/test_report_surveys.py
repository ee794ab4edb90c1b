"""Survey numbers of the report, from a handful of anonymous responses.

Period P = 2022-01-01 .. 2022-12-31. Department A is North/Emergency Medicine, B is
South/Emergency Medicine; some responses carry no department.
"""

from __future__ import annotations

from datetime import date

import pytest

from reporting.report import ReAimReport, period_parse, scope_resolve
from tests.factories import DepartmentFactory, SiteFactory
from tests.surveys.factories import builtin_instruments, make_response, version_of


def respond(code: str, department, answers: dict, on: str = "2022-06-01"):
    return make_response(
        None, department, answers, submitted_on=date.fromisoformat(on), version=version_of(code)
    )


@pytest.fixture
def surveys(db):
    builtin_instruments()
    a = DepartmentFactory(site=SiteFactory(name="North"), name="Emergency Medicine")
    b = DepartmentFactory(site=SiteFactory(name="South"), name="Emergency Medicine")
    # program_evaluation: had_interaction yes/no, would_recommend.
    respond("program_evaluation", a, {"had_interaction": True, "would_recommend": True})
    respond("program_evaluation", a, {"had_interaction": False, "would_recommend": True})
    respond("program_evaluation", a, {"had_interaction": True})  # skipped would_recommend
    respond("program_evaluation", b, {"had_interaction": False, "would_recommend": False})
    respond("program_evaluation", None, {"had_interaction": True, "would_recommend": True})
    # Outside P on both sides.
    respond("program_evaluation", a, {"had_interaction": True}, on="2021-12-31")
    respond("program_evaluation", a, {"had_interaction": True}, on="2023-01-01")
    # recipient_feedback: Likert 4-5 agree.
    respond("recipient_feedback", a, {"helpful": 5, "culture_improved": 3, "would_recommend": True})
    respond("recipient_feedback", b, {"helpful": 4, "culture_improved": 4, "would_recommend": True})
    respond("recipient_feedback", b, {"helpful": 2, "would_recommend": False})
    # supporter_training
    respond("supporter_training", a, {"training_useful": 5, "confidence": 3})
    respond("supporter_training", None, {"training_useful": 1, "confidence": 4})
    # wellbeing: 4 x sum -> 4 x 15 = 60; 4 x 10 = 40 (poor); one incomplete response.
    respond("wellbeing", a, {f"who5_{i}": 3 for i in range(1, 6)})
    respond("wellbeing", b, {"who5_1": 2, "who5_2": 2, "who5_3": 2, "who5_4": 2, "who5_5": 2})
    respond("wellbeing", b, {"who5_1": 5, "who5_2": 5})
    return a, b


def data(**scope) -> dict:
    return ReAimReport(
        period=period_parse("2022-01-01", "2022-12-31"), scope=scope_resolve(**scope)
    ).data


def test_program_wide_survey_numbers(surveys):
    report = data()
    # Five responses in P answered had_interaction (one without a department); three said yes.
    assert report["reach"]["survey_had_interaction"] == {
        "yes": 3,
        "respondents": 5,
        "proportion": 3 / 5,
    }
    assert report["effectiveness"]["would_recommend"] == {
        "yes": 3,
        "respondents": 4,
        "proportion": 3 / 4,
    }
    feedback = report["effectiveness"]["recipient_feedback"]
    assert feedback["helpful"] == {"agree": 2, "respondents": 3, "proportion": 2 / 3}
    assert feedback["culture_improved"] == {"agree": 1, "respondents": 2, "proportion": 0.5}
    assert feedback["stigma_decreased"] == {"agree": 0, "respondents": 0, "proportion": None}
    assert feedback["would_recommend"] == {"yes": 2, "respondents": 3, "proportion": 2 / 3}
    assert list(feedback) == [
        "helpful",
        "wellbeing_improved",
        "negative_emotions_decreased",
        "stigma_decreased",
        "comfortable_discussing",
        "culture_improved",
        "would_recommend",
    ]
    training = report["effectiveness"]["supporter_training"]
    assert training["training_useful"] == {"agree": 1, "respondents": 2, "proportion": 0.5}
    assert training["confidence"] == {"agree": 1, "respondents": 2, "proportion": 0.5}
    assert training["culture_shift"] == {"agree": 0, "respondents": 0, "proportion": None}
    assert report["effectiveness"]["wellbeing"] == {
        "respondents": 2,
        "mean_index": 50.0,
        "poor_wellbeing": 1,
        "proportion_poor": 0.5,
    }


def test_responses_without_a_department_count_only_program_wide(surveys):
    both = data(departments=["North/Emergency Medicine", "South/Emergency Medicine"])
    assert both["reach"]["survey_had_interaction"] == {
        "yes": 2,
        "respondents": 4,
        "proportion": 0.5,
    }
    assert both["effectiveness"]["supporter_training"]["training_useful"]["respondents"] == 1


def test_survey_by_department(surveys):
    rows = {r["site"]: r["survey_had_interaction"] for r in data()["by_department"]}
    assert rows == {
        "North": {"yes": 2, "respondents": 3, "proportion": 2 / 3},
        "South": {"yes": 0, "respondents": 1, "proportion": 0.0},
    }
    south = data(site="South")
    assert south["effectiveness"]["wellbeing"] == {
        "respondents": 1,
        "mean_index": 40.0,
        "poor_wellbeing": 1,
        "proportion_poor": 1.0,
    }
