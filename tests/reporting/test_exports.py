"""Exports from a dashboard: a background job with progress, a download, an audit trail, and
suppression for shareable files and for leads."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from post_program.models import AuditEvent
from reporting import services
from reporting.models import ExportStatus, ReportExport

from .factories import ReportExportFactory

EXPORT = reverse("reporting:export_create")


def export_data(cast, **overrides):
    data = {"format": "json", "start": "2020-01-01", "end": "2020-12-31"}
    data.update(overrides)
    return data


def request_export(client, data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT, data)
    return response


def test_director_export_runs_in_the_background_and_downloads(
    program, django_capture_on_commit_callbacks
):
    director = program.client("director")
    response = request_export(director, export_data(program), django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    assert response["Location"] == reverse("reporting:export_detail", kwargs={"pk": export.pk})
    assert (export.status, export.progress, export.threshold) == (ExportStatus.DONE, 100, None)
    page = director.get(response["Location"]).content.decode()
    assert "Download reaim-report-2020-01-01-to-2020-12-31.json" in page
    assert "hx-get" not in page  # nothing left to poll
    download = director.get(reverse("reporting:export_download", kwargs={"pk": export.pk}))
    assert download["Content-Type"] == "application/json"
    assert (
        'filename="reaim-report-2020-01-01-to-2020-12-31.json"' in download["Content-Disposition"]
    )
    data = json.loads(download.content)
    assert data["reach"]["eligible_physicians"] == 41
    assert data["implementation"]["referrals"]["by_source"]["event"] == 1
    actions = list(
        AuditEvent.objects.filter(object_type="reporting.reportexport").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "reporting.export.download",
        "reporting.export.ready",
        "reporting.export.request",
    ]
    request = AuditEvent.objects.get(action="reporting.export.request")
    assert request.actor == program.director
    assert request.detail["format"] == "json" and request.detail["threshold"] is None


def test_shareable_exports_are_suppressed(program, django_capture_on_commit_callbacks):
    director = program.client("director")
    request_export(
        director, export_data(program, shareable="on"), django_capture_on_commit_callbacks
    )
    export = ReportExport.objects.get()
    assert export.threshold == 11
    data = json.loads(bytes(export.content))
    assert data["suppression"] == {"threshold": 11}
    assert data["implementation"]["referrals"]["by_source"]["event"] is None


def test_a_lead_export_is_always_suppressed(program, django_capture_on_commit_callbacks):
    lead = program.client("lead")
    request_export(
        lead,
        export_data(program, department=program.department_a.pk),
        django_capture_on_commit_callbacks,
    )
    export = ReportExport.objects.get()
    assert export.threshold == 11
    data = json.loads(bytes(export.content))
    assert data["scope"] == {"sites": [], "departments": ["North/Emergency Medicine"]}
    assert data["implementation"]["referrals"]["outcomes"]["suppressed"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"format": "docx"}, "Select a valid choice."),
        ({"start": "2021-01-01"}, "The period&#x27;s end must be on or after its start."),
        ({"end": "not a date"}, "Enter a valid date."),
        ({"department": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_export_requests_are_explained(program, overrides, message):
    response = program.client("director").post(EXPORT, export_data(program, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReportExport.objects.exists()


def test_departments_must_be_in_the_site(program):
    data = export_data(program, site=program.south.pk, department=program.department_a.pk)
    response = program.client("director").post(EXPORT, data)
    assert response.status_code == 400
    assert "The departments are not in the site chosen." in response.content.decode()


def test_progress_is_polled_until_the_file_is_ready(program):
    export = ReportExportFactory(
        requested_by=program.director, status=ExportStatus.PENDING, progress=0, content=None
    )
    director = program.client("director")
    url = reverse("reporting:export_progress", kwargs={"pk": export.pk})
    waiting = director.get(url).content.decode()
    assert 'hx-get="' + url + '"' in waiting and 'aria-valuenow="0"' in waiting
    download = reverse("reporting:export_download", kwargs={"pk": export.pk})
    assert director.get(download).status_code == 404  # not ready yet
    services.report_export_build(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.progress) == (ExportStatus.DONE, 100)
    ready = director.get(url).content.decode()
    assert "hx-get" not in ready and 'aria-valuenow="100"' in ready
    # Building again does nothing: the job was claimed once.
    services.report_export_build(export_id=export.pk)
    assert AuditEvent.objects.filter(action="reporting.export.ready").count() == 1


def test_a_failed_build_is_recorded_by_type_only(program, monkeypatch):
    export = ReportExportFactory(
        requested_by=program.director, status=ExportStatus.PENDING, progress=0, content=None
    )

    def broken(report, fmt):
        raise RuntimeError("something about Dr Somebody")

    monkeypatch.setattr(services, "render", broken)
    services.report_export_build(export_id=export.pk)
    export.refresh_from_db()
    assert (export.status, export.error, export.content) == (
        ExportStatus.FAILED,
        "RuntimeError",
        None,
    )
    page = program.client("director").get(
        reverse("reporting:export_detail", kwargs={"pk": export.pk})
    )
    assert "could not be prepared" in page.content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_every_format_downloads_with_its_type(program, fmt, django_capture_on_commit_callbacks):
    director = program.client("director")
    request_export(director, export_data(program, format=fmt), django_capture_on_commit_callbacks)
    export = ReportExport.objects.get()
    response = director.get(reverse("reporting:export_download", kwargs={"pk": export.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == export.content_type
    assert response.content[:4] in {b"dime", b"PK\x03\x04", b"%PDF"}


def test_export_list_shows_only_ones_own(program):
    ReportExportFactory(requested_by=program.director)
    ReportExportFactory(requested_by=program.lead, format="pdf")
    page = program.client("lead").get(reverse("reporting:export_list")).content.decode()
    assert page.count("<tr>") == 2  # the header and the lead's own
    assert "PDF" in page


def test_old_exports_are_purged(program):
    old = ReportExportFactory(requested_by=program.director)
    ReportExport.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(days=8))
    fresh = ReportExportFactory(requested_by=program.director)
    assert services.report_exports_purge() == 1
    assert list(ReportExport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert AuditEvent.objects.get(action="reporting.export.purge").detail == {"count": 1}
