"""Completions recorded before the survey engine took plans found their evaluation survey by a
periodic query. Plan an invitation for those still inside the look-back window, so that none
recorded just before this upgrade goes uninvited."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def plan_recent(apps, schema_editor):
    TrainingCompletion = apps.get_model("training", "TrainingCompletion")
    Invitation = apps.get_model("surveys", "Invitation")
    PlannedInvitation = apps.get_model("surveys", "PlannedInvitation")
    since = timezone.now() - timedelta(days=settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS)
    recent = TrainingCompletion.objects.filter(
        recorded_at__gt=since, source__in=["session", "manual"]
    )
    invited = set(
        Invitation.objects.filter(source_key__startswith="training_completion:").values_list(
            "source_key", flat=True
        )
    )
    PlannedInvitation.objects.bulk_create(
        [
            PlannedInvitation(
                trigger="training_evaluation",
                physician_id=completion.physician_id,
                due_at=completion.recorded_at,
                source_key=f"training_completion:{completion.pk}",
            )
            for completion in recent
            if f"training_completion:{completion.pk}" not in invited
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        ("surveys", "0003_planned_invitations"),
    ]

    operations = [migrations.RunPython(plan_recent, migrations.RunPython.noop)]
