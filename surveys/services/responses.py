"""Answers and responses: checking, scoring and storing them, one at a time or in bulk."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from post_program.models import User
from post_program.services import audit_record

from ..models import (
    LIKERT_LABELS,
    TEXT_MAX_LENGTH,
    Answer,
    Campaign,
    InstrumentVersion,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Scoring,
    new_public_id,
)
from .links import LinkUsed, invitation_check, token_hash

logger = logging.getLogger(__name__)


def answer_columns(question: Question, value: Any) -> dict[str, Any] | None:
    """The Answer columns for one cleaned value, or None for no answer.

    Raises ValidationError when the value does not fit the question's type or scale (the
    answer form shows friendlier messages first; this is the last line of defence).
    """
    if value is None or value == "" or value == []:
        if question.required:
            raise ValidationError(f"{question.code}: an answer is required.")
        return None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        if not isinstance(value, bool):
            raise ValidationError(f"{question.code}: answer yes or no.")
        return {"value_bool": value}
    if kind in (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(f"{question.code}: answer with a whole number.")
        low, high = _bounds(question)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationError(f"{question.code}: {value} is outside the scale.")
        return {"value_int": value}
    codes = [code for code, _ in question.choices]
    if kind == QuestionKind.SINGLE_CHOICE:
        if value not in codes:
            raise ValidationError(f"{question.code}: {value!r} is not one of the options.")
        return {"value_text": value}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = set(value)
        if not chosen <= set(codes):
            raise ValidationError(f"{question.code}: an option is not one of the choices.")
        return {"value_text": ";".join(code for code in codes if code in chosen)}
    text = str(value).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(f"{question.code}: at most {TEXT_MAX_LENGTH} characters.")
    if not text:
        return answer_columns(question, None)
    return {"value_text": text}


def _bounds(question: Question) -> tuple[int | None, int | None]:
    if question.kind == QuestionKind.LIKERT:
        return min(LIKERT_LABELS), max(LIKERT_LABELS)
    return question.min_value, question.max_value


def score_compute(scoring: str, numbers: Sequence[int | None]) -> float | None:
    """The score of one response from its scored answers (yes = 1, no = 0).

    `who5` needs every scored item answered; the caller passes None for a missing one.
    """
    if scoring == Scoring.NONE or not numbers:
        return None
    if scoring == Scoring.WHO5:
        items = [n for n in numbers if n is not None]
        if len(items) < len(numbers):
            return None
        return float(4 * sum(items))
    present = [n for n in numbers if n is not None]
    if not present:
        return None
    return float(sum(present)) if scoring == Scoring.SUM else fmean(present)


def _score(version: InstrumentVersion, questions, columns_by_code) -> float | None:
    numbers: list[int | None] = []
    for question in questions:
        if not question.scored:
            continue
        columns = columns_by_code.get(question.code) or {}
        if "value_bool" in columns:
            numbers.append(int(columns["value_bool"]))
        else:
            numbers.append(columns.get("value_int"))
    return score_compute(version.scoring, numbers)


def response_submit(*, token: str, answers: Mapping[str, Any]) -> Response:
    """Record the answers sent through a link, once.

    The invitation is locked (SELECT ... FOR UPDATE) and then flipped to used with a
    conditional UPDATE, so two submissions racing on the same link (a double click) store one
    response; the second raises `LinkUsed`. The response gets the respondent's department and
    today's date, nothing else about them, and no audit row (see the module docstring).
    """
    digest = token_hash(token)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("campaign__version")
            .filter(tokens__token_hash=digest)
            .first()
        )
        invitation = invitation_check(invitation)
        campaign = invitation.campaign
        version = campaign.version
        questions = list(version.questions.order_by("position"))
        columns_by_code = {}
        errors = []
        for question in questions:
            try:
                columns = answer_columns(question, answers.get(question.code))
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            if columns is not None:
                columns_by_code[question.code] = columns
        if errors:
            raise ValidationError(errors)
        if Invitation.objects.filter(pk=invitation.pk, used=False).update(used=True) != 1:
            raise LinkUsed
        response = Response.objects.create(
            campaign=campaign,
            version=version,
            department_id=invitation.department_id,
            submitted_on=timezone.localdate(),
            score=_score(version, questions, columns_by_code),
        )
        Answer.objects.bulk_create(
            Answer(response=response, question=question, **columns_by_code[question.code])
            for question in questions
            if question.code in columns_by_code
        )
    logger.info("survey response recorded for campaign %s", campaign.pk)
    return response


@dataclass(frozen=True)
class ResponseRow:
    """One response to store in bulk: answers by question code, as `answer_columns` takes."""

    department_id: int | None
    submitted_on: date
    answers: Mapping[str, Any]
    public_id: str | None = None


@transaction.atomic
def responses_record(
    *,
    actor: User | None,
    version: InstrumentVersion,
    rows: Sequence[ResponseRow],
    campaign: Campaign | None = None,
    require_all: bool = True,
) -> int:
    """Store many responses of one version at once (history brought in from elsewhere, the
    demo): every answer checked against its question, scored, and written in bulk. Returns the
    number of responses. Raises ValidationError listing the rows that do not fit.

    `require_all=False` accepts rows that skip required questions (imported history often
    does); the WHO-5 index is then left empty for a response that lacks an item."""
    questions = list(version.questions.order_by("position"))
    prepared, errors = [], []
    for number, row in enumerate(rows, start=1):
        columns_by_code = {}
        unknown = set(row.answers) - {q.code for q in questions}
        if unknown:
            errors.append(f"Response {number}: unknown question {sorted(unknown)[0]!r}.")
        for question in questions:
            value = row.answers.get(question.code)
            if not require_all and value in (None, "", []):
                continue
            try:
                columns = answer_columns(question, value)
            except ValidationError as error:
                errors.extend(f"Response {number}: {message}" for message in error.messages)
                continue
            if columns is not None:
                columns_by_code[question.code] = columns
        prepared.append((row, columns_by_code))
    if errors:
        raise ValidationError(errors)
    responses = [
        Response(
            public_id=row.public_id or new_public_id(),
            campaign=campaign,
            version=version,
            department_id=row.department_id,
            submitted_on=row.submitted_on,
            score=_score(version, questions, columns_by_code),
        )
        for row, columns_by_code in prepared
    ]
    Response.objects.bulk_create(responses, batch_size=500)
    pks = dict(
        Response.objects.filter(public_id__in=[r.public_id for r in responses]).values_list(
            "public_id", "pk"
        )
    )
    Answer.objects.bulk_create(
        (
            Answer(response_id=pks[response.public_id], question=question, **columns[question.code])
            for response, (_, columns) in zip(responses, prepared, strict=True)
            for question in questions
            if question.code in columns
        ),
        batch_size=2000,
    )
    audit_record(
        actor=actor,
        action="survey.responses_record",
        obj=campaign,
        version_id=version.pk,
        responses=len(responses),
    )
    return len(responses)


@transaction.atomic
def responses_export_record(*, actor: User, campaign: Campaign) -> None:
    """Audit the download of a campaign's responses."""
    audit_record(actor=actor, action="survey.responses_export", obj=campaign)
