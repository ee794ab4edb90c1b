"""PRISM context notes for the demo program, so the report shows context beside its numbers.

Program-wide notes for every PRISM domain over the three years, and a few notes per adopting
department (the demo lead writes those of their own department). Dated from `ctx.today`; the
dice are a private generator seeded from the state of `ctx.rng` without drawing from it.
"""

from __future__ import annotations

import random
from datetime import timedelta

from post_program.demo import DemoContext

from . import services
from .models import PrismDomain, PrismTag

PROGRAM_NOTES = [
    (
        PrismDomain.INTERVENTION_ORGANISATIONAL,
        PrismTag.FACILITATOR,
        "Executive sponsor named; peer support included in the wellness strategy.",
    ),
    (
        PrismDomain.INTERVENTION_RECIPIENT,
        PrismTag.BARRIER,
        "Physicians worried that talking to a peer could reach their licensing board.",
    ),
    (
        PrismDomain.RECIPIENTS_ORGANISATIONAL,
        PrismTag.CONTEXT,
        "Two hospitals with different intake routines; one shared coordinator team.",
    ),
    (
        PrismDomain.RECIPIENTS_INDIVIDUAL,
        PrismTag.BARRIER,
        "Early-career physicians less aware of the program than senior staff.",
    ),
    (
        PrismDomain.INFRASTRUCTURE,
        PrismTag.FACILITATOR,
        "Referral form moved online; first contact now tracked against a 24-hour deadline.",
    ),
    (
        PrismDomain.EXTERNAL_ENVIRONMENT,
        PrismTag.BARRIER,
        "Pandemic surge: elective work paused, redeployment across departments.",
    ),
    (
        PrismDomain.EXTERNAL_ENVIRONMENT,
        PrismTag.CONTEXT,
        "State legislation protecting peer support conversations passed.",
    ),
    (
        PrismDomain.INFRASTRUCTURE,
        PrismTag.BARRIER,
        "Refresher sessions hard to schedule around night rotations.",
    ),
]
DEPARTMENT_NOTES = [
    (
        PrismDomain.INTERVENTION_ORGANISATIONAL,
        PrismTag.FACILITATOR,
        "Chief announced the program at grand rounds.",
    ),
    (PrismDomain.RECIPIENTS_ORGANISATIONAL, PrismTag.BARRIER, "High turnover of locum physicians."),
    (PrismDomain.INFRASTRUCTURE, PrismTag.FACILITATOR, "Supporter rota posted in the staff room."),
    (
        PrismDomain.INTERVENTION_RECIPIENT,
        PrismTag.CONTEXT,
        "Event-triggered outreach after two serious incidents.",
    ),
]


def seed(ctx: DemoContext) -> None:
    director = ctx.director
    assert director is not None, "the core's seed creates the director first"
    rng = random.Random(f"reporting:{ctx.rng.getstate()!r}")
    span = (ctx.today - ctx.program_start).days
    for index, (domain, tag, text) in enumerate(PROGRAM_NOTES):
        offset = span * index // len(PROGRAM_NOTES) + rng.randrange(0, 30)
        services.prism_note_create(
            actor=director,
            domain=domain,
            tag=tag,
            noted_on=min(ctx.program_start + timedelta(days=offset), ctx.today),
            text=text,
        )
    lead = ctx.accounts.get("lead")
    for rank, department in enumerate(ctx.adopters):
        for domain, tag, text in rng.sample(DEPARTMENT_NOTES, 2 if rank else len(DEPARTMENT_NOTES)):
            launched_on = department.launched_on
            assert launched_on is not None, "adopting departments have launched"
            days = max((ctx.today - launched_on).days, 1)
            services.prism_note_create(
                actor=lead if rank == 0 and lead is not None else director,
                domain=domain,
                tag=tag,
                noted_on=launched_on + timedelta(days=rng.randrange(0, days)),
                text=text,
                department=department,
            )
