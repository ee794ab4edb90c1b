"""Upgrading to planned invitations loses none: the data migrations plan the recipient feedback
and training evaluations that the old periodic query would still have sent."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from freezegun import freeze_time

from surveys.models import PlannedInvitation
from tests.interactions.factories import referral_in_status, trained
from training import services as training_services

pytestmark = pytest.mark.django_db


def _migration(name: str):
    return importlib.import_module(name)


def test_recent_supported_cases_get_their_feedback_planned_once(cast, settings):
    settings.RECIPIENT_FEEDBACK_DELAY_DAYS = 3
    settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS = 14
    trained(cast.supporter_a_profile)
    now = timezone.now()
    cases = {}
    for label, days_ago in (("recent", 2), ("inside the window", 15), ("too old", 30)):
        with freeze_time(now - timedelta(days=days_ago)):
            cases[label] = referral_in_status(
                "closed", supporter=cast.supporter_a_profile, department=cast.department_a
            )
    PlannedInvitation.objects.all().delete()  # as before the upgrade: nothing planned

    plan = _migration("interactions.migrations.0003_plan_recent_feedback").plan_recent
    plan(apps, None)
    plan(apps, None)

    planned = {p.source_key: p.due_at for p in PlannedInvitation.objects.all()}
    assert planned == {
        f"referral:{cases[label].pk}": cases[label].closed_at + timedelta(days=3)
        for label in ("recent", "inside the window")
    }


def test_recent_completions_get_their_evaluation_planned_unless_imported(cast, settings):
    settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS = 14
    made = {}
    physicians = iter(
        [
            cast.supporter_a_profile.physician,
            cast.supporter_b_profile.physician,
            cast.physician_profile,
        ]
    )
    for source, days_ago in (("manual", 1), ("import", 1), ("session", 20)):
        with freeze_time(timezone.now() - timedelta(days=days_ago)):
            made[source] = training_services.completion_create(
                actor=cast.director,
                physician=next(physicians),
                course="refresher",
                completed_on=timezone.localdate(),
                source=source,
            )
    PlannedInvitation.objects.all().delete()

    _migration("training.migrations.0002_plan_recent_evaluations").plan_recent(apps, None)

    assert list(PlannedInvitation.objects.values_list("source_key", flat=True)) == [
        f"training_completion:{made['manual'].pk}"
    ]
