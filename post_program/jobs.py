"""Queue background work only once the surrounding transaction has committed.

A task must be able to load everything it needs from the database, so it takes identifiers
only: never model instances, names or notes (they would sit in the broker and in its logs).
Services name the task they queue (`"post_program.tasks.outbox_send_task"`) instead of
importing their tasks module, so that tasks, which call services, and services never import
each other.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .celery import app as celery_app

logger = logging.getLogger(__name__)

_ID_TYPES = (int, uuid.UUID)
# What publishing raises when the broker cannot be reached.
BROKER_DOWN_ERRORS = (BrokerOperationalError, RedisConnectionError, RedisTimeoutError)


def registered_task(name: str):
    """The task registered as `name`, loading every app's tasks module on first use (a web
    process has not imported them; a worker has)."""
    if name not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    try:
        return celery_app.tasks[name]
    except KeyError:
        raise LookupError(f"No background task is registered as {name!r}") from None


def enqueue_on_commit(task_name: str, *ids: int | uuid.UUID, broker_down_ok: bool = False) -> None:
    """Queue the task registered as `task_name` with `ids` after the current transaction
    commits (at once outside one). An unknown name raises LookupError at once.

    `broker_down_ok=True` is for work that is already recorded in the database and queued
    again by a periodic sweeper (an outbox): if the broker is down at commit time, the failure
    is logged (task name and ids only) instead of failing a request whose data is saved.
    """
    task = registered_task(task_name)
    bad = [arg for arg in ids if isinstance(arg, bool) or not isinstance(arg, _ID_TYPES)]
    if bad:
        raise TypeError(
            f"{task.name} takes identifiers only; got {', '.join(type(a).__name__ for a in bad)}"
        )
    args = tuple(str(arg) if isinstance(arg, uuid.UUID) else arg for arg in ids)
    if not broker_down_ok:
        transaction.on_commit(lambda: task.delay(*args))
        return

    def publish() -> None:
        try:
            task.delay(*args)
        except BROKER_DOWN_ERRORS as exc:
            logger.warning(
                "Broker unavailable (%s): %s%s left for the sweeper",
                type(exc).__name__,
                task.name,
                args,
            )

    transaction.on_commit(publish)


def requeue(task_name: str, ids: Iterable[int]) -> int:
    """Queue the task registered as `task_name` again for each id, for a periodic sweeper
    whose records say the work is still to do (its first message was lost, or the broker was
    down when it was queued). Stops at the first broker error: the next sweep carries on.
    Returns how many were queued."""
    task = registered_task(task_name)
    queued = 0
    for pk in ids:
        try:
            task.delay(pk)
        except BROKER_DOWN_ERRORS as exc:
            logger.warning(
                "Sweep of %s stopped: broker unavailable (%s)", task.name, type(exc).__name__
            )
            break
        queued += 1
    if queued:
        logger.info("Sweep queued %s for %d record(s)", task.name, queued)
    return queued
