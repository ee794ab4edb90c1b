"""Background work for referrals. Tasks take ids, load rows and call services; they log ids
and counts only."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="interactions.tasks.deadlines_process")
def deadlines_process() -> dict[str, int]:
    """Act on every deadline that fell due: reminders, escalations, returns to the queue."""
    counts: dict[str, int] = {}
    for reminder_id in services.reminders_due_ids():
        result = services.reminder_process(reminder_id=reminder_id)
        if result:
            counts[result] = counts.get(result, 0) + 1
    if counts:
        logger.info("Deadlines processed: %s", counts)
    return counts


@shared_task(name="interactions.tasks.retention_purge")
def retention_purge() -> dict[str, int]:
    """De-identify the cases closed more than RETENTION_DAYS ago (daily)."""
    result = services.retention_purge()
    counts = result.as_counts()
    if result.referrals or result.interactions:
        logger.info("Retention: de-identified %s", counts)
    return counts
