"""A small program around the cast for the dashboard, export and format tests.

Period of interest: 2020 (departments A, B and C all launched on 2020-01-01, the factory's
default). Department A (the lead's) has 14 physicians, B 4, C 22; in 2020 A had 3 successful
interactions, B 1 and C 12. A's and B's counts are small enough to be suppressed at the
default threshold of 11, C's are not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reporting.models import PrismDomain, PrismTag
from tests.factories import PhysicianFactory
from tests.surveys.factories import builtin_instruments, make_response, version_of
from tests.training.factories import TrainingCompletionFactory

from .factories import PrismNoteFactory, make_interaction, make_referral

PERIOD = {"period": "custom", "start": "2020-01-01", "end": "2020-12-31"}


@pytest.fixture
def program(cast):
    builtin_instruments()
    a, b, c = cast.department_a, cast.department_b, cast.department_c
    for department, count in ((a, 12), (b, 3), (c, 22)):
        PhysicianFactory.create_batch(count, department=department)
    for physician, on in (
        (cast.supporter_a_profile.physician, "2020-02-01"),
        (cast.supporter_b_profile.physician, "2020-03-01"),
        (PhysicianFactory(department=c), "2019-05-01"),
    ):
        TrainingCompletionFactory(physician=physician, completed_on=date.fromisoformat(on))
    for day, department, source, outcome in (
        (3, a, "self", "supported"),
        (4, a, "self", "declined"),
        (5, a, "event", None),
        (6, b, "third_party", "supported"),
        (7, c, "self", "supported"),
        (8, c, "third_party", "unreachable"),
    ):
        received = datetime(2020, 5, day, 9, 0, tzinfo=UTC)
        make_referral(
            department,
            received,
            source,
            contact_hours=day,
            outcome=outcome,
            supporter=cast.supporter_a_profile,
        )
    # Interactions in 2020: A 3 (two self, one proactive), B 1, C 12 (all third party).
    supporter = cast.supporter_a_profile
    for department, sources in ((a, ["self", "self", "proactive"]), (b, ["self"])):
        physicians = department.physicians.order_by("pk")
        for index, source in enumerate(sources):
            make_interaction(
                department=department,
                supporter=supporter,
                physician=physicians[index],
                occurred_on=date(2020, 6, 1 + index),
                duration_minutes=40 + 10 * index,
                source=source,
            )
    for index, physician in enumerate(c.physicians.order_by("pk")[:12]):
        make_interaction(
            department=c,
            supporter=cast.supporter_b_profile,
            physician=physician,
            occurred_on=date(2020, 10, 1 + index),
            duration_minutes=60,
            source="third_party",
        )
    evaluation = version_of("program_evaluation")
    for department, yes, no in ((a, 5, 3), (b, 2, 1), (c, 9, 4)):
        for answer in [True] * yes + [False] * no:
            make_response(
                None,
                department,
                {"had_interaction": answer, "would_recommend": True},
                submitted_on=date(2020, 9, 1),
                version=evaluation,
            )
    PrismNoteFactory(
        domain=PrismDomain.EXTERNAL_ENVIRONMENT,
        tag=PrismTag.BARRIER,
        noted_on=date(2020, 4, 1),
        text="Pandemic surge strained every department.",
    )
    PrismNoteFactory(
        department=a, tag=PrismTag.FACILITATOR, noted_on=date(2020, 6, 1), text="Chief endorsed."
    )
    PrismNoteFactory(
        department=b, tag=PrismTag.CONTEXT, noted_on=date(2020, 7, 1), text="South reorganised."
    )
    return cast
