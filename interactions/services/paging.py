"""Paging for urgent referrals (docs/paging.md): the site's on-call person at once, the next
one after `URGENT_ACK_MINUTES` without an acknowledgement, then all the site's coordinators,
again every `URGENT_ACK_MINUTES`, until someone acknowledges or the referral closes.

A round is written in one transaction (the alert moved on, one page per person, the history
event, the audit row); what goes out leaves after commit: an email through the outbox, or a
webhook page POSTed by a worker. A webhook page is tried `WEBHOOK_ATTEMPTS` times, a little
later each time and all within the acknowledgement window, then handed to the next channel of
`PAGING_CHANNELS`. Two workers never page the same round twice: a due alert is processed under
its row lock (others skip it), and a webhook page is claimed by a conditional update.

Nothing paged names anyone or tells anything of the case: a page holds the referral's link
(sign-in required) and a reply link that acknowledges, whose token is stored as a digest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from post_program.i18n import in_language_of
from post_program.jobs import enqueue_on_commit
from post_program.mail import email_link
from post_program.models import User
from post_program.outbox import Email, outbox_write_many
from post_program.tokens import token_new

from ..models import (
    EventKind,
    Notification,
    NotificationKind,
    Page,
    PageTarget,
    PagingChannel,
    Referral,
    UrgentAlert,
)
from ..selectors import on_call_at
from .notifications import notification_message, site_coordinators
from .transitions import ReferralError, _audit, _event, _now

logger = logging.getLogger(__name__)

DELIVER_TASK = "interactions.tasks.urgent_page_deliver"
WEBHOOK_ATTEMPTS = 3
# Seconds the gateway has to answer one POST: a gateway that hangs fails the attempt.
WEBHOOK_TIMEOUT_SECONDS = 5
# A claim older than this belongs to a worker that died mid-POST: the page may be tried again.
CLAIM_TIMEOUT = timedelta(minutes=2)
ACK_LINE = gettext_lazy("Acknowledge that you are on it (no sign-in needed; paging then stops):")


def _window() -> timedelta:
    return timedelta(minutes=settings.URGENT_ACK_MINUTES)


def webhook_retry_delay(attempts: int) -> timedelta:
    """After the `attempts`-th failed POST: 1 minute, then 2; with three attempts the page is
    handed to the next channel within about 3 minutes, well inside the window."""
    return timedelta(minutes=attempts)


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """The `X-POST-Signature` header: HMAC-SHA256 under the shared secret of the timestamp, a
    dot and the body, as hex (docs/paging.md shows the receiver's check)."""
    signed = timestamp.encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _ack_link(token: str) -> str:
    return email_link(reverse("interactions:page_acknowledge", args=[token]))


# --- opening an alert and paging a round --------------------------------------------------------


def urgent_alert_open(referral: Referral, *, at: datetime) -> UrgentAlert:
    """In the transaction that made `referral` urgent (a referral is made urgent once, and
    never less urgent again): open its alert and page round 1, sent once that transaction
    commits."""
    alert = UrgentAlert(referral=referral, opened_at=at)
    _page_round(alert, referral, at)  # saves it
    return alert


def _next_round(alert: UrgentAlert, site_id: int, now: datetime) -> tuple[str, list[User]]:
    """Whom the round after `alert`'s last one pages: while the alert is still with the on-call
    people, the first of those on call now who was not paged yet; then (or with nobody on call)
    all the site's coordinators."""
    if alert.target in ("", PageTarget.ON_CALL):
        paged = set(alert.pages.values_list("recipient_id", flat=True)) if alert.pk else set()
        waiting = [pk for pk in on_call_at(site_id=site_id, at=now) if pk not in paged]
        if waiting:
            target = PageTarget.ON_CALL if alert.round == 0 else PageTarget.NEXT_ON_CALL
            return target, list(User.objects.filter(pk=waiting[0]))
    return PageTarget.COORDINATORS, site_coordinators(site_id)


def _page_round(alert: UrgentAlert, referral: Referral, now: datetime) -> None:
    target, recipients = _next_round(alert, referral.department.site_id, now)
    alert.round += 1
    alert.target = target
    alert.next_page_at = now + _window()
    if alert.pk is None:
        alert.save()
    else:
        alert.save(update_fields=["round", "target", "next_page_at"])
    channel = settings.PAGING_CHANNELS[0]
    _pages(alert, referral, recipients, target=target, round=alert.round, channel=channel, now=now)
    _event(referral, EventKind.PAGED, actor=None, at=now, round=alert.round, target=target)
    _audit(
        None,
        "referral.page",
        referral,
        round=alert.round,
        target=target,
        channel=channel,
        pages=len(recipients),  # whom: the pages, which retention removes with the case
    )


def _pages(
    alert: UrgentAlert,
    referral: Referral,
    users: list[User],
    *,
    target: str,
    round: int,
    channel: str,
    now: datetime,
) -> list[Page]:
    """One page to each of `users` through `channel`, each with its own reply link; a fixed
    number of statements however many people."""
    issued = [token_new() for _ in users]
    tokens = [token for token, _ in issued]
    pages = [
        Page(
            alert=alert,
            recipient=user,
            round=round,
            target=target,
            channel=channel,
            created_at=now,
            token_digest=digest,
        )
        for user, (_, digest) in zip(users, issued, strict=True)
    ]
    if channel == PagingChannel.EMAIL:
        _page_emails(referral, pages, users, tokens, now=now)
        return Page.objects.bulk_create(pages)
    link = email_link(reverse("interactions:referral_detail", args=[referral.pk]))
    for page, token in zip(pages, tokens, strict=True):
        page.next_attempt_at = now
        page.payload = json.dumps(
            {
                "event": "urgent_referral.page",
                "round": round,
                "recipient": str(page.recipient_id),
                "link": link,
                "ack_link": _ack_link(token),
                "sent_at": now.isoformat(),
            }
        )
    pages = Page.objects.bulk_create(pages)
    for page in pages:
        enqueue_on_commit(DELIVER_TASK, page.pk, broker_down_ok=True)
    return pages


def _page_email(referral: Referral, user: User, token: str) -> Email:
    """The urgent email of one page, in its recipient's language, with the page's reply link
    first."""
    subject, body = notification_message(
        Notification(kind=NotificationKind.URGENT, referral=referral, recipient=user)
    )
    with in_language_of(user):
        ack_line = str(ACK_LINE)
    return Email(
        f"interactions.{NotificationKind.URGENT}",
        user.email,
        subject,
        f"{ack_line}\n{_ack_link(token)}\n\n{body}",
    )


def _page_emails(
    referral: Referral, pages: list[Page], users: list[User], tokens: list[str], *, now
) -> None:
    """The urgent email of each page, into the outbox; its notification is the record of who
    was told."""
    emailed = [
        (page, user, token)
        for page, user, token in zip(pages, users, tokens, strict=True)
        if user.email
    ]
    emails = outbox_write_many(_page_email(referral, user, token) for _, user, token in emailed)
    notifications = Notification.objects.bulk_create(
        Notification(
            kind=NotificationKind.URGENT,
            recipient=user,
            to_email=user.email,
            referral=referral,
            email=email,
        )
        for (_, user, _), email in zip(emailed, emails, strict=True)
    )
    for (page, _, _), notification in zip(emailed, notifications, strict=True):
        page.notification = notification
    for page in pages:
        page.sent_at = now


# --- the periodic job ---------------------------------------------------------------------------


def urgent_alerts_due_ids(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    return list(
        UrgentAlert.objects.filter(next_page_at__lte=_now(now))
        .order_by("next_page_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def urgent_alert_process(*, alert_id: int, now: datetime | None = None) -> str:
    """Page the next round of an alert that fell due, once: "paged", "ended" (the referral
    closed unacknowledged: no more rounds), or "" (not due, done, or another worker has it)."""
    now = _now(now)
    alert = (
        UrgentAlert.objects.select_for_update(skip_locked=True)
        .filter(pk=alert_id, next_page_at__lte=now)
        .first()
    )
    if alert is None:
        return ""
    referral = Referral.objects.select_related("department").get(pk=alert.referral_id)
    if not referral.is_open:
        alert.ended_at, alert.next_page_at = now, None
        alert.save(update_fields=["ended_at", "next_page_at"])
        _audit(None, "referral.page_end", referral, round=alert.round)
        return "ended"
    _page_round(alert, referral, now)
    return "paged"


def _claimable(now: datetime) -> Q:
    return Q(
        channel=PagingChannel.WEBHOOK,
        sent_at__isnull=True,
        failed_at__isnull=True,
        next_attempt_at__lte=now,
    ) & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT))


def urgent_pages_due_ids(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Webhook pages to try (again): due after their back-off and not being tried."""
    return list(
        Page.objects.filter(_claimable(_now(now)))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- webhook delivery ---------------------------------------------------------------------------


def _post(body: str) -> str:
    """POST one signed page to the gateway: "" when it took it (2xx), else what went wrong
    (the error's type or the status; never the body, which holds the reply link)."""
    timestamp = str(int(timezone.now().timestamp()))
    data = body.encode()
    headers = {
        "Content-Type": "application/json",
        "X-POST-Timestamp": timestamp,
        "X-POST-Signature": webhook_signature(
            secret=settings.PAGING_WEBHOOK_SECRET, timestamp=timestamp, body=data
        ),
    }
    try:
        response = requests.post(
            settings.PAGING_WEBHOOK_URL,
            data=data,
            headers=headers,
            timeout=WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return type(error).__name__
    return "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def urgent_page_deliver(*, page_id: int, now: datetime | None = None) -> str:
    """Try one webhook page if it is due and nobody else is trying it: "sent", "retry" (due
    again after a back-off), "fell_back" (its last attempt failed: the next channel pages),
    "skipped" (the alert was acknowledged meanwhile) or "" (not due, or claimed)."""
    now = _now(now)
    claimed = Page.objects.filter(_claimable(now), pk=page_id).update(
        claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return ""
    page = Page.objects.select_related("alert").get(pk=page_id)
    mine = Page.objects.filter(pk=page_id, claimed_at=now)
    if not page.alert.is_open:
        mine.update(claimed_at=None, next_attempt_at=None, payload="")
        return "skipped"
    error = _post(page.payload)
    if not error:
        mine.update(sent_at=now, claimed_at=None, next_attempt_at=None, payload="", last_error="")
        return "sent"
    logger.warning(
        "Webhook page %s not delivered (%s, attempt %s of %s)",
        page_id,
        error,
        page.attempts,
        WEBHOOK_ATTEMPTS,
    )
    if page.attempts < WEBHOOK_ATTEMPTS:
        mine.update(
            claimed_at=None,
            last_error=error,
            next_attempt_at=now + webhook_retry_delay(page.attempts),
        )
        return "retry"
    _fall_back(page_id, error=error, now=now)
    return "fell_back"


@transaction.atomic
def _fall_back(page_id: int, *, error: str, now: datetime) -> None:
    """A webhook page given up: recorded as failed, and the same person paged through the
    channel after the webhook in PAGING_CHANNELS (if any), while the alert is still open."""
    page = Page.objects.select_for_update(of=("self",)).select_related("recipient").get(pk=page_id)
    alert = UrgentAlert.objects.select_for_update().get(pk=page.alert_id)
    page.failed_at, page.claimed_at, page.next_attempt_at = now, None, None
    page.payload, page.last_error = "", error
    page.save(update_fields=["failed_at", "claimed_at", "next_attempt_at", "payload", "last_error"])
    channels = settings.PAGING_CHANNELS
    later = channels[channels.index(PagingChannel.WEBHOOK) + 1 :]
    referral = Referral.objects.get(pk=alert.referral_id)
    _audit(None, "referral.page_failed", referral, page_id=page.pk, error=error)
    if not (later and alert.is_open and page.recipient is not None):
        return
    _pages(
        alert,
        referral,
        [page.recipient],
        target=page.target,
        round=page.round,
        channel=later[0],
        now=now,
    )
    _event(
        referral,
        EventKind.PAGED,
        actor=None,
        at=now,
        round=page.round,
        target=page.target,
        fallback=True,
    )


# --- acknowledging ------------------------------------------------------------------------------


@transaction.atomic
def urgent_alert_acknowledge(
    *, actor: User | None, referral: Referral, via: str, at: datetime | None = None
) -> UrgentAlert:
    """Someone is on it: paging stops. `via` says how ("referral page", "reply link"); a reply
    link acknowledges as the person it was sent to (`actor`)."""
    at = _now(at)
    alert = UrgentAlert.objects.select_for_update().filter(referral=referral).first()
    if alert is None:
        raise ReferralError(gettext("This referral has no urgent alert to acknowledge."))
    if alert.acknowledged_at is not None:
        raise ReferralError(gettext("This urgent alert was already acknowledged."))
    if alert.ended_at is not None:
        raise ReferralError(
            gettext("This referral was closed; its alert needs no acknowledgement.")
        )
    alert.acknowledged_at, alert.acknowledged_by, alert.next_page_at = at, actor, None
    alert.save(update_fields=["acknowledged_at", "acknowledged_by", "next_page_at"])
    _event(referral, EventKind.ACKNOWLEDGED, actor=actor, at=at, round=alert.round, via=via)
    _audit(actor, "referral.acknowledge", referral, round=alert.round, via=via)
    return alert


def urgent_page_acknowledge(*, page: Page, at: datetime | None = None) -> UrgentAlert:
    """Acknowledge through a page's reply link, as the person it paged."""
    return urgent_alert_acknowledge(
        actor=page.recipient, referral=page.alert.referral, via="reply link", at=at
    )
