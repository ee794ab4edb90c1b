"""A report export requested while the broker is down is not left `pending` for ever: the
request succeeds, and once the broker is back the sweep queues the build."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from reporting import tasks
from reporting.models import ExportStatus, ReportExport
from tests.broker import drain, own_redis, real_broker, run  # noqa: F401 - fixture

from .test_exports import EXPORT, export_data


@pytest.mark.django_db(transaction=True)
def test_an_export_requested_while_the_broker_is_down_is_built_when_it_is_back(
    program,
    own_redis,  # noqa: F811 - the fixture imported above
):
    own_redis.start()
    own_redis.stop()  # Redis stopped
    with real_broker(own_redis.url):
        response = program.client("director").post(EXPORT, export_data(program))
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert export.status == ExportStatus.PENDING

    own_redis.start()
    with real_broker(own_redis.url):
        assert tasks.report_exports_sweep() == 0  # too fresh: its first message may still come
        ReportExport.objects.update(requested_at=timezone.now() - timedelta(minutes=5))
        assert tasks.report_exports_sweep() == 1
    taken = drain(own_redis.url)
    assert taken == [("reporting.tasks.report_export_build", [export.pk])]
    run(taken + taken)  # a duplicate delivery builds nothing more
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.content
    with real_broker(own_redis.url):
        assert tasks.report_exports_sweep() == 0
