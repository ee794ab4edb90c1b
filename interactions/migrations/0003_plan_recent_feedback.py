"""Cases closed as supported before the survey engine took plans found their recipient feedback
survey by a periodic query. Plan an invitation for those whose survey is still to come or still
inside the look-back window, so that no case closed just before this upgrade goes uninvited."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def plan_recent(apps, schema_editor):
    Referral = apps.get_model("interactions", "Referral")
    Invitation = apps.get_model("surveys", "Invitation")
    PlannedInvitation = apps.get_model("surveys", "PlannedInvitation")
    delay = timedelta(days=settings.RECIPIENT_FEEDBACK_DELAY_DAYS)
    since = timezone.now() - delay - timedelta(days=settings.SURVEY_AUTOMATIC_LOOKBACK_DAYS)
    recent = Referral.objects.filter(
        outcome="supported", closed_at__gt=since, physician__isnull=False
    ).values_list("pk", "physician_id", "closed_at")
    invited = set(
        Invitation.objects.filter(source_key__startswith="referral:").values_list(
            "source_key", flat=True
        )
    )
    PlannedInvitation.objects.bulk_create(
        [
            PlannedInvitation(
                trigger="recipient_feedback",
                physician_id=physician_id,
                due_at=closed_at + delay,
                source_key=f"referral:{pk}",
            )
            for pk, physician_id, closed_at in recent
            if f"referral:{pk}" not in invited
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0002_case_work_and_retention"),
        ("surveys", "0003_planned_invitations"),
    ]

    operations = [migrations.RunPython(plan_recent, migrations.RunPython.noop)]
