"""Survey responses of the program at scale, over the built-in surveys other than WHO-5.

- Program evaluation: one campaign a year across the departments running the program by then,
  answered by a share of their physicians (the answers as in the demo).
- Recipient feedback and supporter training evaluations: the automatic campaigns, answered
  over the whole period (stored without a department, as the app stores them).

Answers are checked with the app's own `answer_columns` and scored with `score_compute`, so
each one fits its question. Responses are written in random order of their month: the order of
insertion says nothing about the order of answering (docs/confidentiality.md). Responses and
answers come from one generator, run twice with the same dice, so neither is held in memory.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from post_program.scale import (
    DepartmentPlan,
    ScaleContext,
    WeightedPick,
    analyze,
    local_at,
    next_pk,
    write,
)

from . import demo, services
from .models import Answer, Campaign, Instrument, InstrumentVersion, Question, Response

FEEDBACK_SHARE = 0.4  # of the responses, recipient feedback
TRAINING_PER_SUPPORTER = 0.7  # training evaluations per supporter, at most
TRAINING_SHARE = 0.05  # of the responses, training evaluations, at most
EVALUATION_OPENS_AFTER = 60  # days into each program year
EVALUATION_DAYS = 30


def _version(code: str) -> InstrumentVersion:
    version = Instrument.objects.get(code=code).current_version
    if version is None:  # pragma: no cover - built-in instruments always have one
        raise ValueError(f"{code} has no version")
    return version


def _counts(ctx: ScaleContext) -> dict[str, int]:
    total = ctx.sizes.responses
    training = min(
        round(total * TRAINING_SHARE), round(len(ctx.supporters) * TRAINING_PER_SUPPORTER)
    )
    feedback = round(total * FEEDBACK_SHARE)
    return {
        "supporter_training": training,
        "recipient_feedback": feedback,
        "program_evaluation": total - training - feedback,
    }


class _Surveys:
    def __init__(self, ctx: ScaleContext):
        self.ctx = ctx
        self.versions = {code: _version(code) for code in _counts(ctx)}
        self.questions: dict[int, list[Question]] = {v.pk: [] for v in self.versions.values()}
        for question in Question.objects.filter(version__in=self.versions.values()).order_by(
            "position"
        ):
            self.questions[question.version_id].append(question)
        self.campaigns: dict[str, list[tuple[Campaign, list[DepartmentPlan]]]] = {}
        self.first_pk = next_pk(Response)

    def create_campaigns(self) -> None:
        """A closed evaluation campaign each program year, and the two automatic ones."""
        ctx = self.ctx
        director = ctx.accounts["director"]
        evaluations = []
        for year in range(ctx.years):
            opens_on = ctx.start + timedelta(days=365 * year + EVALUATION_OPENS_AFTER)
            closes_on = opens_on + timedelta(days=EVALUATION_DAYS)
            if closes_on >= ctx.end:
                break
            departments = [
                d
                for d in ctx.departments
                if d.launched_on
                and d.launched_on <= opens_on
                and d.adopted_until(ctx.end) >= opens_on
            ]
            campaign = Campaign.objects.create(
                name=f"Program evaluation {opens_on:%Y}",
                version=self.versions["program_evaluation"],
                audience=Campaign.Audience.DEPARTMENTS,
                opens_on=opens_on,
                closes_on=closes_on,
                reminder_days=[7, 14],
                status=Campaign.Status.CLOSED,
                created_by=director,
                created_at=local_at(opens_on - timedelta(days=7), 9),
            )
            campaign.departments.set([d.pk for d in departments])
            evaluations.append((campaign, departments))
        self.campaigns["program_evaluation"] = evaluations
        for code in ("recipient_feedback", "supporter_training"):
            version = self.versions[code]
            campaign = Campaign.objects.create(
                name=f"{version.instrument.name} (automatic, from {ctx.start:%Y-%m-%d})",
                version=version,
                audience=Campaign.Audience.AUTOMATIC,
                trigger=services.INSTRUMENT_TRIGGERS[code],
                opens_on=ctx.start,
                reminder_days=[7, 14],
                status=Campaign.Status.OPEN,
                created_at=local_at(ctx.start, 9),
            )
            self.campaigns[code] = [(campaign, [])]

    def responses(self) -> Iterator[tuple[tuple, list[tuple]]]:
        """(response row, its answer rows) for every response, in random order."""
        ctx = self.ctx
        rng = ctx.rng("surveys")
        left = dict(_counts(ctx))
        if not self.campaigns["program_evaluation"]:
            left["recipient_feedback"] += left.pop("program_evaluation")
        codes = list(left)
        evaluations = self.campaigns["program_evaluation"]
        pick_evaluation = WeightedPick(
            range(len(evaluations)), [sum(d.size for d in ds) for _, ds in evaluations]
        )
        pick_department = [
            WeightedPick(range(len(ds)), [d.size for d in ds]) for _, ds in evaluations
        ]
        pk = self.first_pk
        span = (ctx.end - ctx.start).days
        while any(left.values()):
            code = rng.choices(codes, weights=[left[c] for c in codes])[0]
            left[code] -= 1
            version = self.versions[code]
            department_pk = None
            if code == "program_evaluation":
                index = pick_evaluation.pick(rng)
                campaign, departments = evaluations[index]
                department_pk = departments[pick_department[index].pick(rng)].pk
                day = campaign.opens_on + timedelta(days=rng.randrange(EVALUATION_DAYS + 1))
                answers = _evaluation(rng)
            else:
                campaign = self.campaigns[code][0][0]
                day = ctx.start + timedelta(days=rng.randrange(span + 1))
                answers = demo.AUTOMATIC_ANSWERS[code][1](rng)
            yield self._rows(rng, pk, code, version, campaign, department_pk, day, answers)
            pk += 1

    def _rows(self, rng, pk, code, version, campaign, department_pk, day: date, answers):
        numbers: list[int | None] = []
        answer_rows = []
        for question in self.questions[version.pk]:
            columns: dict[str, Any] = (
                services.answer_columns(question, answers[question.code]) or {}
            )
            value_bool, value_int = columns.get("value_bool"), columns.get("value_int")
            answer_rows.append(
                (pk, question.pk, value_bool, value_int, columns.get("value_text", ""))
            )
            if question.scored:
                numbers.append(int(value_bool) if value_bool is not None else value_int)
        response = (
            pk,
            f"{rng.getrandbits(80):020x}",
            campaign.pk,
            version.pk,
            services.response_department(code, department_pk),
            services.response_month(day),
            services.score_compute(version.scoring, numbers),
        )
        return response, answer_rows


def _evaluation(rng: random.Random) -> dict[str, Any]:
    """A program evaluation answered as in the demo."""
    had = rng.random() < demo.HAD_INTERACTION
    recommend = rng.random() < (0.95 if had else 0.77)
    return {
        "aware_of_program": had or rng.random() < demo.AWARE,
        "had_interaction": had,
        "would_recommend": recommend,
        "culture_improved": demo.likert_answer(rng)
        if recommend
        else demo.likert_answer(rng, (10, 25, 40, 20, 5)),
    }


def seed(ctx: ScaleContext) -> None:
    services.instruments_ensure_builtin()
    surveys = _Surveys(ctx)
    surveys.create_campaigns()
    columns = [
        "id",
        "public_id",
        "campaign_id",
        "version_id",
        "department_id",
        "submitted_on",
        "score",
    ]
    write(ctx, Response, columns, (response for response, _ in surveys.responses()))
    write(
        ctx,
        Answer,
        ["response_id", "question_id", "value_bool", "value_int", "value_text"],
        (row for _, answers in surveys.responses() for row in answers),
    )
    analyze(ctx, [Response._meta.db_table, Answer._meta.db_table])
    services.answer_counts_refresh()
