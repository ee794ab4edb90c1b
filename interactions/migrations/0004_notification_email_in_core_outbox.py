"""Notifications keep the record of who was told what; their emails move to the core outbox.

Every notification gets an OutboxEmail row carrying its delivery state (sent_at, attempts,
last error). A pending one is composed now, as the sender would have composed it; a sent one
keeps no body (the outbox erases bodies once sent).
"""

import django.db.models.deletion
from django.db import migrations, models


def move_to_core_outbox(apps, schema_editor):
    from interactions.services.notifications import SUBJECTS, notification_message

    Notification = apps.get_model("interactions", "Notification")
    OutboxEmail = apps.get_model("post_program", "OutboxEmail")
    for notification in Notification.objects.filter(email__isnull=True).iterator():
        if notification.sent_at is None:
            subject, body = notification_message(notification)
        else:
            subject, body = f"POST: {SUBJECTS[notification.kind]}", ""
        notification.email = OutboxEmail.objects.create(
            kind=f"interactions.{notification.kind}",
            to_email=notification.to_email,
            subject=subject,
            body=body,
            created_at=notification.created_at,
            next_attempt_at=notification.created_at,
            sent_at=notification.sent_at,
            attempts=notification.attempts,
            last_error=notification.last_error,
        )
        notification.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0003_plan_recent_feedback"),
        ("post_program", "0006_outbox_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="email",
            field=models.OneToOneField(
                blank=True,
                help_text="The outbox row that sends it (its delivery state is there).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="notification",
                to="post_program.outboxemail",
            ),
        ),
        migrations.RunPython(move_to_core_outbox, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="notification", name="notification_pending"),
        migrations.RemoveField(model_name="notification", name="attempts"),
        migrations.RemoveField(model_name="notification", name="last_error"),
        migrations.RemoveField(model_name="notification", name="sent_at"),
    ]
