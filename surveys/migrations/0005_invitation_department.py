"""Invitations keep their recipient's department, and can forget the recipient.

Retention empties `physician` (and `source_key`) of an invitation sent because of a case it
de-identifies; response rates are then counted on `department`, which is filled here from the
recipient of every existing invitation.
"""

import django.db.models.deletion
from django.db import migrations, models


def fill_department(apps, schema_editor):
    Invitation = apps.get_model("surveys", "Invitation")
    Physician = apps.get_model("post_program", "Physician")
    for department_id in Physician.objects.values_list("department_id", flat=True).distinct():
        Invitation.objects.filter(physician__department_id=department_id).update(
            department_id=department_id
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0004_pending_responses_and_month_dates")]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="department",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="post_program.department",
            ),
        ),
        migrations.RunPython(fill_department, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="invitation",
            name="department",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="post_program.department",
            ),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="physician",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty once retention de-identified the event behind it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="survey_invitations",
                to="post_program.physician",
            ),
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("physician__isnull", False),
                    models.Q(("next_reminder_at__isnull", True), ("source_key", "")),
                    _connector="OR",
                ),
                name="invitation_forgotten_is_inert",
            ),
        ),
    ]
