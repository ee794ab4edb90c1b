"""survey_responses.csv: anonymous responses in the long format, one row per answer."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from post_program import program_settings
from post_program.bulk_rows import matching
from post_program.import_export import (
    Column,
    Counts,
    FileSpec,
    check_department_reference,
    date_value,
    department_lookup,
    field_length,
    yes_no,
)

from . import selectors
from .models import TEXT_MAX_LENGTH, Instrument, Question, QuestionKind, Response
from .services import ResponseRow, answer_columns, responses_record

WHOLE_NUMBER_KINDS = (QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER)


def typed_answer(question: Question, text: str) -> Any:
    """A cell's text as the value its question takes."""
    if question.kind == QuestionKind.YES_NO:
        return yes_no(text)
    if question.kind in WHOLE_NUMBER_KINDS:
        try:
            return int(text)
        except ValueError:
            raise ValueError(
                gettext("'%(value)s' is not a whole number") % {"value": text}
            ) from None
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


class SurveyResponsesFile(FileSpec):
    name = "survey_responses.csv"
    columns = (
        Column("response_id", required=True, max_length=field_length(Response, "public_id")),
        Column("survey", required=True),
        Column("submitted_on", required=True, parse=date_value),
        Column("site"),
        Column("department"),
        Column("question", required=True),
        Column("answer", required=True, max_length=TEXT_MAX_LENGTH),
    )
    key = ("response_id", "question")
    SHARED = ("survey", "submitted_on", "site", "department")

    @staticmethod
    def _questions(batch) -> dict[str, dict[str, Question]]:
        """survey code -> question code -> question of the instrument's current version."""

        def load():
            questions: dict[str, dict[str, Question]] = defaultdict(dict)
            for instrument in Instrument.objects.all():
                version = instrument.current_version
                if version is not None:
                    for question in version.questions.all():
                        questions[instrument.code][question.code] = question
            return dict(questions)

        return batch.cached("survey_questions", load)

    def check(self, row, batch):
        if bool(row["site"]) != bool(row["department"]):
            yield "department", gettext("give both site and department, or neither")
        else:
            yield from check_department_reference(row, batch)
        first = batch.cached("first_response_rows", dict).setdefault(row["response_id"], row)
        for column in self.SHARED:
            if first is not row and first[column] != row[column]:
                yield (
                    column,
                    gettext("differs from line %(line)s of the same response")
                    % {"line": first.line},
                )
        questions = self._questions(batch).get(row["survey"])
        if questions is None:
            yield "survey", gettext("no survey instrument '%(code)s'") % {"code": row["survey"]}
            return
        question = questions.get(row["question"])
        if question is None:
            yield (
                "question",
                gettext("not a question of the %(code)s survey") % {"code": row["survey"]},
            )
            return
        if row["answer"] is None:
            return
        try:
            answer_columns(question, typed_answer(question, row["answer"]))
        except ValueError as error:
            yield "answer", str(error)
        except ValidationError as error:
            yield "answer", " ".join(error.messages)

    def write(self, rows, batch):
        departments = department_lookup(batch)
        questions = self._questions(batch)
        known = set(
            matching(
                Response.objects.values_list("public_id", flat=True),
                "public_id",
                (row["response_id"] for row in rows),
            )
        )
        grouped: dict[str, list] = defaultdict(list)
        for row in rows:
            if row["response_id"] not in known:
                grouped[row["response_id"]].append(row)
        by_version: dict[Any, list[ResponseRow]] = defaultdict(list)
        for response_id, answers in grouped.items():
            first = answers[0]
            survey_questions = questions[first["survey"]]
            department = departments.get((first["site"], first["department"]))
            by_version[survey_questions[first["question"]].version].append(
                ResponseRow(
                    department_id=department.pk if department else None,
                    submitted_on=first["submitted_on"],
                    answers={
                        a["question"]: typed_answer(survey_questions[a["question"]], a["answer"])
                        for a in answers
                    },
                    public_id=response_id,
                )
            )
        for version, response_rows in by_version.items():
            responses_record(actor=None, version=version, rows=response_rows, require_all=False)
        created = sum(len(answers) for answers in grouped.values())
        return Counts(created=created, unchanged=len(rows) - created)

    def export_rows(self):
        return self._rows(threshold=None)

    def shareable_rows(self):
        return self._rows(threshold=program_settings.get().suppression_threshold)

    @staticmethod
    def _rows(*, threshold: int | None):
        rows = selectors.export_rows(Response.objects.all(), threshold=threshold)
        next(rows)  # the header: the file's columns, in their order
        return rows


FILES = [SurveyResponsesFile()]
