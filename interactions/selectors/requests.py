"""Reads for the people who ask for support: the roster search of the request form, their requests
and what became of them (by account or receipt code), and the supporter directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import (
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from post_program.access import roles_for
from post_program.models import (
    Department,
    PeerSupporter,
    Physician,
)

from ..models import (
    EventKind,
    Referral,
    ReferralEvent,
    RequestReceipt,
    Source,
    Status,
    first_contact_deadline,
    receipt_digest,
)

if TYPE_CHECKING:
    pass


def roster_search(
    *, query: str, exclude: Physician | None = None, on: date | None = None, limit: int = 10
) -> list[Physician]:
    """Current roster entries whose name contains `query` (at least two characters), with
    their department: what the request form shows, and nothing more."""
    query = query.strip()
    if len(query) < 2:
        return []
    physicians = (
        Physician.objects.employed_on(on or timezone.localdate())
        .filter(name__icontains=query)
        .select_related("department__site")
        .only("name", "department__name", "department__site__name")
        .order_by("name", "pk")
    )
    if exclude is not None:
        physicians = physicians.exclude(pk=exclude.pk)
    return list(physicians[:limit])


COLLEAGUE_RECEIVED = gettext_lazy("Received: the peer support team is on it")
COLLEAGUE_HANDLED = gettext_lazy("Handled by the peer support team")


@dataclass(frozen=True)
class MyRequest:
    referral: Referral
    requested_at: datetime
    for_self: bool

    @property
    def progress(self) -> str:
        """What the requester may know.

        Asking for oneself, where the request stands (never how it ended). Asking for a
        colleague, only what this request caused, by its own clock: received, then handled once
        its first-contact deadline has passed. The colleague's case (whether one already
        existed, its stage, supporter or outcome) shows through nothing, so the form cannot be
        used to find out who is in peer support."""
        if not self.for_self:
            if timezone.now() < first_contact_deadline(self.requested_at):
                return str(COLLEAGUE_RECEIVED)
            return str(COLLEAGUE_HANDLED)
        progress: dict[str, str] = {
            Status.NEW: gettext("Received: finding a peer supporter"),
            Status.ASSIGNED: gettext("A peer supporter has been asked"),
            Status.ACCEPTED: gettext("A peer supporter will reach out"),
            Status.CONTACTED: gettext("A peer supporter has been in touch"),
            Status.CLOSED: gettext("Closed"),
        }
        return progress[self.referral.status]


def my_requests(*, user) -> list[MyRequest]:
    """What the user asked for (first, or joining an open referral), newest first."""
    own_physician = roles_for(user).physician
    own_physician_id = own_physician.pk if own_physician else None
    joined = ReferralEvent.objects.filter(
        referral=OuterRef("pk"), kind=EventKind.REQUESTED_AGAIN, actor=user
    )
    referrals = (
        Referral.objects.exclude(source=Source.EVENT)
        .annotate(
            joined_at=Max(
                "events__at",
                filter=Q(events__kind=EventKind.REQUESTED_AGAIN, events__actor=user),
            )
        )
        .filter(Q(referrer=user) | Exists(joined))
        .select_related("physician", "department__site")
    )
    requests = [
        MyRequest(
            referral=referral,
            requested_at=referral.received_at
            if referral.referrer_id == user.pk
            else referral.joined_at,
            for_self=referral.physician_id is not None
            and referral.physician_id == own_physician_id,
        )
        for referral in referrals
    ]
    requests.sort(key=lambda item: item.requested_at, reverse=True)
    return requests


def request_by_receipt(*, code: str) -> MyRequest | None:
    """The request a receipt code was given for, as its (anonymous) requester may follow it:
    what it caused, by its own clock, as for any request for a colleague."""
    receipt = (
        RequestReceipt.objects.filter(digest=receipt_digest(code))
        .select_related("referral__physician", "referral__department__site")
        .first()
    )
    if receipt is None:
        return None
    return MyRequest(referral=receipt.referral, requested_at=receipt.requested_at, for_self=False)


def supporter_directory(*, department_id: int | None = None) -> QuerySet[PeerSupporter]:
    supporters = (
        PeerSupporter.objects.active()
        .select_related("physician__department__site")
        .order_by("physician__name", "pk")
    )
    if department_id:
        supporters = supporters.filter(physician__department_id=department_id)
    return supporters


def directory_departments() -> QuerySet[Department]:
    """Departments that have at least one active supporter."""
    return (
        Department.objects.select_related("site")
        .filter(physicians__supporter__status=PeerSupporter.Status.ACTIVE)
        .distinct()
    )
