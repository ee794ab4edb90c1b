"""Background work for training: the emails about sign-ups and refreshers, and the daily
refresher reminder job. Tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task

from post_program.jobs import enqueue_on_commit

from . import services


@shared_task
def enrollment_notify(enrollment_id: int) -> None:
    """A physician's training sign-up was made, moved up from the waitlist or cancelled."""
    services.enrollment_notice_send(enrollment_id=enrollment_id)


@shared_task
def refresher_reminder_send(reminder_id: int) -> None:
    """Send one refresher reminder, once: the claim marks it sent before the email goes."""
    services.refresher_reminder_send(reminder_id=reminder_id)


@shared_task
def refresher_reminders_run() -> int:
    """Daily: create reminder rows for coming due dates and send the ones whose time came."""
    ready = services.refresher_reminders_schedule()
    for reminder_id in ready:
        enqueue_on_commit("training.tasks.refresher_reminder_send", reminder_id)
    return len(ready)
