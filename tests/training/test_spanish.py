"""Training in Spanish: emails in their recipient's language whoever sends them, dates written
the Spanish way, form errors and the calendar file in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from post_program.models import OutboxEmail
from tests.factories import PhysicianFactory, UserFactory
from training import services

from .factories import CourseFactory, TrainingCompletionFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_a_sign_up_email_is_in_the_recipient_s_spanish_while_the_lead_reads_english(cast):
    session = TrainingSessionFactory()
    user = UserFactory(language="es")
    colleague = PhysicianFactory(department=cast.department_a, user=user, email=user.email)
    english_speaker = PhysicianFactory(department=cast.department_a)
    client = cast.client("lead")
    for physician in (colleague, english_speaker):
        response = client.post(
            reverse("training:session_signup", args=[session.pk]),
            {"physician": physician.physician_id},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 302
    assert (
        "is signed up."
        in client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    spanish = OutboxEmail.objects.get(to_email=user.email)
    assert spanish.subject == "Tiene un cupo en una sesión de formación en apoyo entre pares"
    assert spanish.body.startswith(
        "Tiene un cupo en una sesión de formación en apoyo entre pares. El curso, su fecha y su "
        "lugar figuran en su página de formación.\n\nInicie sesión para ver los detalles: "
    )
    english = OutboxEmail.objects.get(to_email=english_speaker.email)
    assert english.subject == "You have a seat in a peer support training session"


@freeze_time("2025-06-01 12:00")
def test_a_refresher_reminder_is_in_the_supporter_s_spanish(cast, settings):
    settings.REFRESHER_MONTHS, settings.REFRESHER_REMINDER_DAYS = 24, 30
    cast.supporter_a.language = "es"
    cast.supporter_a.save(update_fields=["language"])
    TrainingCompletionFactory(
        physician=cast.supporter_a_profile.physician, completed_on="2023-06-20"
    )
    (ready,) = services.refresher_reminders_schedule()
    assert services.refresher_reminder_send(reminder_id=ready) is True
    email = OutboxEmail.objects.get(kind="training.refresher")
    assert email.subject == "Su formación como colega de apoyo requiere un curso de actualización"
    assert "con un curso de actualización, seguirá entre los colegas de apoyo" in email.body


@freeze_time("2025-06-01 12:00")
def test_my_training_writes_dates_the_spanish_way(cast, settings):
    settings.REFRESHER_MONTHS = 24
    TrainingCompletionFactory(
        physician=cast.supporter_a_profile.physician, completed_on="2024-01-10"
    )
    client = cast.client("supporter_a")
    spanish = client.get(reverse("training:my_training"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Su formación está vigente hasta el <strong>10 de enero de 2026</strong>." in (
        spanish.content.decode()
    )
    english = client.get(reverse("training:my_training"), HTTP_ACCEPT_LANGUAGE="en")
    assert "current until <strong>Jan. 10, 2026</strong>" in english.content.decode()


def test_the_session_page_gives_its_time_and_length_the_spanish_way(cast):
    course = CourseFactory(hours=Decimal("1.5"))
    session = TrainingSessionFactory(
        course=course,
        starts_at=datetime(2030, 3, 4, 17, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 4, 18, 30, tzinfo=UTC),
    )
    page = cast.client("physician").get(
        reverse("training:session_detail", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="es"
    )
    text = page.content.decode()
    assert "(formación inicial, 1,5 horas)" in text
    assert "lunes, 4 de marzo de 2030 a las 17:00</time> hasta las <time" in text


def test_a_session_form_error_reads_in_spanish(cast):
    response = cast.client("director").post(
        reverse("training:session_create"),
        {
            "course": CourseFactory().pk,
            "starts_at": "2030-03-04T17:00",
            "ends_at": "2030-03-04T16:00",
            "location": "Sala 4",
            "facilitator": cast.director.pk,
            "capacity": "10",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    assert "Una sesión debe terminar después de comenzar." in response.content.decode()


def test_the_calendar_file_describes_the_session_in_the_reader_s_language(cast):
    session = TrainingSessionFactory(course=CourseFactory(hours=Decimal("1.0"), topics="Escucha"))
    url = reverse("training:session_ics", args=[session.pk])
    client = cast.client("physician")
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode().replace("\r\n ", "")
    assert (
        "DESCRIPTION:Formación inicial\\, 1 hora.\\nTemas: Escucha\\nDetalles e inscripción: "
        in (spanish)
    )
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode().replace("\r\n ", "")
    assert "DESCRIPTION:Initial training\\, 1 hour.\\nTopics: Escucha\\nDetails and sign-up: " in (
        english
    )
