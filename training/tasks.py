"""Background work for training: the refresher reminder job (its emails, like the sign-up
emails, go through the core outbox). Tasks take ids and call services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def refresher_reminders_run() -> int:
    """Create reminder rows for coming due dates and write the emails of the ones whose time
    came to the outbox (which sends them). Returns how many were written."""
    ready = services.refresher_reminders_schedule()
    return sum(services.refresher_reminder_send(reminder_id=pk) for pk in ready)
