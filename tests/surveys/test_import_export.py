"""survey_responses.csv: answers checked against their instrument, stored without a person."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from surveys.models import Answer, Response
from surveys.services import instruments_ensure_builtin
from tests.post_program.test_import_export import DEPARTMENTS, write

pytestmark = pytest.mark.django_db

HEADER = "response_id,survey,submitted_on,site,department,question,answer"
RESPONSES = (
    "\n".join(
        [
            HEADER,
            "A1,program_evaluation,2021-06-01,North,Emergency Medicine,aware_of_program,yes",
            "A1,program_evaluation,2021-06-01,North,Emergency Medicine,had_interaction,No",
            "A1,program_evaluation,2021-06-01,North,Emergency Medicine,would_recommend,TRUE",
            "A1,program_evaluation,2021-06-01,North,Emergency Medicine,culture_improved,4",
            "W1,wellbeing,2021-07-02,,,who5_1,5",
            "W1,wellbeing,2021-07-02,,,who5_2,0",
        ]
    )
    + "\n"
)


@pytest.fixture(autouse=True)
def _instruments():
    instruments_ensure_builtin()


def test_responses_import_grouped_by_response_and_again_changes_nothing(tmp_path):
    folder = write(tmp_path, departments=DEPARTMENTS, survey_responses=RESPONSES)
    out = io.StringIO()
    call_command("import_program", str(folder), stdout=out)
    assert "survey_responses.csv: 6 rows, 6 new" in out.getvalue()
    evaluation = Response.objects.get(public_id="A1")
    assert evaluation.department.name == "Emergency Medicine"
    answers = {a.question.code: a for a in Answer.objects.filter(response=evaluation)}
    assert answers["had_interaction"].value_bool is False
    assert answers["would_recommend"].value_bool is True
    assert answers["culture_improved"].value_int == 4
    assert Response.objects.get(public_id="W1").department is None
    out = io.StringIO()
    call_command("import_program", str(folder), stdout=out)
    assert "survey_responses.csv: 6 rows, 0 new, 0 updated, 6 unchanged" in out.getvalue()
    assert Response.objects.count() == 2


def test_answers_are_checked_against_their_instrument(tmp_path):
    bad = "\n".join(
        [
            HEADER,
            "A1,program_evaluation,2021-06-01,North,Emergency Medicine,culture_improved,7",
            "A1,program_evaluation,2021-06-02,North,Emergency Medicine,had_interaction,maybe",
            "A2,program_evaluation,2021-06-01,North,,favourite_colour,blue",
            "A3,happiness_index,2021-06-01,,,q1,3",
            "A4,wellbeing,2021-06-01,,,who5_1,many",
        ]
    )
    folder = write(tmp_path, departments=DEPARTMENTS, survey_responses=bad)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_program", str(folder), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "survey_responses.csv:2: answer: culture_improved: 7 is outside the scale.",
        "survey_responses.csv:3: submitted_on: differs from line 2 of the same response",
        "survey_responses.csv:3: answer: 'maybe' is not yes or no",
        "survey_responses.csv:4: department: give both site and department, or neither",
        "survey_responses.csv:4: question: not a question of the program_evaluation survey",
        "survey_responses.csv:5: survey: no survey instrument 'happiness_index'",
        "survey_responses.csv:6: answer: 'many' is not a whole number",
    ]
    assert not Response.objects.exists()
