"""Paging for urgent referrals: who was paged, how, and who acknowledged.

An urgent referral opens an `UrgentAlert`. Each round of paging writes one `Page` per person
paged: round 1 the first person on call at the referral's site, round 2 the next one, then all
the site's coordinators, every `URGENT_ACK_MINUTES` until someone acknowledges. A page goes out
through a channel (`PagingChannel`): an email through the core outbox, or a signed HTTPS POST
to the hospital's paging gateway, whose delivery state (attempts, back-off, last error) is kept
on the page itself; a webhook that keeps failing hands the page to the next channel.

Every page carries a reply link whose token is stored only as a digest, so a copy of the
database acknowledges nothing. Nothing here holds a name or a detail of the case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from post_program.tokens import token_digest

from .referrals import PageTarget, Referral, _in


class UrgentAlertQuerySet(models.QuerySet["UrgentAlert"]):
    def with_pages(self) -> UrgentAlertQuerySet:
        """With who acknowledged, and each page with whom it went to (two queries)."""
        pages = Page.objects.select_related("recipient").order_by("created_at", "pk")
        return self.select_related("acknowledged_by").prefetch_related(
            models.Prefetch("pages", queryset=pages)
        )


class UrgentAlert(models.Model):
    """The paging of one urgent referral: how far it went (`round`, the `target` of the last
    round) and when the next round is due (`next_page_at`), until someone acknowledges it or
    the referral closes first (`ended_at`)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="urgent_alert")
    opened_at = models.DateTimeField(default=timezone.now)
    round = models.PositiveSmallIntegerField(default=0)
    target = models.CharField(max_length=12, choices=PageTarget.choices, blank=True)
    next_page_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = UrgentAlertQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(target="") | _in("target", PageTarget), name="urgent_alert_target"
            ),
            # Acknowledged or ended: no further round is due.
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True, ended_at__isnull=True)
                | Q(next_page_at__isnull=True),
                name="urgent_alert_done_pages_no_more",
            ),
        ]

    def __str__(self) -> str:
        return f"Urgent alert of referral {self.referral_id}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.ended_at is None


class PagingChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Paging gateway (webhook)")


class PageQuerySet(models.QuerySet["Page"]):
    def for_token(self, token: str) -> PageQuerySet:
        """The page whose reply link holds `token`, with its alert and referral."""
        return self.select_related("alert__referral", "recipient").filter(
            token_digest=token_digest(token)
        )


class Page(models.Model):
    """One person paged in one round, through one channel.

    An email page is handed to the outbox at once (`sent_at`; `notification` is its record).
    A webhook page waits for the gateway: it is tried at `next_attempt_at`, claimed by one
    worker at a time (`claimed_at`), and either delivered (`sent_at`) or given up after its
    attempts (`failed_at`), when a page through the next channel follows. `payload` holds the
    signed body (with the reply link) until then, and is emptied after.
    """

    alert = models.ForeignKey(UrgentAlert, on_delete=models.CASCADE, related_name="pages")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    round = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=12, choices=PageTarget.choices)
    channel = models.CharField(max_length=8, choices=PagingChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    notification = models.OneToOneField(
        "interactions.Notification",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Webhook delivery.
    payload = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=100, blank=True)

    objects = PageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_in("target", PageTarget), name="page_target"),
            models.CheckConstraint(condition=_in("channel", PagingChannel), name="page_channel"),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(failed_at__isnull=True),
                name="page_sent_or_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"Page {self.pk} of alert {self.alert_id} (round {self.round})"
