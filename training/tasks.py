"""Background work for training: emails that carry a link and nothing else, and the daily
refresher reminder job. Tasks take ids, load what they need and call services."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from post_program.jobs import enqueue_on_commit

from . import services
from .models import Enrollment, RefresherReminder


def _link(url_name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name)


def _recipient(physician) -> str:
    if physician.user_id and physician.user.email:
        return physician.user.email
    return physician.email


def _send(*, to: str, subject: str, url_name: str) -> None:
    """One short email: a subject and a link to sign in and read the rest. Names, dates and
    places stay in the application."""
    if not to:
        return
    body = (
        "There is an update for you in the peer support program.\n\n"
        f"Sign in to read it: {_link(url_name)}\n"
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@shared_task
def enrollment_notify(enrollment_id: int) -> None:
    """A physician's training sign-up was made, moved up from the waitlist or cancelled."""
    enrollment = (
        Enrollment.objects.select_related("physician__user").filter(pk=enrollment_id).first()
    )
    if enrollment is None:
        return
    _send(
        to=_recipient(enrollment.physician),
        subject="POST: your training sign-up",
        url_name="training:my_training",
    )


@shared_task
def refresher_reminder_send(reminder_id: int) -> None:
    """Send one refresher reminder, once: the claim marks it sent before the email goes."""
    if not services.refresher_reminder_claim(reminder_id=reminder_id):
        return
    reminder = (
        RefresherReminder.objects.select_related("supporter__physician__user")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None:
        return
    _send(
        to=_recipient(reminder.supporter.physician),
        subject="POST: your peer supporter refresher",
        url_name="training:my_training",
    )


@shared_task
def refresher_reminders_run() -> int:
    """Daily: create reminder rows for coming due dates and send the ones whose time came."""
    ready = services.refresher_reminders_schedule()
    for reminder_id in ready:
        enqueue_on_commit("training.tasks.refresher_reminder_send", reminder_id)
    return len(ready)
