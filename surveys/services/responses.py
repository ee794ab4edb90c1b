"""Answers and responses: checking, scoring and storing them, one at a time or in bulk."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from post_program.models import User
from post_program.services import audit_record
from post_program.tokens import token_digest

from ..models import (
    LIKERT_LABELS,
    TEXT_MAX_LENGTH,
    Answer,
    Campaign,
    InstrumentVersion,
    Invitation,
    PendingResponse,
    Question,
    QuestionKind,
    Response,
    Scoring,
    new_public_id,
)
from .answer_counts import answer_counts_refresh
from .invitations import TRIGGER_INSTRUMENTS
from .links import LinkUsed, invitation_check, spent_invitation_ids, spent_key

logger = logging.getLogger(__name__)

# Surveys sent because of an event (a supported case, a completed course): their responses keep
# no department, so none can be matched to the event that prompted it (docs/confidentiality.md).
EVENT_SURVEYS = frozenset(TRIGGER_INSTRUMENTS.values())


def response_month(day: date) -> date:
    """The only date a response keeps, stored and exported: the first day of its month."""
    return day.replace(day=1)


def response_department(survey: str, department_id: int | None) -> int | None:
    """The department a response of `survey` keeps: none for a survey sent after an event."""
    return None if survey in EVENT_SURVEYS else department_id


def answer_columns(question: Question, value: Any) -> dict[str, Any] | None:
    """The Answer columns for one cleaned value, or None for no answer.

    Raises ValidationError when the value does not fit the question's type or scale (the
    answer form shows friendlier messages first; this is the last line of defence).
    """
    if value is None or value == "" or value == []:
        if question.required:
            raise ValidationError(
                gettext("%(code)s: an answer is required.") % {"code": question.code}
            )
        return None
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        if not isinstance(value, bool):
            raise ValidationError(gettext("%(code)s: answer yes or no.") % {"code": question.code})
        return {"value_bool": value}
    if kind in (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                gettext("%(code)s: answer with a whole number.") % {"code": question.code}
            )
        low, high = _bounds(question)
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationError(
                gettext("%(code)s: %(value)s is outside the scale.")
                % {"code": question.code, "value": value}
            )
        return {"value_int": value}
    codes = [code for code, _ in question.choices]
    if kind == QuestionKind.SINGLE_CHOICE:
        if value not in codes:
            raise ValidationError(
                gettext("%(code)s: '%(value)s' is not one of the options.")
                % {"code": question.code, "value": value}
            )
        return {"value_text": value}
    if kind == QuestionKind.MULTIPLE_CHOICE:
        chosen = set(value)
        if not chosen <= set(codes):
            raise ValidationError(
                gettext("%(code)s: an option is not one of the choices.") % {"code": question.code}
            )
        return {"value_text": ";".join(code for code in codes if code in chosen)}
    text = str(value).strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            gettext("%(code)s: at most %(count)s characters.")
            % {"code": question.code, "count": TEXT_MAX_LENGTH}
        )
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


def response_submit(*, token: str, answers: Mapping[str, Any]) -> PendingResponse:
    """Record the answers sent through a link, once.

    The submission writes one `PendingResponse` and nothing else: not the invitation (a row
    written in the same transaction would share its transaction id), no audit row, no log line
    (either would give the response a time). Its `spent_key` is unique, so of two submissions
    racing on one link (a double click) the second raises `LinkUsed`. It keeps the month and,
    unless the survey was sent after an event, the respondent's department; `responses_settle`
    later turns it into a `Response`.
    """
    invitation = invitation_check(
        Invitation.objects.select_related("campaign__version__instrument")
        .filter(tokens__token_hash=token_digest(token))
        .first()
    )
    campaign = invitation.campaign
    version = campaign.version
    columns_by_code, errors = {}, []
    for question in version.questions.order_by("position"):
        try:
            columns = answer_columns(question, answers.get(question.code))
        except ValidationError as error:
            errors.extend(error.messages)
            continue
        if columns is not None:
            columns_by_code[question.code] = columns
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            pending = PendingResponse.objects.create(
                spent_key=spent_key(invitation.pk),
                campaign=campaign,
                version=version,
                department_id=response_department(
                    version.instrument.code, invitation.department_id
                ),
                submitted_on=response_month(timezone.localdate()),
                answers=columns_by_code,
            )
            # A settlement that committed meanwhile has marked the invitation used.
            if Invitation.objects.filter(pk=invitation.pk, used=True).exists():
                raise LinkUsed
    except IntegrityError:
        raise LinkUsed from None
    return pending


def responses_settle(*, today: date | None = None) -> int:
    """Turn pending submissions into responses and mark their invitations used (periodic job).

    Waits until `SURVEY_SETTLE_MIN` submissions are pending, or one of them is from an earlier
    month than today (so every month's figures are complete once it is over). Then one
    transaction stores all of them, in the order of their random ids, marks all their
    invitations used and deletes them: no response shares its transaction id with one
    invitation alone, and insertion order says nothing about the order of answering. Returns
    the number of responses stored.
    """
    this_month = response_month(today or timezone.localdate())
    with transaction.atomic():
        pending = list(PendingResponse.objects.select_for_update().select_related("version"))
        if not pending or (
            len(pending) < settings.SURVEY_SETTLE_MIN
            and all(p.submitted_on >= this_month for p in pending)
        ):
            return 0
        answered = spent_invitation_ids(
            Invitation.objects.filter(used=False, campaign__in={p.campaign_id for p in pending})
        )
        Invitation.objects.filter(pk__in=answered).update(used=True)
        questions = _questions_of({p.version for p in pending})
        _store(
            [
                (
                    Response(
                        campaign_id=p.campaign_id,
                        version=p.version,
                        department_id=p.department_id,
                        submitted_on=p.submitted_on,
                        score=_score(p.version, questions[p.version.pk], p.answers),
                    ),
                    p.answers,
                )
                for p in pending
            ],
            questions,
        )
        PendingResponse.objects.filter(pk__in=[p.pk for p in pending]).delete()
    logger.info("survey responses settled: %s", len(pending))
    return len(pending)


def _questions_of(versions) -> dict[int, list[Question]]:
    """The questions of each version, in order, by version id. One query."""
    questions: dict[int, list[Question]] = {v.pk: [] for v in versions}
    for question in Question.objects.filter(version__in=versions).order_by("position"):
        questions[question.version_id].append(question)
    return questions


def _store(
    items: Sequence[tuple[Response, Mapping[str, Mapping[str, Any]]]],
    questions: Mapping[int, Sequence[Question]],
) -> None:
    """Write responses and their answer columns (by question code) in bulk, in the order of
    their random public ids."""
    for response, _ in items:
        response.public_id = response.public_id or new_public_id()
    items = sorted(items, key=lambda item: item[0].public_id)
    Response.objects.bulk_create([response for response, _ in items], batch_size=500)
    pks = dict(
        Response.objects.filter(public_id__in=[r.public_id for r, _ in items]).values_list(
            "public_id", "pk"
        )
    )
    Answer.objects.bulk_create(
        (
            Answer(response_id=pks[response.public_id], question=question, **columns[question.code])
            for response, columns in items
            for question in questions[response.version_id]
            if question.code in columns
        ),
        batch_size=2000,
    )
    answer_counts_refresh({response.submitted_on for response, _ in items})


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
            errors.append(
                gettext("Response %(number)s: unknown question '%(code)s'.")
                % {"number": number, "code": sorted(unknown)[0]}
            )
        for question in questions:
            value = row.answers.get(question.code)
            if not require_all and value in (None, "", []):
                continue
            try:
                columns = answer_columns(question, value)
            except ValidationError as error:
                errors.extend(
                    gettext("Response %(number)s: %(problem)s")
                    % {"number": number, "problem": message}
                    for message in error.messages
                )
                continue
            if columns is not None:
                columns_by_code[question.code] = columns
        prepared.append((row, columns_by_code))
    if errors:
        raise ValidationError(errors)
    survey = version.instrument.code
    _store(
        [
            (
                Response(
                    public_id=row.public_id or "",
                    campaign=campaign,
                    version=version,
                    department_id=response_department(survey, row.department_id),
                    submitted_on=response_month(row.submitted_on),
                    score=_score(version, questions, columns_by_code),
                ),
                columns_by_code,
            )
            for row, columns_by_code in prepared
        ],
        {version.pk: questions},
    )
    audit_record(
        actor=actor,
        action="survey.responses_record",
        obj=campaign,
        version_id=version.pk,
        responses=len(prepared),
    )
    return len(prepared)


@transaction.atomic
def responses_export_record(*, actor: User, campaign: Campaign) -> None:
    """Audit the download of a campaign's responses."""
    audit_record(actor=actor, action="survey.responses_export", obj=campaign)
