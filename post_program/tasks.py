"""Background work of the core: checking and writing imports uploaded through the web."""

from celery import shared_task

from . import exchange


@shared_task
def import_job_check_task(job_id: int) -> None:
    exchange.import_job_check(job_id=job_id)


@shared_task
def import_job_apply_task(job_id: int) -> None:
    exchange.import_job_apply(job_id=job_id)
