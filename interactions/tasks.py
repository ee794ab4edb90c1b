"""Background work for referrals. Tasks take ids, load rows and call services; they log ids
and counts only."""

from __future__ import annotations

import logging

from celery import shared_task

from post_program.jobs import requeue

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


@shared_task(name="interactions.tasks.urgent_paging_process")
def urgent_paging_process() -> dict[str, int]:
    """Every minute: page the next round of each urgent alert nobody acknowledged in time,
    and queue again the webhook pages due for another attempt."""
    counts: dict[str, int] = {}
    for alert_id in services.urgent_alerts_due_ids():
        result = services.urgent_alert_process(alert_id=alert_id)
        if result:
            counts[result] = counts.get(result, 0) + 1
    retried = requeue(services.PAGE_DELIVER_TASK, services.urgent_pages_due_ids())
    if retried:
        counts["webhook_queued"] = retried
    if counts:
        logger.info("Urgent paging: %s", counts)
    return counts


@shared_task(name="interactions.tasks.urgent_page_deliver")
def urgent_page_deliver(page_id: int) -> str:
    """POST one webhook page to the hospital's gateway (a sent or claimed page is left alone)."""
    return services.urgent_page_deliver(page_id=int(page_id))
