"""Survey links: single-use tokens, stored only as hashes, and why a link cannot be answered."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ..models import (
    Invitation,
    PendingResponse,
)


def spent_key(invitation_id: int) -> str:
    """The mark a submission leaves for its invitation (`PendingResponse.spent_key`): a keyed
    hash, so a copy of the database alone cannot tell which invitation it belongs to."""
    return salted_hmac("surveys.spent-link", str(invitation_id), algorithm="sha256").hexdigest()


def spent_invitation_ids(invitations: QuerySet[Invitation]) -> set[int]:
    """Those of `invitations` answered but not settled yet (their links no longer work)."""
    keys = set(PendingResponse.objects.values_list("spent_key", flat=True))
    if not keys:
        return set()
    return {pk for pk in invitations.values_list("pk", flat=True) if spent_key(pk) in keys}


class LinkError(Exception):
    """A survey link that cannot be answered; `reason` is "unknown", "used" or "expired"."""

    reason = "unknown"


class LinkUnknown(LinkError):
    reason = "unknown"


class LinkUsed(LinkError):
    reason = "used"


class LinkExpired(LinkError):
    reason = "expired"


def invitation_check(invitation: Invitation | None, *, today: date | None = None) -> Invitation:
    """Raise the right `LinkError` unless the invitation can be answered today."""
    if invitation is None:
        raise LinkUnknown
    if (
        invitation.used
        or PendingResponse.objects.filter(spent_key=spent_key(invitation.pk)).exists()
    ):
        raise LinkUsed
    today = today or timezone.localdate()
    if invitation.expires_on < today or not invitation.campaign.accepts_answers_on(today):
        raise LinkExpired
    return invitation
