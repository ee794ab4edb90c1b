"""The survey numbers the reports read (docs/metrics.md), on small hand-built data."""

from __future__ import annotations

import csv
import io
from datetime import date

from surveys import selectors

from .factories import make_campaign, make_response, version_of

P_START, P_END = date(2024, 1, 1), date(2024, 6, 30)


def _evaluation(cast):
    campaign = make_campaign(departments=[cast.department_a, cast.department_b])
    rows = [
        # (department, submitted_on, would_recommend, had_interaction, culture_improved)
        (cast.department_a, date(2024, 2, 1), True, True, 5),
        (cast.department_a, date(2024, 2, 1), True, False, 4),
        (cast.department_a, date(2024, 2, 2), False, False, 3),
        (cast.department_b, date(2024, 6, 30), True, True, 2),
        (cast.department_b, date(2024, 7, 1), True, True, 5),  # after the period
        (None, date(2024, 3, 1), False, True, 4),  # imported, no department
    ]
    for department, day, recommend, had, culture in rows:
        make_response(
            campaign,
            department,
            {
                "aware_of_program": True,
                "would_recommend": recommend,
                "had_interaction": had,
                "culture_improved": culture,
            },
            submitted_on=day,
        )
    return campaign


def test_item_counts_program_wide_include_responses_without_department(cast):
    _evaluation(cast)
    counts = selectors.item_counts(
        survey="program_evaluation", question="would_recommend", start=P_START, end=P_END
    )
    assert counts == selectors.ItemCounts(positive=3, respondents=5)


def test_item_counts_in_a_scope_of_departments(cast):
    _evaluation(cast)
    counts = selectors.item_counts(
        survey="program_evaluation",
        question="had_interaction",
        start=P_START,
        end=P_END,
        department_ids=[cast.department_a.pk],
    )
    assert counts == selectors.ItemCounts(positive=1, respondents=3)


def test_likert_agree_counts_4_and_5(cast):
    _evaluation(cast)
    counts = selectors.item_counts(
        survey="program_evaluation", question="culture_improved", start=P_START, end=P_END
    )
    assert counts == selectors.ItemCounts(positive=3, respondents=5)  # 5, 4, 4 of 5,4,3,2,4


def test_item_counts_by_department(cast):
    _evaluation(cast)
    by_department = selectors.item_counts_by_department(
        survey="program_evaluation", question="had_interaction", start=P_START, end=P_END
    )
    assert by_department == {
        cast.department_a.pk: selectors.ItemCounts(1, 3),
        cast.department_b.pk: selectors.ItemCounts(1, 1),
        None: selectors.ItemCounts(1, 1),
    }


def test_same_code_in_another_instrument_is_not_counted(cast):
    _evaluation(cast)
    feedback = make_campaign(code="recipient_feedback", departments=[cast.department_a])
    make_response(
        feedback, cast.department_a, {"would_recommend": False}, submitted_on=date(2024, 2, 1)
    )
    counts = selectors.item_counts(
        survey="program_evaluation", question="would_recommend", start=P_START, end=P_END
    )
    assert counts.respondents == 5


def test_wellbeing_indices_need_all_five_items(cast):
    version = version_of("wellbeing")
    full = [(3, 3, 3, 3, 3), (5, 5, 5, 5, 4), (0, 1, 0, 1, 0)]
    for values in full:
        make_response(
            None,
            cast.department_a,
            dict(zip(selectors.WHO5_CODES, values, strict=True)),
            submitted_on=date(2024, 4, 1),
            version=version,
        )
    make_response(  # four of five answered: no index
        None,
        cast.department_a,
        dict(zip(selectors.WHO5_CODES[:4], (5, 5, 5, 5), strict=True)),
        submitted_on=date(2024, 4, 1),
        version=version,
    )
    make_response(  # another department
        None,
        cast.department_b,
        dict(zip(selectors.WHO5_CODES, (1, 1, 1, 1, 1), strict=True)),
        submitted_on=date(2024, 4, 1),
        version=version,
    )
    assert selectors.wellbeing_indices(start=P_START, end=P_END) == [8, 20, 60, 96]
    assert selectors.wellbeing_indices(
        start=P_START, end=P_END, department_ids=[cast.department_a.pk]
    ) == [8, 60, 96]


def test_export_rows_of_any_responses(cast):
    _evaluation(cast)
    responses = selectors.responses_in(survey="program_evaluation", start=P_START, end=P_END)
    out = io.StringIO()
    csv.writer(out).writerows(selectors.export_rows(responses, threshold=None))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 5 * 4
    no_department = [row for row in rows if row["department"] == ""]
    assert len(no_department) == 4 and {row["site"] for row in no_department} == {""}


def test_formula_like_text_is_neutralised_in_the_export_file(cast):
    from django.utils import timezone

    from post_program import import_export
    from surveys.models import Answer, InstrumentVersion, Question

    instrument_version = InstrumentVersion.objects.create(
        instrument=version_of("wellbeing").instrument, number=99
    )
    question = Question.objects.create(
        version=instrument_version, position=1, code="note", text="Note", kind="text"
    )
    response = make_response(None, None, {}, version=instrument_version)
    Answer.objects.create(response=response, question=question, value_text="=1+2")
    rows = list(
        selectors.export_rows(
            selectors.responses_in(start=timezone.localdate(), end=timezone.localdate()),
            threshold=None,
        )
    )
    assert rows[1][-1] == "=1+2"  # the answer as given: the file writers neutralise it
    (spec,) = [spec for spec in import_export.file_specs() if spec.name == "survey_responses.csv"]
    _, rows = import_export.export_table(spec, identified=False)
    answers = list(rows)
    assert answers[0][-1] == "'=1+2"
