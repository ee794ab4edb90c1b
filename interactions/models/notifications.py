"""The outbox: emails written with the change that calls for them and sent by a task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .referrals import Referral, _in


class NotificationKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", "New referral"
    URGENT = "urgent", "Urgent referral"
    ASSIGNED = "assigned", "Referral assigned to you"
    RETURNED = "returned", "Referral back in the queue"
    REMINDER = "reminder", "First contact due soon"
    OVERDUE = "overdue", "First contact overdue"
    DEBRIEF = "debrief", "A supporter asked for a debrief"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def pending(self) -> NotificationQuerySet:
        return self.filter(sent_at__isnull=True)


class Notification(models.Model):
    """The outbox: an email to send, written in the same transaction as the change that calls
    for it and sent by a task. The email says what kind of thing happened and links to it;
    it never holds names or details."""

    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_email = models.EmailField(help_text="Used when the recipient has no account yet.")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=100, blank=True, help_text="The error's type only, never its message."
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", NotificationKind), name="notification_kind_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({'sent' if self.sent_at else 'pending'})"
