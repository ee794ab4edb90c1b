"""Reads for coordinators: the referral queue of their sites, its counts, and a referral's
history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMinute
from django.utils import timezone

from post_program.access import roles_for

from ..access import referrals_visible_to
from ..models import (
    Referral,
    ReferralEvent,
    Status,
    Urgency,
)

if TYPE_CHECKING:
    pass


QUEUE_STATUSES = {
    "open": [status.value for status in Status if status != Status.CLOSED],
    **{status.value: [status.value] for status in Status},
    "all": [status.value for status in Status],
}


def referral_queue(
    *,
    user,
    site_id: int | None = None,
    status: str = "open",
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[Referral]:
    """The coordinator's queue: referrals of their sites, urgent first, then by deadline."""
    referrals = (
        referrals_visible_to(user)
        .filter(department__site_id__in=roles_for(user).coordinator_site_ids)
        .filter(status__in=QUEUE_STATUSES.get(status, QUEUE_STATUSES["open"]))
        .select_related("physician", "department__site", "assigned_to__physician")
    )
    if site_id:
        referrals = referrals.filter(department__site_id=site_id)
    if overdue:
        referrals = referrals.overdue(now)
    urgent_first = Q(urgency=Urgency.SAFETY) & ~Q(status=Status.CLOSED)
    return referrals.alias(urgent=urgent_first).order_by("-urgent", "first_contact_due_at", "pk")


def queue_counts(*, user, site_id: int | None = None, now: datetime | None = None) -> dict:
    """How many referrals of the coordinator's sites are in each status, overdue and urgent
    (one query)."""
    referrals = Referral.objects.filter(
        department__site_id__in=roles_for(user).coordinator_site_ids
    )
    if site_id:
        referrals = referrals.filter(department__site_id=site_id)
    now = now or timezone.now()
    is_open = ~Q(status=Status.CLOSED)
    counts = referrals.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status},
        overdue=Count(
            "pk", filter=is_open & Q(first_contact_at__isnull=True, first_contact_due_at__lt=now)
        ),
        urgent=Count("pk", filter=is_open & Q(urgency=Urgency.SAFETY)),
    )
    counts["open"] = sum(counts[status] for status in QUEUE_STATUSES["open"])
    return counts


def referral_history(*, referral: Referral) -> QuerySet[ReferralEvent]:
    """The referral's history in the order things happened. Times typed into a form (an
    outreach attempt, hence the first contact) are to the minute: within one minute, the order
    in which the steps were recorded (an acceptance at 10:00:35 came before the contact of the
    attempt entered as 10:00)."""
    return referral.events.select_related("actor", "supporter__physician").order_by(
        TruncMinute("at"), "pk"
    )
