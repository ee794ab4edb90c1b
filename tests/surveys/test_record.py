"""Storing many responses at once (history, demo): checked, scored, all or nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from surveys import services
from surveys.models import Answer, Response

from .factories import version_of

WHO5 = {"who5_1": 5, "who5_2": 4, "who5_3": 3, "who5_4": 2, "who5_5": 1}


def test_rows_are_stored_with_their_answers_and_scores(cast):
    rows = [
        services.ResponseRow(cast.department_a.pk, date(2021, 3, 1), WHO5, public_id="R-1"),
        services.ResponseRow(None, date(2021, 3, 2), {**WHO5, "who5_5": 5}),
    ]
    assert services.responses_record(actor=None, version=version_of("wellbeing"), rows=rows) == 2
    first = Response.objects.get(public_id="R-1")
    assert (first.department, first.submitted_on, first.score) == (
        cast.department_a,
        date(2021, 3, 1),
        60.0,
    )
    assert Response.objects.exclude(public_id="R-1").get().score == 76.0
    assert Answer.objects.count() == 10


def test_any_bad_row_stores_nothing_and_names_every_problem(cast):
    rows = [
        services.ResponseRow(cast.department_a.pk, date(2021, 3, 1), WHO5),
        services.ResponseRow(cast.department_a.pk, date(2021, 3, 1), {**WHO5, "who5_2": 9}),
        services.ResponseRow(cast.department_a.pk, date(2021, 3, 1), {"who5_1": 1, "mood": 2}),
    ]
    with pytest.raises(ValidationError) as error:
        services.responses_record(actor=None, version=version_of("wellbeing"), rows=rows)
    messages = error.value.messages
    assert "Response 2: who5_2: 9 is outside the scale." in messages
    assert "Response 3: unknown question 'mood'." in messages
    assert "Response 3: who5_2: an answer is required." in messages
    assert not Response.objects.exists()


def test_history_may_skip_questions_and_then_has_no_who5_index(cast):
    partial = {"who5_1": 5, "who5_2": 4, "who5_3": 3, "who5_4": 2}
    rows = [services.ResponseRow(cast.department_a.pk, date(2021, 3, 1), partial)]
    services.responses_record(
        actor=None, version=version_of("wellbeing"), rows=rows, require_all=False
    )
    response = Response.objects.get()
    assert response.answers.count() == 4
    assert response.score is None
