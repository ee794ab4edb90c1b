"""Demo surveys, shaped like the published reference program.

- Program evaluation of the five longest-running departments, closed six weeks ago: about 45%
  answer, about 85% would recommend the program, about 48% had an interaction with a supporter.
- A WHO-5 round across every adopting department, closed half a year ago (mean index in the
  mid-fifties, as reported for physicians).
- Recipient feedback for every case closed as supported, and training evaluations for every
  initial course, mostly positive: automatic campaigns that the interactions and training
  demos fill through `automatic_seed`, since they know the cases and courses.
- A WHO-5 round scheduled to open next week.

Responses are written with `services.responses_record` (checked, scored, in bulk); invitations
are marked sent without emails, because the demo sends none and nobody holds their links.
Deterministic: a generator seeded from the demo's own, and dates counted from `ctx.today`.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from post_program.demo import DemoContext
from post_program.models import Physician

from . import services
from .models import Campaign, Instrument, Invitation, PlannedInvitation
from .services import ResponseRow

EVALUATED_DEPARTMENTS = 5
RESPONSE_RATE = 0.45
WOULD_RECOMMEND = 0.85
HAD_INTERACTION = 0.485
AWARE = 0.9


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def likert_answer(rng: random.Random, weights=(3, 5, 12, 40, 40)) -> int:
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def _version(code: str):
    return Instrument.objects.get(code=code).current_version


def _campaign(ctx: DemoContext, *, code: str, name: str, departments, opens_on, closes_on):
    campaign = Campaign.objects.create(
        name=name,
        version=_version(code),
        audience=Campaign.Audience.DEPARTMENTS,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=[7, 14],
        status=Campaign.Status.CLOSED if closes_on < ctx.today else Campaign.Status.SCHEDULED,
        created_by=ctx.director,
        created_at=_at(opens_on - timedelta(days=7)),
    )
    campaign.departments.set(departments)
    return campaign


def _invite(campaign: Campaign, physicians, answered: set[int], *, sent_on: date, expires_on):
    Invitation.objects.bulk_create(
        [
            Invitation(
                campaign=campaign,
                physician_id=physician.pk,
                department_id=physician.department_id,
                used=physician.pk in answered,
                expires_on=expires_on,
                source_key=key,
                sent_at=_at(sent_on),
                reminders_sent=0 if physician.pk in answered else len(campaign.reminder_days),
                created_at=_at(sent_on),
            )
            for physician, key in physicians
        ],
        batch_size=1000,
    )


def _public_id(rng: random.Random) -> str:
    """An opaque response id like the app's own, drawn from the demo's seed."""
    return f"{rng.getrandbits(80):020x}"


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _program_evaluation(ctx: DemoContext, rng: random.Random) -> None:
    departments = ctx.adopters[:EVALUATED_DEPARTMENTS]
    opens_on = ctx.today - timedelta(days=75)
    closes_on = ctx.today - timedelta(days=45)
    campaign = _campaign(
        ctx,
        code="program_evaluation",
        name="Program evaluation, active departments",
        departments=departments,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    physicians = list(
        Physician.objects.employed_on(opens_on)
        .filter(department__in=departments)
        .exclude(email="")
        .order_by("physician_id")
    )
    answered = [p for p in physicians if rng.random() < RESPONSE_RATE]
    _invite(
        campaign,
        [(p, "") for p in physicians],
        {p.pk for p in answered},
        sent_on=opens_on,
        expires_on=closes_on,
    )
    rows = []
    for physician in answered:
        had = rng.random() < HAD_INTERACTION
        recommend = rng.random() < (0.95 if had else 0.77)
        rows.append(
            ResponseRow(
                public_id=_public_id(rng),
                department_id=physician.department_id,
                submitted_on=_day_between(rng, opens_on, closes_on),
                answers={
                    "aware_of_program": had or rng.random() < AWARE,
                    "had_interaction": had,
                    "would_recommend": recommend,
                    "culture_improved": likert_answer(rng)
                    if recommend
                    else likert_answer(rng, (10, 25, 40, 20, 5)),
                },
            )
        )
    services.responses_record(
        actor=ctx.director, version=campaign.version, campaign=campaign, rows=rows
    )


def _who5_answers(rng: random.Random) -> dict[str, int]:
    """Five items around a person's own level, so indices spread like a real sample."""
    level = min(5.0, max(0.0, rng.gauss(2.85, 1.0)))
    return {f"who5_{n}": min(5, max(0, round(level + rng.gauss(0, 0.7)))) for n in range(1, 6)}


def _wellbeing(ctx: DemoContext, rng: random.Random) -> None:
    opens_on = ctx.today - timedelta(days=190)
    closes_on = ctx.today - timedelta(days=165)
    departments = [d for d in ctx.adopters if d.is_adopted_on(opens_on)]
    campaign = _campaign(
        ctx,
        code="wellbeing",
        name="Well-being check (WHO-5)",
        departments=departments,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    physicians = list(
        Physician.objects.employed_on(opens_on)
        .filter(department__in=departments)
        .exclude(email="")
        .order_by("physician_id")
    )
    answered = [p for p in physicians if rng.random() < 0.38]
    _invite(
        campaign,
        [(p, "") for p in physicians],
        {p.pk for p in answered},
        sent_on=opens_on,
        expires_on=closes_on,
    )
    rows = [
        ResponseRow(
            public_id=_public_id(rng),
            department_id=p.department_id,
            submitted_on=_day_between(rng, opens_on, closes_on),
            answers=_who5_answers(rng),
        )
        for p in answered
    ]
    services.responses_record(
        actor=ctx.director, version=campaign.version, campaign=campaign, rows=rows
    )
    # The next round, opening next week.
    _campaign(
        ctx,
        code="wellbeing",
        name="Well-being check (WHO-5), next round",
        departments=ctx.adopters,
        opens_on=ctx.today + timedelta(days=7),
        closes_on=ctx.today + timedelta(days=35),
    )


def _automatic(
    ctx: DemoContext,
    rng: random.Random,
    *,
    trigger: str,
    events: list[tuple[str, Physician, date]],
    rate: float,
    answers,
) -> None:
    """An automatic campaign holding one invitation per past event, as the job makes them."""
    if not events:
        return
    version = _version(services.TRIGGER_INSTRUMENTS[trigger])
    first = min(day for _, _, day in events)
    campaign = Campaign.objects.create(
        name=f"{version.instrument.name} (automatic, from {first:%Y-%m-%d})",
        version=version,
        audience=Campaign.Audience.AUTOMATIC,
        trigger=trigger,
        opens_on=first,
        reminder_days=[7, 14],
        status=Campaign.Status.OPEN,
        created_at=_at(first),
    )
    rows, invitations = [], []
    for key, physician, day in events:
        expires_on = day + timedelta(days=30)
        responded = expires_on < ctx.today and rng.random() < rate
        invitations.append(
            Invitation(
                campaign=campaign,
                physician_id=physician.pk,
                department_id=physician.department_id,
                used=responded,
                expires_on=expires_on,
                source_key=key,
                sent_at=_at(day),
                reminders_sent=0 if responded else 2,
                created_at=_at(day),
            )
        )
        if responded:
            rows.append(
                ResponseRow(
                    public_id=_public_id(rng),
                    department_id=physician.department_id,
                    submitted_on=min(ctx.today, day + timedelta(days=rng.randrange(0, 10))),
                    answers=answers(rng),
                )
            )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    services.responses_record(actor=None, version=version, campaign=campaign, rows=rows)


def _recipient_feedback(rng: random.Random) -> dict:
    helped = rng.random() < 0.88
    weights = (1, 3, 8, 40, 48) if helped else (10, 25, 35, 20, 10)
    answers = {
        code: likert_answer(rng, weights)
        for code in (
            "helpful",
            "wellbeing_improved",
            "negative_emotions_decreased",
            "stigma_decreased",
            "comfortable_discussing",
            "culture_improved",
        )
    }
    answers["would_recommend"] = rng.random() < (0.96 if helped else 0.5)
    return answers


def _training_evaluation(rng: random.Random) -> dict:
    return {
        code: likert_answer(rng, (1, 2, 7, 45, 45))
        for code in ("training_useful", "culture_shift", "confidence")
    }


def seed(ctx: DemoContext) -> None:
    rng = random.Random(f"surveys:{ctx.rng.getstate()!r}")
    services.instruments_ensure_builtin()
    _program_evaluation(ctx, rng)
    _wellbeing(ctx, rng)


# How the demo answers the surveys other apps ask for: response rate and answers.
AUTOMATIC_ANSWERS = {
    "recipient_feedback": (0.6, _recipient_feedback),
    "supporter_training": (0.7, _training_evaluation),
}


def automatic_seed(
    ctx: DemoContext, *, instrument: str, events: list[tuple[str, Physician, date]]
) -> None:
    """For the demos of the apps that ask for surveys: the automatic campaign of `instrument`
    with one invitation per past event (source key, physician, the day it went out), as the
    job would have made them, and their answers. Plans for those events are fulfilled."""
    services.instruments_ensure_builtin()
    rate, answers = AUTOMATIC_ANSWERS[instrument]
    rng = random.Random(f"surveys:{instrument}:{ctx.rng.getstate()!r}")
    _automatic(
        ctx,
        rng,
        trigger=services.INSTRUMENT_TRIGGERS[instrument],
        events=[event for event in events if event[1].email],
        rate=rate,
        answers=answers,
    )
    PlannedInvitation.objects.filter(source_key__in=[key for key, _, _ in events]).delete()
