"""Referrals in Spanish: an email is written in its recipient's language, whoever's request
sends it; the history and the suggestions read in the language of the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.models import Page, Urgency
from post_program import program_settings
from post_program.models import OutboxEmail
from tests.factories import PhysicianFactory

from .factories import on_call_for_a_day, referral_new, trained

pytestmark = pytest.mark.django_db


def _reads_spanish(user) -> None:
    user.language = "es"
    user.save(update_fields=["language"])


def test_a_supporter_reading_spanish_is_asked_in_spanish_by_a_coordinator_reading_english(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://post.example.org"
    _reads_spanish(cast.supporter_b)
    trained(cast.supporter_b_profile)
    referral = referral_new(department=cast.department_a)
    client = cast.client("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interactions:referral_assign", args=[referral.pk]),
            {"supporter": cast.supporter_b_profile.pk, "version": referral.version},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "en"
    (email,) = mail.outbox
    assert email.to == [cast.supporter_b.email]
    assert email.subject == "Se le ha pedido apoyar a un colega"
    link = "https://post.example.org" + reverse("interactions:referral_detail", args=[referral.pk])
    hours = program_settings.get().accept_within_hours
    assert email.body == (
        "Se le ha pedido apoyar a un colega a través del programa de apoyo entre pares. "
        f"Acepte o rechace en un plazo de {hours} horas, por favor.\n\n"
        f"Ábrala en POST (debe iniciar sesión):\n{link}\n\n"
        "Este correo no incluye detalles a propósito. El apoyo entre pares es confidencial.\n"
    )


def test_each_person_paged_reads_the_page_in_their_own_language(cast, settings):
    settings.PAGING_CHANNELS = ["email"]
    settings.URGENT_ACK_MINUTES = 15
    _reads_spanish(cast.supporter_a)
    on_call_for_a_day(
        site=cast.north, users=[cast.supporter_a, cast.coordinator], actor=cast.coordinator
    )
    t0 = timezone.now()
    referral = referral_new(
        department=cast.department_a,
        physician=PhysicianFactory(department=cast.department_a),
        urgency=Urgency.SAFETY,
        notify=True,
        at=t0,
    )
    alert = referral.urgent_alert
    assert services.urgent_alert_process(alert_id=alert.pk, now=t0 + timedelta(minutes=15))
    emails = {
        email.to_email: email
        for email in OutboxEmail.objects.filter(
            kind="interactions.urgent", pk__in=Page.objects.values("notification__email")
        )
    }
    spanish, english = emails[cast.supporter_a.email], emails[cast.coordinator.email]
    assert spanish.subject == (
        "URGENTE: una solicitud de apoyo entre pares informa de un problema de seguridad"
    )
    assert spanish.body.startswith(
        "Confirme que se está ocupando (no hace falta iniciar sesión; entonces se dejan de "
        "enviar avisos):\n"
    )
    assert "Revísela ahora, por favor" in spanish.body
    assert english.subject == "URGENT: a request for peer support reports a safety concern"
    assert english.body.startswith("Acknowledge that you are on it")
    # The same reply link scheme in both: only the words change.
    assert "/referrals/page/" in spanish.body and "/referrals/page/" in english.body


def test_the_history_and_the_suggestions_read_in_spanish(cast, settings):
    settings.PAGING_CHANNELS = ["email"]
    on_call_for_a_day(site=cast.north, users=[cast.supporter_a], actor=cast.coordinator)
    trained(cast.supporter_b_profile)
    referral = referral_new(department=cast.department_a, urgency=Urgency.SAFETY, notify=True)
    url = reverse("interactions:referral_detail", args=[referral.pk])
    client = cast.client("coordinator")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Paged the on-call person (round 1)" in english
    assert "Se avisó a la persona de guardia (ronda 1)" in spanish
    assert "Urgent: safety concern" in english
    assert "Urgente: problema de seguridad" in spanish
    assert "0 of 3 open cases" in english and "0 de 3 casos abiertos" in spanish
    assert "Formación vigente hasta el" in spanish
