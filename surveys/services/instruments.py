"""Instruments and their versions: the built-in ones, and the builder's checks of questions."""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from post_program.models import User
from post_program.services import audit_record

from ..models import (
    Instrument,
    InstrumentVersion,
    Question,
    QuestionKind,
    Scoring,
)

CODE_PATTERN = r"[a-z][a-z0-9_]{0,49}"
MAX_SCALE_POINTS = 11
MAX_QUESTIONS = 60
BUILTIN_CODES = ("program_evaluation", "recipient_feedback", "supporter_training", "wellbeing")


def instruments_ensure_builtin() -> None:
    """Create the built-in instruments if they are missing.

    The data migration creates them in every database; only a database emptied since (a
    transactional test flushes every table) lacks them. This runs the migration's own
    functions (the instruments, then their Spanish wording), so there is one definition of
    them."""
    present = set(Instrument.objects.filter(builtin=True).values_list("code", flat=True))
    if present >= set(BUILTIN_CODES):
        return
    from django.apps import apps

    importlib.import_module("surveys.migrations.0002_builtin_instruments").create_builtin(
        apps, None
    )
    importlib.import_module("surveys.migrations.0009_builtin_spanish").add_spanish(apps, None)


@dataclass
class QuestionSpec:
    """A question as the builder describes it, before it is stored."""

    code: str
    text: str
    kind: str
    required: bool = True
    help_text: str = ""
    min_value: int | None = None
    max_value: int | None = None
    options: list = field(default_factory=list)
    scored: bool = False
    text_es: str = ""
    help_text_es: str = ""
    options_es: list[str] = field(default_factory=list)

    @classmethod
    def from_question(cls, question: Question) -> QuestionSpec:
        return cls(
            code=question.code,
            text=question.text,
            kind=question.kind,
            required=question.required,
            help_text=question.help_text,
            min_value=question.min_value,
            max_value=question.max_value,
            options=list(question.options or []),
            scored=question.scored,
            text_es=question.text_es,
            help_text_es=question.help_text_es,
            options_es=list(question.options_es or []),
        )


SCORABLE_KINDS = (QuestionKind.YES_NO, QuestionKind.LIKERT, QuestionKind.SCALE, QuestionKind.NUMBER)
RANGED_KINDS = (QuestionKind.SCALE, QuestionKind.NUMBER)
OPTION_KINDS = (QuestionKind.SCALE, QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


def questions_validate(specs: Sequence[QuestionSpec], *, scoring: str) -> None:
    """Raise a ValidationError listing every problem of a set of questions."""
    errors: list[str] = []
    if not specs:
        errors.append(gettext("Add at least one question."))
    if len(specs) > MAX_QUESTIONS:
        errors.append(
            gettext("An instrument holds at most %(count)s questions.") % {"count": MAX_QUESTIONS}
        )
    seen: set[str] = set()
    for number, spec in enumerate(specs, start=1):

        def problem(message: str, **values) -> None:
            errors.append(message % {"number": number, **values})  # noqa: B023 - called at once

        if not re.fullmatch(CODE_PATTERN, spec.code or ""):
            problem(
                gettext(
                    "Question %(number)s: the code must start with a letter and hold only "
                    "lower-case letters, digits and underscores."
                )
            )
        elif spec.code in seen:
            problem(
                gettext("Question %(number)s: the code '%(code)s' is used twice."), code=spec.code
            )
        seen.add(spec.code)
        if spec.kind not in QuestionKind.values:
            problem(gettext("Question %(number)s: choose a question type."))
            continue
        if not (spec.text or "").strip():
            problem(gettext("Question %(number)s: write the question."))
        if spec.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            codes = [option.get("code") for option in spec.options]
            if len(spec.options) < 2:
                problem(
                    gettext("Question %(number)s: a choice question needs at least two options.")
                )
            if len(set(codes)) != len(codes):
                problem(gettext("Question %(number)s: two options share a code."))
            if any(not re.fullmatch(CODE_PATTERN, code or "") for code in codes):
                problem(
                    gettext(
                        "Question %(number)s: option codes must start with a letter and hold "
                        "only lower-case letters, digits and underscores."
                    )
                )
        if spec.kind == QuestionKind.SCALE:
            if spec.min_value is None or spec.max_value is None:
                problem(
                    gettext(
                        "Question %(number)s: a rating scale needs a lowest and a highest value."
                    )
                )
            elif spec.max_value <= spec.min_value:
                problem(gettext("Question %(number)s: the highest value must be above the lowest."))
            elif spec.max_value - spec.min_value + 1 > MAX_SCALE_POINTS:
                problem(
                    gettext("Question %(number)s: a rating scale has at most %(count)s points."),
                    count=MAX_SCALE_POINTS,
                )
            elif spec.options and len(spec.options) != spec.max_value - spec.min_value + 1:
                problem(
                    gettext("Question %(number)s: give one label per point of the scale, or none.")
                )
        if spec.options_es and len(spec.options_es) != len(spec.options):
            problem(
                gettext(
                    "Question %(number)s: give one Spanish label per option (or per labelled "
                    "point), in the same order, or none."
                )
            )
        if (
            spec.kind == QuestionKind.NUMBER
            and spec.min_value is not None
            and spec.max_value is not None
            and spec.max_value < spec.min_value
        ):
            problem(gettext("Question %(number)s: the highest value must not be below the lowest."))
        if spec.scored and spec.kind not in SCORABLE_KINDS:
            problem(
                gettext(
                    "Question %(number)s: only yes/no, agreement, rating and number items can "
                    "count."
                )
            )
    scored = [spec for spec in specs if spec.scored]
    if scoring in (Scoring.SUM, Scoring.MEAN, Scoring.WHO5) and not scored:
        errors.append(
            gettext("This scoring needs at least one question that counts towards the score.")
        )
    if scoring == Scoring.WHO5 and any(
        spec.kind != QuestionKind.SCALE or (spec.min_value, spec.max_value) != (0, 5)
        for spec in scored
    ):
        errors.append(gettext("The WHO-5 index counts only rating items from 0 to 5."))
    if errors:
        raise ValidationError(errors)


def _version_create(
    *,
    actor: User | None,
    instrument: Instrument,
    intro: str,
    intro_es: str,
    scoring: str,
    questions: Sequence[QuestionSpec],
) -> InstrumentVersion:
    questions_validate(questions, scoring=scoring)
    latest = instrument.versions.order_by("-number").values_list("number", flat=True).first()
    version = InstrumentVersion.objects.create(
        instrument=instrument,
        number=(latest or 0) + 1,
        intro=intro,
        intro_es=intro_es,
        scoring=scoring,
        created_by=actor,
    )
    Question.objects.bulk_create(
        Question(
            version=version,
            position=position,
            code=spec.code,
            text=spec.text.strip(),
            text_es=spec.text_es.strip(),
            help_text=spec.help_text.strip(),
            help_text_es=spec.help_text_es.strip(),
            kind=spec.kind,
            required=spec.required,
            min_value=spec.min_value if spec.kind in RANGED_KINDS else None,
            max_value=spec.max_value if spec.kind in RANGED_KINDS else None,
            options=list(spec.options) if spec.kind in OPTION_KINDS else [],
            options_es=list(spec.options_es) if spec.kind in OPTION_KINDS else [],
            scored=spec.scored,
        )
        for position, spec in enumerate(questions, start=1)
    )
    return version


@transaction.atomic
def instrument_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    description: str = "",
    intro: str = "",
    scoring: str = Scoring.NONE,
    questions: Sequence[QuestionSpec],
    name_es: str = "",
    description_es: str = "",
    intro_es: str = "",
) -> Instrument:
    """A director's own instrument, with its first version. The `_es` wording is optional."""
    if not re.fullmatch(CODE_PATTERN, code or ""):
        raise ValidationError(
            {
                "code": gettext(
                    "Start with a letter; use lower-case letters, digits and underscores."
                )
            }
        )
    if Instrument.objects.filter(code=code).exists():
        raise ValidationError({"code": gettext("An instrument with this code exists already.")})
    instrument = Instrument.objects.create(
        code=code,
        name=name,
        name_es=name_es,
        description=description,
        description_es=description_es,
    )
    version = _version_create(
        actor=actor,
        instrument=instrument,
        intro=intro,
        intro_es=intro_es,
        scoring=scoring,
        questions=questions,
    )
    audit_record(
        actor=actor,
        action="survey.instrument_create",
        obj=instrument,
        version=version.number,
        questions=len(questions),
    )
    return instrument


@transaction.atomic
def instrument_version_create(
    *,
    actor: User | None,
    instrument: Instrument,
    intro: str,
    scoring: str,
    questions: Sequence[QuestionSpec],
    intro_es: str = "",
) -> InstrumentVersion:
    """A new wording of a custom instrument; earlier responses keep their own version."""
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.builtin:
        raise ValidationError(
            gettext("Built-in instruments keep the codes and scales they came with.")
        )
    version = _version_create(
        actor=actor,
        instrument=instrument,
        intro=intro,
        intro_es=intro_es,
        scoring=scoring,
        questions=questions,
    )
    audit_record(
        actor=actor,
        action="survey.instrument_version_create",
        obj=instrument,
        version=version.number,
        questions=len(questions),
    )
    return version
