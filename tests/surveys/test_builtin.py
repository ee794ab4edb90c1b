"""The four built-in instruments exist with exactly the codes and scales of docs/data-formats.md."""

from __future__ import annotations

import pytest

from surveys.models import Instrument

YES_NO, LIKERT = ("yes_no", None, None), ("likert", None, None)
WHO5 = ("scale", 0, 5)

# As docs/data-formats.md lists them, "Built-in instruments and question codes".
EXPECTED = {
    "program_evaluation": {
        "aware_of_program": YES_NO,
        "had_interaction": YES_NO,
        "would_recommend": YES_NO,
        "culture_improved": LIKERT,
    },
    "recipient_feedback": {
        "helpful": LIKERT,
        "wellbeing_improved": LIKERT,
        "negative_emotions_decreased": LIKERT,
        "stigma_decreased": LIKERT,
        "comfortable_discussing": LIKERT,
        "culture_improved": LIKERT,
        "would_recommend": YES_NO,
    },
    "supporter_training": {
        "training_useful": LIKERT,
        "culture_shift": LIKERT,
        "confidence": LIKERT,
    },
    "wellbeing": {f"who5_{n}": WHO5 for n in range(1, 6)},
}


def test_exactly_the_four_builtin_instruments_exist():
    assert set(Instrument.objects.filter(builtin=True).values_list("code", flat=True)) == set(
        EXPECTED
    )


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_builtin_codes_and_scales(code):
    version = Instrument.objects.get(code=code).current_version
    questions = {
        q.code: (q.kind, q.min_value, q.max_value) for q in version.questions.order_by("position")
    }
    assert questions == EXPECTED[code]
    assert all(q.required for q in version.questions.all())


def test_likert_runs_from_1_to_5_and_who5_from_0_to_5():
    culture = Instrument.objects.get(code="program_evaluation").current_version.questions.get(
        code="culture_improved"
    )
    assert [value for value, _ in culture.scale_points] == [1, 2, 3, 4, 5]
    who5 = Instrument.objects.get(code="wellbeing").current_version.questions.get(code="who5_1")
    assert [value for value, _ in who5.scale_points] == [0, 1, 2, 3, 4, 5]
    assert who5.scale_points[0][1].endswith("At no time")
    assert who5.scale_points[-1][1].endswith("All of the time")


def test_who5_is_scored_as_the_index():
    version = Instrument.objects.get(code="wellbeing").current_version
    assert version.scoring == "who5"
    assert version.questions.filter(scored=True).count() == 5
