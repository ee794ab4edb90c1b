"""Background work of the core: checking and writing imports uploaded through the web, and
sending the outbox."""

from celery import shared_task

from . import import_jobs, jobs, outbox
from .models import ImportJob


@shared_task
def import_job_check_task(job_id: int) -> None:
    import_jobs.import_job_check(job_id=job_id)


@shared_task
def import_job_apply_task(job_id: int) -> None:
    import_jobs.import_job_apply(job_id=job_id)


@shared_task
def import_jobs_sweep() -> int:
    """Queue again the checks and writes of imports left waiting (the broker was down when they
    were queued). Returns how many were queued."""
    return sum(
        jobs.requeue(task, import_jobs.import_jobs_to_sweep(status))
        for task, status in (
            (import_jobs.CHECK_TASK, ImportJob.Status.CHECKING),
            (import_jobs.APPLY_TASK, ImportJob.Status.IMPORTING),
        )
    )


@shared_task
def outbox_send_task(email_id: int) -> bool:
    """Send one outbox email (a sent or claimed row is left alone)."""
    return outbox.outbox_send(email_id=int(email_id))


@shared_task
def outbox_sweep() -> int:
    """Queue again every outbox email that is due: its back-off passed, or the broker was down
    when its change committed. Returns how many were queued."""
    return jobs.requeue(outbox.SEND_TASK, outbox.outbox_due())
