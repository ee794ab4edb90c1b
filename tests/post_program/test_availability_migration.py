"""Moving "away until" to periods away: a day still to come becomes a period from the day of
the migration to it, a day gone by is dropped; going back keeps the current period's end."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("post_program", "0007_program_settings")]
AFTER = [("post_program", "0008_supporter_availability")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _supporter(apps, n: int, away_until: date | None):
    Site = apps.get_model("post_program", "Site")
    Department = apps.get_model("post_program", "Department")
    Physician = apps.get_model("post_program", "Physician")
    PeerSupporter = apps.get_model("post_program", "PeerSupporter")
    site, _ = Site.objects.get_or_create(name="North")
    department, _ = Department.objects.get_or_create(site=site, name="Emergency")
    physician = Physician.objects.create(physician_id=f"M{n}", department=department)
    return PeerSupporter.objects.create(physician=physician, away_until=away_until)


@pytest.mark.django_db(transaction=True)
def test_away_until_becomes_a_period_from_the_migration_day():
    today = timezone.localdate()
    apps = _migrate(BEFORE)
    away = _supporter(apps, 1, today + timedelta(days=6))
    last_day = _supporter(apps, 2, today)
    back = _supporter(apps, 3, today - timedelta(days=1))
    never = _supporter(apps, 4, None)
    try:
        apps = _migrate(AFTER)
        AwayPeriod = apps.get_model("post_program", "AwayPeriod")
        periods = set(AwayPeriod.objects.values_list("supporter_id", "starts_on", "ends_on"))
        assert periods == {
            (away.pk, today, today + timedelta(days=6)),
            (last_day.pk, today, today),
        }
        AwayPeriod.objects.create(
            supporter_id=never.pk,
            starts_on=today + timedelta(days=10),
            ends_on=today + timedelta(days=12),
        )
        apps = _migrate(BEFORE)
        PeerSupporter = apps.get_model("post_program", "PeerSupporter")
        assert dict(PeerSupporter.objects.values_list("pk", "away_until")) == {
            away.pk: today + timedelta(days=6),
            last_day.pk: today,
            back.pk: None,
            never.pk: None,  # a period still to come has no "away until" to keep
        }
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
