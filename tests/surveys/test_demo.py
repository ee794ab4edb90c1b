"""The demo's surveys: every built-in instrument answered, shaped like the reference program."""

from __future__ import annotations

import random
from datetime import date
from statistics import fmean

import pytest
from freezegun import freeze_time

from interactions import demo as interactions_demo
from post_program import demo as core_demo
from surveys import demo, selectors, services
from surveys.models import Campaign, Instrument, Invitation, Response
from training import demo as training_demo

TODAY = date(2022, 5, 31)
PROGRAM = (date(2019, 6, 1), TODAY)


@pytest.fixture
def seeded(db):
    ctx = core_demo.DemoContext(today=TODAY, rng=random.Random(2019))
    core_demo.seed(ctx)
    state = ctx.rng.getstate()
    demo.seed(ctx)
    ctx.surveys_left_the_rng_alone = ctx.rng.getstate() == state
    training_demo.seed(ctx)
    interactions_demo.seed(ctx)
    return ctx


def _proportion(question: str, survey: str = "program_evaluation", **scope) -> float:
    counts = selectors.item_counts(
        survey=survey, question=question, start=PROGRAM[0], end=PROGRAM[1], **scope
    )
    return counts.positive / counts.respondents


def test_demo_surveys_look_like_the_reference_program(seeded):
    assert seeded.surveys_left_the_rng_alone
    for instrument in Instrument.objects.filter(builtin=True):
        assert Response.objects.filter(version__instrument=instrument).count() >= 20, instrument
    assert 0.8 <= _proportion("would_recommend") <= 0.9
    evaluated = [d.pk for d in seeded.adopters[: demo.EVALUATED_DEPARTMENTS]]
    assert 0.4 <= _proportion("had_interaction", department_ids=evaluated) <= 0.57
    indices = selectors.wellbeing_indices(start=PROGRAM[0], end=PROGRAM[1])
    assert 45 <= fmean(indices) <= 70
    assert 0.6 <= _proportion("helpful", survey="recipient_feedback") <= 1
    # Invitations and responses agree, and nothing links one to the other.
    for campaign in Campaign.objects.all():
        assert campaign.invitations.filter(used=True).count() == campaign.responses.count()
    # The demo lead sees unsuppressed results for their department.
    evaluation = Campaign.objects.get(version__instrument__code="program_evaluation")
    results = selectors.campaign_results(evaluation, department_ids={seeded.adopters[0].pk})
    assert results.responded is not None and results.responded >= 11
    # Automatic campaigns hold every past event, so the job sends nothing for them again.
    with freeze_time("2022-05-03 12:00:00"):  # cases closed in late April
        assert services.invitations_create_due() == {
            "recipient_feedback": 0,
            "training_evaluation": 0,
        }
    assert Invitation.objects.filter(source_key__startswith="referral:").exists()
