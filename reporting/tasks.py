"""Background work of reporting: building a report file, the monthly digest and the clean-up
of old report files. Tasks take ids, load what they need and call services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from post_program.jobs import requeue

from . import services


@shared_task
def report_export_build(export_id: int) -> None:
    """Compute and render one requested report file."""
    services.report_export_build(export_id=export_id)


@shared_task
def report_exports_sweep() -> int:
    """Queue again the builds of exports left pending (the broker was down when requested)."""
    return requeue(services.BUILD_TASK, services.report_exports_to_sweep())


@shared_task
def digest_send_monthly() -> int:
    """Send this month's digest (a link, no figures) to directors and leads who lack it."""
    return services.digest_send_monthly(today=timezone.localdate())


@shared_task
def report_exports_purge() -> int:
    """Delete report files past REPORT_EXPORT_KEEP_DAYS."""
    return services.report_exports_purge()
