"""The outbox: every email the program sends (but survey invitations, which carry links that
must not be stored) is a row written in the same transaction as the change that calls for it,
sent after commit by a worker, retried with back-off and swept again when the broker was down.

Delivery is at least once. Sending a row is three steps, each committed before the next:
claim it (a conditional update, no lock kept), call the mail server, mark it sent. A worker
that dies during the SMTP call leaves a claim that goes stale after CLAIM_TIMEOUT and the row
is sent again: that SMTP call is the only window in which an email can go out twice.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from typing import NamedTuple

from django.db.models import F, Q
from django.utils import timezone

from .jobs import enqueue_on_commit
from .mail import email_compose, email_send
from .models import OutboxEmail

logger = logging.getLogger(__name__)

# A send that failed this many times is left for a person to look at (admin: pending rows).
MAX_SEND_ATTEMPTS = 8
# A claim older than this belongs to a worker that died mid-send: the row may be sent again.
# Well above EMAIL_TIMEOUT and the Celery hard time limit of one send.
CLAIM_TIMEOUT = timedelta(minutes=10)
# A row this old whose on-commit send never ran (broker down, message lost) is swept.
SWEEP_AFTER = timedelta(minutes=1)
SEND_TASK = "post_program.tasks.outbox_send_task"


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failed send: 1, 2, 4 ... minutes, at most 4 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 240))


class Email(NamedTuple):
    """One email to write into the outbox."""

    kind: str
    to: str
    subject: str
    body: str


def outbox_write_many(emails: Iterable[Email]) -> list[OutboxEmail]:
    """Write emails in the caller's transaction, in one statement however many there are; a
    worker sends each after commit (or the sweep does, if the broker is down then). The
    request that wrote them succeeds either way."""
    written = OutboxEmail.objects.bulk_create(
        OutboxEmail(kind=email.kind, to_email=email.to, subject=email.subject, body=email.body)
        for email in emails
    )
    for email in written:
        enqueue_on_commit(SEND_TASK, email.pk, broker_down_ok=True)
    return written


def outbox_write(*, kind: str, to: str, subject: str, body: str) -> OutboxEmail:
    """Write one email (see `outbox_write_many`)."""
    (email,) = outbox_write_many([Email(kind=kind, to=to, subject=subject, body=body)])
    return email


def _claimable(now) -> Q:
    return Q(sent_at__isnull=True, next_attempt_at__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    )


def outbox_send(*, email_id: int) -> bool:
    """Send one outbox row if it is due and nobody else is sending it; True when this call
    sent it. A failure is recorded (its type only) and the row is due again after a back-off."""
    now = timezone.now()
    claimed = OutboxEmail.objects.filter(
        _claimable(now), pk=email_id, attempts__lt=MAX_SEND_ATTEMPTS
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return False
    email = OutboxEmail.objects.get(pk=email_id)
    try:
        email_send(email_compose(to=email.to_email, subject=email.subject, body=email.body))
    except (smtplib.SMTPException, OSError) as exc:
        OutboxEmail.objects.filter(pk=email_id, claimed_at=now).update(
            claimed_at=None,
            last_error=type(exc).__name__,
            next_attempt_at=timezone.now() + retry_delay(email.attempts),
        )
        logger.warning(
            "Outbox email %s not sent (%s, attempt %s); retried later",
            email_id,
            type(exc).__name__,
            email.attempts,
        )
        return False
    OutboxEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(), claimed_at=None, body="", last_error=""
    )
    return True


def outbox_due(*, limit: int = 1000) -> list[int]:
    """Rows to send again: due after their back-off, unclaimed (or claimed by a worker that
    died), and old enough that their on-commit send must have failed or been lost."""
    now = timezone.now()
    return list(
        OutboxEmail.objects.filter(
            _claimable(now), attempts__lt=MAX_SEND_ATTEMPTS, created_at__lte=now - SWEEP_AFTER
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
