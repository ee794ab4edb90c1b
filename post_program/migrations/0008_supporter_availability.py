"""A supporter's availability as a calendar: several periods away instead of one "away until"
day, and a weekly pattern of times they prefer to be contacted.

Each "away until" still to come becomes a period from the day of the migration to that day;
one that has passed meant nothing any more and is left out. Going back keeps the end of the
period that covers the day of going back, if any.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def away_until_to_periods(apps, schema_editor):
    PeerSupporter = apps.get_model("post_program", "PeerSupporter")
    AwayPeriod = apps.get_model("post_program", "AwayPeriod")
    today = timezone.localdate()
    AwayPeriod.objects.bulk_create(
        AwayPeriod(supporter_id=pk, starts_on=today, ends_on=away_until)
        for pk, away_until in PeerSupporter.objects.filter(away_until__gte=today).values_list(
            "pk", "away_until"
        )
    )


def periods_to_away_until(apps, schema_editor):
    PeerSupporter = apps.get_model("post_program", "PeerSupporter")
    AwayPeriod = apps.get_model("post_program", "AwayPeriod")
    today = timezone.localdate()
    for supporter_id, ends_on in AwayPeriod.objects.filter(
        starts_on__lte=today, ends_on__gte=today
    ).values_list("supporter_id", "ends_on"):
        PeerSupporter.objects.filter(pk=supporter_id).update(away_until=ends_on)


class Migration(migrations.Migration):
    dependencies = [("post_program", "0007_program_settings")]

    operations = [
        migrations.CreateModel(
            name="AwayPeriod",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="first day away")),
                ("ends_on", models.DateField(verbose_name="last day away")),
                (
                    "supporter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="away_periods",
                        to="post_program.peersupporter",
                    ),
                ),
            ],
            options={
                "ordering": ["supporter", "starts_on", "pk"],
                "indexes": [
                    models.Index(
                        fields=["supporter", "ends_on"], name="away_period_supporter_ends"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_on__gte", models.F("starts_on"))),
                        name="away_period_ends_after_start",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ContactWindow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ]
                    ),
                ),
                ("starts_at", models.TimeField(verbose_name="from")),
                ("ends_at", models.TimeField(verbose_name="until")),
                (
                    "supporter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contact_windows",
                        to="post_program.peersupporter",
                    ),
                ),
            ],
            options={
                "ordering": ["supporter", "weekday", "starts_at", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                        name="contact_window_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weekday__gte", 0), ("weekday__lte", 6)),
                        name="contact_window_weekday_valid",
                    ),
                ],
            },
        ),
        migrations.RunPython(away_until_to_periods, periods_to_away_until),
        migrations.RemoveField(model_name="peersupporter", name="away_until"),
    ]
