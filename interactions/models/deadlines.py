"""Deadlines on referrals, kept as rows that a periodic job processes when they fall due."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .referrals import Assignment, Referral, _in


class ReminderKind(models.TextChoices):
    ACCEPT_DUE = "accept_due", _("Acceptance deadline")
    CONTACT_REMINDER = "contact_reminder", _("Reminder before the first-contact deadline")
    CONTACT_OVERDUE = "contact_overdue", _("First-contact deadline")


class Reminder(models.Model):
    """A deadline to check at `due_at` (a periodic job processes the due ones). A database row
    rather than a long Celery countdown, so it survives restarts and can be inspected."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reminders")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    due_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing did: "sent", "returned", or "skipped" when nothing was due any more.
    result = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", ReminderKind), name="reminder_kind"),
            models.CheckConstraint(
                condition=Q(kind=ReminderKind.CONTACT_OVERDUE, assignment__isnull=True)
                | (~Q(kind=ReminderKind.CONTACT_OVERDUE) & Q(assignment__isnull=False)),
                name="reminder_assignment_by_kind",
            ),
            models.UniqueConstraint(
                fields=["assignment", "kind"],
                condition=Q(assignment__isnull=False),
                name="reminder_once_per_assignment",
            ),
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=Q(assignment__isnull=True),
                name="reminder_once_per_referral",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(processed_at__isnull=True), name="reminder_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.referral_id} due {self.due_at:%Y-%m-%d %H:%M}"
