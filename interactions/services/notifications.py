"""Notifications: who is told what happened to a referral. Each is a Notification row (the
record) and an email in the core outbox (post_program.outbox), both written in the
transaction of the change that calls for them; the outbox sends, retries and sweeps."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from post_program import program_settings
from post_program.i18n import in_language_of
from post_program.mail import email_link
from post_program.models import PeerSupporter, RoleAssignment, User
from post_program.outbox import Email, outbox_write_many

from ..models import Notification, NotificationKind, Referral

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def site_coordinators(site_id: int) -> list[User]:
    """Who is told about a site's referrals: its coordinators, or the directors if it has none
    (one query: the site's coordinators and the directors, each marked)."""
    coordinates = RoleAssignment.objects.filter(
        user=OuterRef("pk"), role=RoleAssignment.Role.COORDINATOR, site_id=site_id
    )
    users = list(
        User.objects.filter(is_active=True)
        .filter(
            Q(
                role_assignments__role=RoleAssignment.Role.COORDINATOR,
                role_assignments__site_id=site_id,
            )
            | Q(role_assignments__role=RoleAssignment.Role.DIRECTOR)
        )
        .annotate(coordinates=Exists(coordinates))
        .distinct()
    )
    coordinators: list[User] = [user for user in users if user.coordinates]
    return coordinators or list(users)


def _notify(
    kind: str,
    referral: Referral | None,
    *,
    users: Iterable[User] = (),
    supporter: PeerSupporter | None = None,
    skip: User | None = None,
) -> list[Notification]:
    """Write notifications and their outbox emails in the current transaction (one statement
    for each table, however many recipients); the outbox sends each after commit."""
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
    emails = outbox_write_many(
        Email(f"interactions.{row.kind}", row.to_email, *notification_message(row))
        for row in notifications
    )
    for notification, written in zip(notifications, emails, strict=True):
        notification.email = written
    return Notification.objects.bulk_create(notifications)


# Subjects and bodies are sentences that say what the email is about; none names anyone or
# gives a detail of a case (product.md: the email holds only a link).
SUBJECTS: dict[str, StrPromise] = {
    NotificationKind.NEW_REFERRAL: _("A new request for peer support needs a supporter"),
    NotificationKind.URGENT: _("URGENT: a request for peer support reports a safety concern"),
    NotificationKind.ASSIGNED: _("You were asked to support a colleague"),
    NotificationKind.RETURNED: _("A referral is back in the queue and needs a supporter"),
    NotificationKind.REMINDER: _("First contact for a referral you hold is due soon"),
    NotificationKind.OVERDUE: _("First contact for a referral is overdue"),
    NotificationKind.DEBRIEF: _("A peer supporter asked for a debrief"),
}
BODIES: dict[str, StrPromise] = {
    NotificationKind.NEW_REFERRAL: _(
        "A request for peer support arrived for your site. It needs a supporter: please assign one."
    ),
    NotificationKind.URGENT: _(
        "A request for peer support reports an urgent safety concern. Please look at it now: "
        "first contact is due within {urgent_hours} hours."
    ),
    NotificationKind.ASSIGNED: _(
        "You were asked to support a colleague through the peer support program. Please "
        "accept or decline within {accept_hours} hours."
    ),
    NotificationKind.RETURNED: _(
        "A referral of your site was not taken up by its supporter and is back in the queue. "
        "It needs a supporter again."
    ),
    NotificationKind.REMINDER: _(
        "First contact for a referral you hold is due soon. Please reach out, and record the "
        "attempt."
    ),
    NotificationKind.OVERDUE: _(
        "First contact for a referral of your site is overdue. Please check on it with its "
        "supporter, or assign another."
    ),
    NotificationKind.DEBRIEF: _(
        "A peer supporter of your site asked for a debrief with a coordinator. Please get in "
        "touch with them."
    ),
}


def notification_message(notification: Notification) -> tuple[str, str]:
    """Subject and body, in the recipient's language: what kind of thing happened and a link;
    no names, no details."""
    if notification.kind == NotificationKind.DEBRIEF:
        path = reverse("interactions:supporter_load")
    elif notification.referral_id:
        path = reverse("interactions:referral_detail", args=[notification.referral_id])
    else:
        path = reverse("home")
    link = email_link(path)
    values = program_settings.get()
    with in_language_of(notification.recipient):
        body = BODIES[notification.kind].format(
            accept_hours=values.accept_within_hours,
            urgent_hours=values.urgent_first_contact_hours,
        )
        return (
            str(SUBJECTS[notification.kind]),
            "{body}\n\n{open_it}\n{link}\n\n{no_details}\n".format(
                body=body,
                open_it=gettext("Open it in POST (sign-in required):"),
                link=link,
                no_details=gettext(
                    "This email holds no details on purpose. Peer support is confidential."
                ),
            ),
        )
