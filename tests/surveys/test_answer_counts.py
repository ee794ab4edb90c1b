"""The answer counts the report reads equal the answers, however responses are written."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db.models import Count

from surveys import selectors, services
from surveys.models import POSITIVE_ANSWER, Answer, AnswerCount
from surveys.services import ResponseRow
from surveys.services.answer_counts import answer_counts_after_migrate
from tests.factories import DepartmentFactory, SiteFactory

from .factories import make_response, version_of

ITEMS = [
    ("program_evaluation", "had_interaction"),
    ("program_evaluation", "would_recommend"),
    ("recipient_feedback", "helpful"),
    ("recipient_feedback", "would_recommend"),
]


def counts_table() -> set[tuple]:
    return set(
        AnswerCount.objects.values_list(
            "department_id", "submitted_on", "question_id", "respondents", "positive"
        )
    )


def raw_counts(*, start, end, department_ids=None) -> dict:
    """The report's item counts computed from the answers themselves."""
    found = {}
    for survey, code in ITEMS:
        answers = Answer.objects.filter(
            response__submitted_on__gte=start,
            response__submitted_on__lte=end,
            response__version__instrument__code=survey,
            question__code=code,
        )
        if department_ids is not None:
            answers = answers.filter(response__department_id__in=department_ids)
        row = answers.aggregate(n=Count("pk"), positive=Count("pk", filter=POSITIVE_ANSWER))
        found[survey, code] = selectors.ItemCounts(row["positive"], row["n"])
    return found


@pytest.fixture
def program(db):
    rng = random.Random(7)
    site = SiteFactory()
    departments = [DepartmentFactory(site=site) for _ in range(3)]
    evaluation, feedback = version_of("program_evaluation"), version_of("recipient_feedback")
    first = date(2024, 1, 1)
    # Through the bulk writer (the import and the demo use it) ...
    services.responses_record(
        actor=None,
        version=evaluation,
        rows=[
            ResponseRow(
                department_id=rng.choice([*[d.pk for d in departments], None]),
                submitted_on=first + timedelta(days=rng.randrange(700)),
                answers={
                    "had_interaction": rng.random() < 0.4,
                    "would_recommend": rng.choice([True, False, None]),
                },
            )
            for _ in range(60)
        ],
        require_all=False,
    )
    # ... and one by one, as the tests' factory stores them.
    for _ in range(25):
        make_response(
            None,
            rng.choice(departments),
            {"helpful": rng.randint(1, 5), "would_recommend": rng.random() < 0.7},
            submitted_on=first + timedelta(days=rng.randrange(700)),
            version=feedback,
        )
    return departments


def test_the_counts_equal_the_answers_for_random_periods_and_scopes(program):
    rng = random.Random(11)
    for _ in range(25):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(700))
        end = start + timedelta(days=rng.randrange(400))
        scope = rng.choice([None, [program[0].pk], [d.pk for d in program[1:]]])
        assert selectors.items_counts(
            items=ITEMS, start=start, end=end, department_ids=scope
        ) == raw_counts(start=start, end=end, department_ids=scope)


def test_written_counts_equal_a_full_count(program):
    kept = counts_table()
    assert kept
    AnswerCount.objects.all().delete()
    assert services.answer_counts_refresh() == len(kept)
    assert counts_table() == kept


def test_migrate_counts_answers_that_were_never_counted(program):
    kept = counts_table()
    AnswerCount.objects.all().delete()
    answer_counts_after_migrate()
    assert counts_table() == kept
