"""The outbox: rows written with the change that calls for them, each sent once by a task
after commit, and swept again when that send failed or was lost."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from post_program.jobs import enqueue_on_commit
from post_program.mail import email_compose, email_link, email_send
from post_program.models import PeerSupporter, RoleAssignment, User

from ..models import Notification, NotificationKind, Referral

logger = logging.getLogger(__name__)

# A send that failed this many times is left for a person to look at (admin: pending rows).
MAX_SEND_ATTEMPTS = 8


def site_coordinators(site_id: int) -> list[User]:
    """Who is told about a site's referrals: its coordinators, or the directors if it has none."""
    users = list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=RoleAssignment.Role.COORDINATOR,
            role_assignments__site_id=site_id,
        ).distinct()
    )
    if not users:
        users = list(
            User.objects.filter(
                is_active=True, role_assignments__role=RoleAssignment.Role.DIRECTOR
            ).distinct()
        )
    return users


def _notify(
    kind: str,
    referral: Referral | None,
    *,
    users: Iterable[User] = (),
    supporter: PeerSupporter | None = None,
    skip: User | None = None,
) -> list[Notification]:
    """Write outbox rows in the current transaction; each is sent by a task after commit."""
    rows = [
        Notification(kind=kind, recipient=user, to_email=user.email, referral=referral)
        for user in users
        if skip is None or user.pk != skip.pk
    ]
    if supporter is not None:
        physician = supporter.physician
        user = physician.user
        email = user.email if user is not None else physician.email
        if email:
            rows.append(Notification(kind=kind, recipient=user, to_email=email, referral=referral))
    notifications = [row for row in rows if row.to_email]
    for notification in notifications:
        notification.save()
        _queue_send(notification.pk)
    return notifications


def _queue_send(notification_id: int) -> None:
    # The row is the record of the work: if the broker is down now, the sweeper sends it later.
    enqueue_on_commit("interactions.tasks.notification_send", notification_id, broker_down_ok=True)


SUBJECTS: dict[str, str] = {
    NotificationKind.NEW_REFERRAL: "A new request for peer support",
    NotificationKind.URGENT: "URGENT: a request for peer support with a safety concern",
    NotificationKind.ASSIGNED: "A referral was assigned to you",
    NotificationKind.RETURNED: "A referral is back in the queue",
    NotificationKind.REMINDER: "First contact is due soon",
    NotificationKind.OVERDUE: "First contact is overdue",
    NotificationKind.DEBRIEF: "A peer supporter asked for a debrief",
}
BODIES: dict[str, str] = {
    NotificationKind.NEW_REFERRAL: "A new request for peer support needs a supporter.",
    NotificationKind.URGENT: (
        "A request for peer support reports a safety concern. Please look at it now."
    ),
    NotificationKind.ASSIGNED: (
        "You were asked to support a colleague. Please accept or decline within "
        "{accept_hours} hours."
    ),
    NotificationKind.RETURNED: "A referral was not taken up and needs a supporter again.",
    NotificationKind.REMINDER: "First contact for a referral you hold is due soon.",
    NotificationKind.OVERDUE: "First contact for a referral is overdue.",
    NotificationKind.DEBRIEF: (
        "A peer supporter of your site asked for a debrief with a coordinator. Please get in "
        "touch with them."
    ),
}


def notification_message(notification: Notification) -> tuple[str, str]:
    """Subject and body: what kind of thing happened and a link; no names, no details."""
    if notification.kind == NotificationKind.DEBRIEF:
        path = reverse("interactions:supporter_load")
    elif notification.referral_id:
        path = reverse("interactions:referral_detail", args=[notification.referral_id])
    else:
        path = reverse("home")
    link = email_link(path)
    body = BODIES[notification.kind].format(accept_hours=settings.ACCEPT_WITHIN_HOURS)
    return (
        f"POST: {SUBJECTS[notification.kind]}",
        f"{body}\n\nOpen it in POST (sign-in required):\n{link}\n\n"
        "This email holds no details on purpose. Peer support is confidential.\n",
    )


def notification_send(*, notification_id: int) -> bool:
    """Send one outbox email, at most once: the row is locked while sending and marked sent in
    the same transaction, so a second run (a retry, the sweeper, a duplicate message) finds it
    sent and does nothing. Returns True when this call sent it."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.sent_at is not None:
            return False
        subject, body = notification_message(notification)
        notification.attempts += 1
        try:
            email_send(email_compose(to=notification.to_email, subject=subject, body=body))
        except (smtplib.SMTPException, OSError) as exc:
            notification.last_error = type(exc).__name__
            notification.save(update_fields=["attempts", "last_error"])
            logger.warning(
                "Notification %s not sent (%s); the sweeper retries",
                notification.pk,
                type(exc).__name__,
            )
            return False
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["sent_at", "attempts", "last_error"])
        return True


def notifications_to_sweep(*, older_than: timedelta = timedelta(minutes=1)) -> list[int]:
    """Pending outbox rows old enough that their on-commit send must have failed or been lost."""
    return list(
        Notification.objects.pending()
        .filter(created_at__lte=timezone.now() - older_than, attempts__lt=MAX_SEND_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
