"""Notifications: the record of who was told what about a referral; the email itself is a row
of the core outbox (post_program.models.OutboxEmail)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .referrals import Referral, _in


class NotificationKind(models.TextChoices):
    NEW_REFERRAL = "new_referral", _("New referral")
    URGENT = "urgent", _("Urgent referral")
    ASSIGNED = "assigned", _("Referral assigned to you")
    RETURNED = "returned", _("Referral back in the queue")
    REMINDER = "reminder", _("First contact due soon")
    OVERDUE = "overdue", _("First contact overdue")
    DEBRIEF = "debrief", _("A supporter asked for a debrief")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def pending(self) -> NotificationQuerySet:
        """Notifications whose email has not gone yet."""
        return self.filter(email__sent_at__isnull=True)


class Notification(models.Model):
    """Who was told what kind of thing happened to a referral, written in the same transaction
    as the change with its email in the core outbox (`email`), which sends it. The email links
    to the referral; it never holds names or details."""

    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    to_email = models.EmailField(help_text=_("Used when the recipient has no account yet."))
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    email = models.OneToOneField(
        "post_program.OutboxEmail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        help_text=_("The outbox row that sends it (its delivery state is there)."),
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_in("kind", NotificationKind), name="notification_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
