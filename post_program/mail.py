"""Email: every message the program sends is composed and sent here.

Messages are plain text from DEFAULT_FROM_EMAIL to one address. What they say is each app's
business (the confidentiality rules keep names and case details out of them); how they leave
is this module's, so the transport, its time-outs and its errors are handled in one place.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend


def email_link(path: str) -> str:
    """The absolute address of a page of the program (a path such as `reverse(...)` gives), for
    the link an email carries: SITE_URL, without a doubled slash."""
    return settings.SITE_URL.rstrip("/") + path


def email_compose(*, to: str, subject: str, body: str) -> EmailMessage:
    """One plain-text message to one address."""
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def email_connection() -> BaseEmailBackend:
    """One connection to the mail server, for a caller that sends a batch."""
    return get_connection()


def email_send(message: EmailMessage, *, connection: BaseEmailBackend | None = None) -> None:
    """Send `message` now, through `connection` when the caller sends a batch over one; a
    transport error is raised to the caller, which decides whether to retry."""
    if connection is not None:
        message.connection = connection
    message.send(fail_silently=False)
