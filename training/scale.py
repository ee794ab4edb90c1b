"""The training history behind the peer supporters of the program at scale.

Every supporter completed the initial course shortly before their activation, and most renewed
it with a refresher before it lapsed (REFRESHER_MONTHS); some let it lapse. Completions are
written as imported history (no session, no evaluation invited); the day each lapse began goes
into the context, so that the case work drawn later is by supporters whose training is current.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from post_program.scale import ScaleContext, analyze, local_at, next_pk, write

from . import services
from .demo import INITIAL_TOPICS, REFRESHER_TOPICS
from .models import CourseKind, TrainingCompletion
from .selectors import current_until, refresher_months

LAPSE_SHARE = 0.12  # of the supporters due a refresher, those who let it lapse


def seed(ctx: ScaleContext) -> None:
    rng = ctx.rng("training")
    director = ctx.accounts["director"]
    services.course_create(
        actor=director,
        name="Peer supporter initial training",
        kind=CourseKind.INITIAL,
        hours=Decimal("8"),
        topics=INITIAL_TOPICS,
    )
    services.course_create(
        actor=director,
        name="Peer supporter refresher",
        kind=CourseKind.REFRESHER,
        hours=Decimal("3"),
        topics=REFRESHER_TOPICS,
    )

    first_pk = next_pk(TrainingCompletion)
    months = refresher_months()  # read now: the rows are drawn while the COPY runs

    def rows():
        pk = first_pk
        for index, supporter in enumerate(ctx.supporters):
            physician_pk = ctx.physician_first_pk + supporter.physician_index
            completed_on = supporter.activated_on - timedelta(days=rng.randrange(7, 45))
            course = CourseKind.INITIAL.value
            while True:
                yield (
                    pk,
                    physician_pk,
                    course,
                    completed_on,
                    TrainingCompletion.Source.IMPORT.value,
                    local_at(completed_on, 17),
                )
                pk += 1
                due = current_until(completed_on, months)
                if due >= ctx.end:
                    break
                if index and rng.random() < LAPSE_SHARE:
                    ctx.training_lapses_on[index] = due + timedelta(days=1)
                    break
                completed_on = due - timedelta(days=rng.randrange(0, 60))
                course = CourseKind.REFRESHER.value

    columns = ["id", "physician_id", "course", "completed_on", "source", "recorded_at"]
    write(ctx, TrainingCompletion, columns, rows())
    analyze(ctx, [TrainingCompletion._meta.db_table])
