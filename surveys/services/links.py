"""Survey links: single-use tokens, stored only as hashes, and why a link cannot be answered."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.utils import timezone

from ..models import (
    Invitation,
)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_new() -> tuple[str, str]:
    """A fresh single-use link token and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


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
    if invitation.used:
        raise LinkUsed
    today = today or timezone.localdate()
    if invitation.expires_on < today or not invitation.campaign.accepts_answers_on(today):
        raise LinkExpired
    return invitation
