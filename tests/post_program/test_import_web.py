"""The director's import page: upload, see the check, confirm, watch it written."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from post_program.models import AuditEvent, Department, ImportJob, Physician

from .test_import_export import DEPARTMENTS, PHYSICIANS


def _upload(client, **files: str):
    uploads = [
        SimpleUploadedFile(f"{name}.csv", content.encode(), content_type="text/csv")
        for name, content in files.items()
    ]
    return client.post(reverse("import_start"), {"files": uploads})


def test_upload_shows_the_check_then_confirm_writes(cast, django_capture_on_commit_callbacks):
    client = cast.client("director")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, departments=DEPARTMENTS, physicians=PHYSICIANS)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import_detail", kwargs={"pk": job.pk})
    page = client.get(response["Location"]).content.decode()
    assert "Ready to import" in page and "physicians.csv" in page
    assert not Physician.objects.filter(physician_id="P1").exists(), "nothing written before"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_confirm", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.files == {}, "uploaded names and emails are not kept"
    assert job.counts["physicians.csv"]["created"] == 3
    assert Physician.objects.filter(physician_id__in=["P1", "P2", "P3"]).count() == 3
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"program.import_upload", "program.import_confirm", "program.import"} <= actions
    # Confirming again does nothing and says so.
    again = client.post(reverse("import_confirm", kwargs={"pk": job.pk}), follow=True)
    assert "not ready to be written" in again.content.decode()
    assert AuditEvent.objects.filter(action="program.import").count() == 1


def test_errors_are_listed_and_nothing_is_written(cast, django_capture_on_commit_callbacks):
    client = cast.client("director")
    bad = PHYSICIANS.replace("2020-02-01", "2020-02-30")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, departments=DEPARTMENTS, physicians=bad)
    page = client.get(response["Location"]).content.decode()
    assert "1 error found. Nothing was written." in page
    assert "physicians.csv:3: started_on: &#x27;2020-02-30&#x27; is not a date" in page
    assert not Department.objects.filter(name="Pediatrics").exists()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.REJECTED and job.files == {}
    response = client.post(reverse("import_confirm", kwargs={"pk": job.pk}), follow=True)
    assert "not ready to be written" in response.content.decode()


def test_bad_uploads_get_a_clear_message(cast):
    client = cast.client("director")
    response = client.post(reverse("import_start"), {})
    assert "Choose at least one file" in response.content.decode() or (
        "This field is required" in response.content.decode()
    )
    response = client.post(
        reverse("import_start"), {"files": [SimpleUploadedFile("roster.pdf", b"%PDF")]}
    )
    assert "Only .csv and .xlsx files: roster.pdf." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_status_partial_polls_only_while_running(cast):
    client = cast.client("director")
    job = ImportJob.objects.create(created_by=cast.director, status="importing")
    partial = client.get(
        reverse("import_detail", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.lstrip().startswith('<div id="import-status"')
    assert 'hx-trigger="every 1s"' in partial and 'role="progressbar"' in partial
    job.status = "done"
    job.save()
    partial = client.get(
        reverse("import_detail", kwargs={"pk": job.pk}), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "hx-trigger" not in partial
