"""The core's pages, messages and emails in Spanish: the crisis banner the program comes with,
a director's own banner, form errors, dates, the import's errors (in the language of who
uploaded the files), allauth's emails (in the recipient's language) and the 500 page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import loader
from django.test import Client
from django.urls import reverse
from django.utils import translation

from post_program import program_settings
from post_program.models import ImportJob

from ..factories import PhysicianFactory
from .test_import_export import DEPARTMENTS, PHYSICIANS

pytestmark = pytest.mark.django_db

SHIPPED = (
    "Emergency services|tel:911;"
    "988 Suicide & Crisis Lifeline (call or text)|tel:988;"
    "Physician Support Line|tel:+18884090141"
)


def _spanish(client: Client, url: str, **extra) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="es", **extra)
    assert response["Content-Language"] == "es"
    return response.content.decode()


def test_the_banner_the_program_comes_with_reads_in_spanish(settings):
    settings.CRISIS_RESOURCES = SHIPPED
    page = _spanish(Client(), reverse("help_now"))
    assert "Este servicio no es una línea de crisis." in page
    assert '<a class="crisis-link" href="tel:911">Servicios de emergencia</a>' in page
    assert "Línea 988 de Prevención del Suicidio y Crisis" in page
    assert "Emergency services" not in page
    english = Client().get(reverse("help_now"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<a class="crisis-link" href="tel:911">Emergency services</a>' in english


def test_a_banner_the_director_wrote_shows_as_written(cast):
    program_settings.program_settings_update(
        actor=cast.director,
        crisis_resources="Línea del hospital|tel:5550100;Emergency services|tel:911",
    )
    page = _spanish(Client(), reverse("help_now"))
    assert ">Línea del hospital</a>" in page
    # A label the program ships is still the program's words, in the reader's language.
    assert ">Servicios de emergencia</a>" in page
    english = Client().get(reverse("help_now"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Línea del hospital</a>" in english


def test_a_settings_error_reads_in_spanish(cast):
    client = cast.client("director")
    values = {**program_settings.get().__dict__, "suppression_threshold": "3"}
    values.pop("anonymous_colleague_referrals")
    response = client.post(reverse("program_settings"), values, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    page = response.content.decode()
    assert "El mínimo es 5: por debajo de 5, un recuento" in page
    assert "Revise 1 campo:" in page
    assert "Umbral de supresión" in page


def test_roster_dates_are_written_the_spanish_way(cast):
    PhysicianFactory(department=cast.department_a, started_on=date(2024, 3, 9), ended_on=None)
    page = _spanish(cast.client("director"), reverse("roster_list"))
    assert "del 09/03/2024 a hoy" in page
    english = cast.client("director").get(reverse("roster_list"), HTTP_ACCEPT_LANGUAGE="en")
    assert "03/09/2024 to now" in english.content.decode()


def test_import_errors_are_in_the_language_of_who_uploaded(
    cast, django_capture_on_commit_callbacks
):
    cast.director.language = "es"
    cast.director.save(update_fields=["language"])
    bad = PHYSICIANS.replace("2020-02-01", "2020-02-30")
    upload = [
        SimpleUploadedFile("departments.csv", DEPARTMENTS.encode(), content_type="text/csv"),
        SimpleUploadedFile("physicians.csv", bad.encode(), content_type="text/csv"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        cast.client("director").post(reverse("import_start"), {"files": upload})
    job = ImportJob.objects.get()
    assert job.errors == [
        "physicians.csv:3: started_on: '2020-02-30' no es una fecha con el formato AAAA-MM-DD "
        "(YYYY-MM-DD)"
    ]
    page = cast.client("director").get(reverse("import_detail", kwargs={"pk": job.pk}))
    assert "Se encontró 1 error. No se escribió nada." in page.content.decode()


def test_a_password_reset_is_written_in_the_recipient_s_language(
    cast, django_capture_on_commit_callbacks
):
    cast.physician.language = "es"
    cast.physician.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("account_reset_password"),
            {"email": cast.physician.email},
            HTTP_ACCEPT_LANGUAGE="en",  # whoever asked reads English
        )
    (message,) = mail.outbox
    assert "contraseña" in message.subject.lower()
    assert "contraseña" in message.body


def test_a_password_reset_for_someone_with_no_language_is_in_english(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("account_reset_password"),
            {"email": cast.physician.email},
            HTTP_ACCEPT_LANGUAGE="es",
        )
    (message,) = mail.outbox
    assert "Password Reset" in message.subject


def test_the_sign_in_page_reads_in_spanish():
    page = _spanish(Client(), reverse("account_login"))
    assert "Iniciar sesión" in page
    assert "Contraseña" in page


def test_the_500_page_renders_in_spanish_without_a_request():
    with translation.override("es"):
        html = loader.get_template("500.html").render()
    assert '<html lang="es">' in html
    assert "Algo salió mal" in html and 'href="/help/"' in html


def test_the_scripts_get_their_words_in_the_page_s_language(cast):
    page = _spanish(cast.client("physician"), reverse("help_now"))
    assert 'data-working="Procesando…"' in page
    assert 'data-scrolls="{name} (se desplaza horizontalmente)"' in page
