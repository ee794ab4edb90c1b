"""Background work of the core: checking and writing imports uploaded through the web."""

from celery import shared_task

from . import import_jobs


@shared_task
def import_job_check_task(job_id: int) -> None:
    import_jobs.import_job_check(job_id=job_id)


@shared_task
def import_job_apply_task(job_id: int) -> None:
    import_jobs.import_job_apply(job_id=job_id)
