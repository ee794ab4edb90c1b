"""Imports from the web: the director uploads files, a background job checks them (writing
nothing), the director confirms, and a second job writes them (post_program.import_export)."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import import_export
from .i18n import in_language_of
from .jobs import enqueue_on_commit
from .models import ImportJob, User
from .services import audit_record

logger = logging.getLogger(__name__)


PROGRESS_KEY = "import-progress-{}"
CHECK_TASK = "post_program.tasks.import_job_check_task"
APPLY_TASK = "post_program.tasks.import_job_apply_task"
# A job still checking or importing this long after its upload lost its first message (the
# broker was down when it was queued) or is being delivered again: the sweep queues it again.
SWEEP_AFTER = timedelta(minutes=2)


def import_progress(job_id: int) -> int:
    """Percent of the files written so far by a running import (shared through the cache)."""
    return cache.get(PROGRESS_KEY.format(job_id), 0)


def _job_files(job: ImportJob) -> dict[str, import_export.RawFile]:
    uploads = {name: base64.b64decode(content) for name, content in job.files.items()}
    return import_export.read_files(uploads, import_export.file_specs())


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    if status in (ImportJob.Status.REJECTED, ImportJob.Status.DONE, ImportJob.Status.FAILED):
        job.files = {}
        job.finished_at = timezone.now()
    job.save()


def _counts_json(report: import_export.ImportReport) -> dict[str, dict[str, int]]:
    return {name: vars(counts) for name, counts in report.counts.items()}


@transaction.atomic
def import_job_create(*, actor: User, uploads: dict[str, bytes]) -> ImportJob:
    job = ImportJob.objects.create(
        created_by=actor,
        files={name: base64.b64encode(data).decode() for name, data in uploads.items()},
        file_names=sorted(uploads),
    )
    audit_record(actor=actor, action="program.import_upload", obj=job, files=job.file_names)
    enqueue_on_commit(CHECK_TASK, job.pk, broker_down_ok=True)
    return job


def _failed(job: ImportJob, error: Exception) -> None:
    """A check or import that stopped on something other than bad rows (a fault of the program
    or the database): nothing was written, and the uploaded files are not kept. Only the
    error's type is logged: its message may quote a cell."""
    logger.error("Import job %s failed: %s", job.pk, type(error).__name__)
    _finish(job, ImportJob.Status.FAILED)


def import_job_check(*, job_id: int) -> ImportJob:
    """Check every row and count what the import would do, writing nothing."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.CHECKING:
        return job
    try:
        with in_language_of(job.created_by):  # the errors are read by who uploaded the files
            report = import_export.import_files(_job_files(job), dry_run=True)
    except import_export.ImportRejected as rejected:
        _finish(job, ImportJob.Status.REJECTED, errors=[str(e) for e in rejected.errors])
    except Exception as error:  # anything else must still not leave the job and its files
        _failed(job, error)
    else:
        _finish(job, ImportJob.Status.READY, counts=_counts_json(report))
    return job


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob) -> bool:
    """Start writing a checked import; False if it is not (or no longer) ready."""
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.IMPORTING
    )
    if claimed:
        audit_record(actor=actor, action="program.import_confirm", obj=job)
        enqueue_on_commit(APPLY_TASK, job.pk, broker_down_ok=True)
    return bool(claimed)


def import_jobs_to_sweep(status: str) -> list[int]:
    """Jobs left in `status` (checking or importing) for longer than SWEEP_AFTER."""
    return list(
        ImportJob.objects.filter(status=status, created_at__lte=timezone.now() - SWEEP_AFTER)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:100]
    )


@transaction.atomic
def import_job_apply(*, job_id: int) -> ImportJob:
    """Write a confirmed import. The job's row stays locked while it is written, so a second
    delivery of the same job (the sweep's, or the broker's) finds it locked or done and
    writes nothing."""
    job = ImportJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.IMPORTING:
        return job or ImportJob.objects.get(pk=job_id)
    key = PROGRESS_KEY.format(job.pk)
    try:
        with in_language_of(job.created_by):
            report = import_export.import_files(
                _job_files(job),
                actor=job.created_by,
                progress=lambda percent: cache.set(key, percent, 3600),
            )
    except import_export.ImportRejected as rejected:  # the database changed since the check
        _finish(job, ImportJob.Status.REJECTED, errors=[str(e) for e in rejected.errors])
    except Exception as error:  # the transaction was rolled back: nothing was written
        _failed(job, error)
    else:
        _finish(job, ImportJob.Status.DONE, counts=_counts_json(report))
    cache.delete(key)
    return job
