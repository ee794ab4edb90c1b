"""What every transition of a referral shares: its errors, its clock (`at`, default now, and
that time's local day), the locked row and the version check, the history event and audit row
it records, and the return to the queue."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from post_program.models import PeerSupporter, User
from post_program.services import audit_record

from ..models import Referral, ReferralEvent, Status


class ReferralError(Exception):
    """A transition that cannot happen; the message is fit to show to the user."""


class ReferralChanged(ReferralError):
    """The referral changed since the user looked at it (another coordinator was quicker)."""


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def _event_row(
    referral: Referral,
    kind: str,
    *,
    actor: User | None,
    at: datetime,
    from_status: str = "",
    supporter: PeerSupporter | None = None,
    submission_key: uuid.UUID | None = None,
    **detail,
) -> ReferralEvent:
    """A history event, not saved yet (`_event` saves one; several go in one bulk_create)."""
    return ReferralEvent(
        referral=referral,
        kind=kind,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=at,
        from_status=from_status,
        to_status=referral.status,
        supporter=supporter,
        submission_key=submission_key,
        detail=detail,
    )


def _event(referral: Referral, kind: str, **fields: Any) -> ReferralEvent:
    event = _event_row(referral, kind, **fields)
    event.save()
    return event


def _audit(actor: User | None, action: str, referral: Referral, **detail) -> None:
    audit_record(
        actor=actor, action=action, obj=referral, referral_id=referral.referral_id, **detail
    )


def _lock(referral: Referral | int) -> Referral:
    """The referral's row, locked until the end of the transaction, as it is now."""
    pk = referral.pk if isinstance(referral, Referral) else referral
    return Referral.objects.select_for_update().select_related("department").get(pk=pk)


def _check_version(referral: Referral, expected_version: int | None) -> None:
    if expected_version is not None and referral.version != expected_version:
        raise ReferralChanged(
            gettext(
                "This referral changed while you were looking at it (someone else acted on it). "
                "Here is what it looks like now."
            )
        )


def _back_to_queue(referral: Referral) -> str:
    from_status = referral.status
    referral.status = Status.NEW
    referral.assigned_to = None
    referral.assigned_at = None
    referral.accepted_at = None
    referral.version += 1
    referral.save(update_fields=["status", "assigned_to", "assigned_at", "accepted_at", "version"])
    return from_status


def _local_day(at: datetime) -> date:
    return timezone.localdate(at)
