"""Readiness: can this process serve a request end to end right now?

`/healthz/` is the liveness probe (the process answers); `/readyz/` asks the three services a
request may need: the database, the cache (sessions' rate limits, throttling) and the broker
(background jobs). A load balancer takes a process that is not ready out of rotation.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connection

from .celery import app as celery_app

logger = logging.getLogger(__name__)

# Seconds: a probe must answer before the load balancer's own timeout.
PROBE_TIMEOUT = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=PROBE_TIMEOUT)
    if cache.get(key) != "ok":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


def _broker() -> None:
    with celery_app.connection_for_write(connect_timeout=PROBE_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def readiness() -> dict[str, bool]:
    """Each service's name and whether it answered. A failure is logged by kind, never raised."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # whatever the failure, the process is not ready
            logger.warning("Not ready: %s unavailable (%s)", name, type(exc).__name__)
            results[name] = False
        else:
            results[name] = True
    return results
