"""The reporting pages, files and emails in Spanish: numbers and months the Spanish way on the
pages, the workbook's words in the requester's language, the digest in each recipient's, while
the JSON contract stays English."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from reporting import services
from reporting.forms import PrismNoteForm
from reporting.models import ExportStatus, ReportExport
from reporting.render.files import render
from reporting.report import ReAimReport, period_parse
from tests.factories import DepartmentFactory

from .conftest import PERIOD
from .factories import ReportExportFactory
from .test_dashboards import cells


@pytest.fixture(autouse=True)
def _language_restored():
    """A request activates its reader's language for the thread: the next test reads English."""
    with translation.override(translation.get_language()):
        yield


def _spanish(user) -> None:
    user.language = "es"
    user.save(update_fields=["language"])


def _workbook(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content), read_only=True)


def test_a_spanish_dashboard_writes_numbers_and_months_the_spanish_way(program):
    _spanish(program.director)
    response = program.client("director").get(reverse("reporting:program_dashboard"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    shown = cells(html)
    assert shown["reach.proportion_supported"] == "39,0 %"  # 16 of 41, decimal comma
    assert shown["reach.successful_interactions"] == "16"
    assert "1 de enero de 2020 a 31 de diciembre de 2020" in html
    details = {card["path"]: card["detail"] for card in response.context["cards"]}
    assert details["reach.proportion_supported"] == "16 de 41 médicos que podían recibir apoyo"
    assert "Alcance" in html and "Proporción de médicos apoyados" in html


@pytest.mark.django_db
def test_the_workbook_is_written_in_spanish_under_spanish():
    report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"))
    with translation.override("es"):
        content, filename = render(report, "xlsx")
    workbook = _workbook(content)
    assert workbook.sheetnames[:2] == ["Informe", "Alcance"]
    assert {"Por departamento", "Tendencia", "Contexto PRISM", "Definiciones"} <= set(
        workbook.sheetnames
    )
    reach = list(workbook["Alcance"].iter_rows(values_only=True))
    assert reach[0] == ("Cifra", "Valor", "Numerador", "Denominador", "Qué significa")
    assert "Médicos apoyados" in {row[0] for row in reach[1:]}
    assert filename == "reaim-report-2020-01-01-to-2020-12-31.xlsx"  # file names hold dates only


def test_prism_labels_are_spanish_in_the_workbook_and_english_in_the_json(program):
    report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"))
    with translation.override("es"):
        workbook = _workbook(render(report, "xlsx")[0])
        data = json.loads(render(report, "json")[0])
    tags = [row[2] for row in workbook["Contexto PRISM"].iter_rows(min_row=2, values_only=True)]
    assert "Barrera" in tags and "Barrier" not in tags
    assert {note["tag_label"] for note in data["prism"]} == {"Barrier", "Facilitator", "Context"}
    assert "External environment" in {note["domain_label"] for note in data["prism"]}


def test_an_export_is_built_in_the_language_of_who_asked_for_it(program):
    _spanish(program.director)
    export = ReportExportFactory(
        requested_by=program.director,
        format="xlsx",
        status=ExportStatus.PENDING,
        progress=0,
        content=None,
    )
    services.report_export_build(export_id=export.pk)  # the worker's language is English
    content = ReportExport.objects.values_list("content", flat=True).get(pk=export.pk)
    assert _workbook(bytes(content)).sheetnames[:2] == ["Informe", "Alcance"]


def test_the_digest_is_written_in_each_recipients_language(
    program, django_capture_on_commit_callbacks
):
    _spanish(program.lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_send_monthly(today=date(2024, 5, 1))
    by_recipient = {message.to[0]: message for message in mail.outbox}
    lead, director = by_recipient["lead@example.org"], by_recipient["director@example.org"]
    assert lead.subject == "Su informe mensual del programa de apoyo entre pares está listo"
    assert "Inicie sesión para verlo" in lead.body
    assert director.subject == "Your monthly report of the peer support program is ready"
    assert "Sign in to see it" in director.body


@pytest.mark.django_db
def test_a_prism_note_form_error_reads_in_spanish():
    department = DepartmentFactory()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with translation.override("es"):
        form = PrismNoteForm(
            {
                "domain": "infrastructure",
                "tag": "barrier",
                "noted_on": tomorrow.isoformat(),
                "department": department.pk,
                "text": "Sala sin espacio.",
            },
            departments=type(department).objects.all(),
            program_wide=False,
        )
        assert not form.is_valid()
        assert form.errors["noted_on"] == ["La fecha no puede ser futura."]
