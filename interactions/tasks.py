"""Background work for referrals. Tasks take ids, load rows and call services; they log ids
and counts only."""

from __future__ import annotations

import logging

from celery import shared_task

from post_program.jobs import BROKER_DOWN_ERRORS

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="interactions.tasks.notification_send")
def notification_send(notification_id: int) -> bool:
    """Send one outbox email (idempotent: a sent row is never sent again)."""
    return services.notification_send(notification_id=int(notification_id))


@shared_task(name="interactions.tasks.outbox_sweep")
def outbox_sweep() -> int:
    """Queue again every outbox row still pending, e.g. because the broker was down when its
    change committed. Returns how many were queued."""
    queued = 0
    for notification_id in services.notifications_to_sweep():
        try:
            notification_send.delay(notification_id)
        except BROKER_DOWN_ERRORS as exc:
            logger.warning("Outbox sweep stopped: broker unavailable (%s)", type(exc).__name__)
            break
        queued += 1
    if queued:
        logger.info("Outbox sweep queued %d pending notification(s)", queued)
    return queued


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
