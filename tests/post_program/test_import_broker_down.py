"""An import uploaded or confirmed while the broker is down is not left `checking` or
`importing` for ever: the request succeeds, and once the broker is back the sweep queues the
job again. A job delivered twice is written once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from post_program import tasks
from post_program.models import ImportJob, Physician
from tests.broker import drain, own_redis, real_broker, run  # noqa: F401 - fixture

from .test_import_export import DEPARTMENTS, PHYSICIANS
from .test_import_web import _upload


def _aged() -> None:
    ImportJob.objects.update(created_at=timezone.now() - timedelta(minutes=5))


@pytest.mark.django_db(transaction=True)
def test_an_import_sent_while_the_broker_is_down_is_checked_and_written_when_it_is_back(
    cast,
    own_redis,  # noqa: F811 - the fixture imported above
):
    client = cast.client("director")
    own_redis.start()
    own_redis.stop()  # Redis stopped
    with real_broker(own_redis.url):
        response = _upload(client, departments=DEPARTMENTS, physicians=PHYSICIANS)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.CHECKING

    own_redis.start()
    with real_broker(own_redis.url):
        assert tasks.import_jobs_sweep() == 0  # too fresh: its first message may still come
        _aged()
        assert tasks.import_jobs_sweep() == 1
    run(drain(own_redis.url))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY

    own_redis.stop()
    with real_broker(own_redis.url):
        response = client.post(f"/program/import/{job.pk}/confirm/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTING

    own_redis.start()
    with real_broker(own_redis.url):
        assert tasks.import_jobs_sweep() == 1
    taken = drain(own_redis.url)
    assert taken == [("post_program.tasks.import_job_apply_task", [job.pk])]
    run(taken + taken)  # a duplicate delivery writes nothing more
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert Physician.objects.filter(physician_id__in=["P1", "P2", "P3"]).count() == 3
    with real_broker(own_redis.url):
        assert tasks.import_jobs_sweep() == 0
