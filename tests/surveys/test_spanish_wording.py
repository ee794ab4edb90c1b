"""Surveys in Spanish: the built-ins' Spanish wording, the page in the invitation's language,
emails in the recipient's language, and answers pooled whatever the language they were given in."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from surveys import selectors, services
from surveys.models import Instrument, Question
from tests.interactions.test_fuzz import FUZZ, junk

from .factories import (
    PROGRAM_EVALUATION_YES,
    answer_data,
    make_campaign,
    make_invitation,
    settled,
    tokens_in,
    version_of,
)

WHO5_ALL_OF_THE_TIME = {f"who5_{n}": 5 for n in range(1, 6)}


def _url(token: str) -> str:
    return reverse("surveys:response_create", kwargs={"token": token})


def _speaks(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def test_who5_reads_in_its_published_spanish_version():
    version = version_of("wellbeing")
    with translation.override("es"):
        assert version.localized_intro == (
            "Por favor, indique para cada una de las cinco afirmaciones cuál define mejor cómo "
            "se ha sentido durante las últimas dos semanas."
        )
        first, *_, fifth = version.questions.order_by("position")
        assert first.localized_text == "Me he sentido alegre y de buen humor."
        assert (
            fifth.localized_text == "Mi vida cotidiana ha estado llena de cosas que me interesan."
        )
        assert first.scale_points == [
            (0, "0 — Nunca"),
            (1, "1 — De vez en cuando"),
            (2, "2 — Menos de la mitad del tiempo"),
            (3, "3 — Más de la mitad del tiempo"),
            (4, "4 — La mayor parte del tiempo"),
            (5, "5 — Todo el tiempo"),
        ]
    # The same question in English: its code and its scale do not change.
    assert first.code == "who5_1" and first.scale_points[5] == (5, "5 — All of the time")


def test_every_builtin_question_has_spanish_wording():
    builtin = Question.objects.filter(version__instrument__builtin=True)
    assert builtin.count() == 19
    assert not builtin.filter(text_es="").exists()
    assert not Instrument.objects.filter(builtin=True, name_es="").exists()


def test_the_survey_opens_in_the_language_the_invitation_was_written_in(cast):
    _speaks(cast.physician, "es")
    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    page = Client().get(_url(token), HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "es"
    body = page.content.decode()
    assert "Evaluación del programa" in body
    assert "¿Recomendaría el programa de apoyo entre pares a un colega?" in body
    assert "Would you recommend" not in body
    sent = Client().post(_url(token), answer_data(PROGRAM_EVALUATION_YES))
    thanks = Client().get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert thanks["Content-Language"] == "es"
    assert "Gracias" in thanks.content.decode()


def test_a_visitor_s_own_choice_beats_the_invitation_s_language(cast, settings):
    _speaks(cast.physician, "es")
    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(_url(token))
    assert page["Content-Language"] == "en"
    assert "Would you recommend the peer support program" in page.content.decode()


def test_with_no_choice_made_the_survey_follows_the_browser(cast):
    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    page = Client().get(_url(token), HTTP_ACCEPT_LANGUAGE="es")
    assert page["Content-Language"] == "es"
    assert "Antes de esta encuesta" in page.content.decode()


def test_a_missing_answer_is_explained_in_spanish(cast):
    campaign = make_campaign(departments=[cast.department_a])
    _, token = make_invitation(campaign, cast.physician_profile)
    page = Client().post(_url(token), {}, HTTP_ACCEPT_LANGUAGE="es")
    assert page.status_code == 200
    assert "Elija una respuesta." in page.content.decode()


def test_a_director_s_own_question_without_spanish_reads_in_english(cast):
    instrument = services.instrument_create(
        actor=cast.director,
        code="pulse",
        name="Pulse",
        questions=[
            services.QuestionSpec(code="rested", text="I feel rested.", kind="yes_no"),
            services.QuestionSpec(
                code="shift",
                text="Which shift?",
                text_es="¿Qué turno?",
                kind="single_choice",
                options=[{"code": "day", "label": "Day"}, {"code": "night", "label": "Night"}],
                options_es=["Día", "Noche"],
            ),
        ],
    )
    campaign = make_campaign(code="pulse", departments=[cast.department_a])
    assert campaign.version.instrument == instrument
    _, token = make_invitation(campaign, cast.physician_profile)
    body = Client().get(_url(token), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "I feel rested." in body  # no Spanish given: the English
    assert "¿Qué turno?" in body and "Noche" in body and "Night" not in body


def test_spanish_option_labels_must_match_the_options():
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.questions_validate(
            [
                services.QuestionSpec(
                    code="shift",
                    text="Which shift?",
                    kind="single_choice",
                    options=[{"code": "day", "label": "Day"}, {"code": "night", "label": "Night"}],
                    options_es=["Día"],
                )
            ],
            scoring="none",
        )
    assert error.value.messages == [
        "Question 1: give one Spanish label per option (or per labelled point), in the same "
        "order, or none."
    ]


def test_answers_in_spanish_and_in_english_count_together(cast):
    """Two responses to the same version, one given in each language: one question, one score."""
    _speaks(cast.physician, "es")
    _speaks(cast.supporter_a, "en")
    campaign = make_campaign(code="wellbeing", departments=[cast.department_a])
    _, spanish = make_invitation(campaign, cast.physician_profile)
    _, english = make_invitation(campaign, cast.supporter_a_profile.physician)
    for token, language in ((spanish, "es"), (english, "en")):
        page = Client().get(_url(token))
        assert page["Content-Language"] == language
        assert Client().post(_url(token), answer_data(WHO5_ALL_OF_THE_TIME)).status_code == 302
    assert settled() == 2
    results = selectors.campaign_results(campaign, exact_response_rate=True, threshold=1)
    first = next(item for item in results.items if item.question.code == "who5_1")
    assert first.respondents == 2
    assert {cell.code: cell.count for cell in first.cells}["5"] == 2
    assert (results.score_respondents, results.score_mean) == (2, 100)


def test_the_invitation_is_written_in_each_recipient_s_language(
    cast, django_capture_on_commit_callbacks
):
    _speaks(cast.physician, "es")
    _speaks(cast.director, "en")
    closes_on = timezone.localdate() + timedelta(days=10)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_create(
            actor=cast.director,
            name="Evaluation",
            version=version_of("program_evaluation"),
            audience="departments",
            departments=[cast.department_a],
            opens_on=timezone.localdate(),
            closes_on=closes_on,
        )
    by_recipient = {message.to[0]: message for message in mail.outbox}
    spanish = by_recipient["physician@example.org"]
    assert spanish.subject == (
        "El programa de apoyo entre pares le pide que responda una breve encuesta anónima"
    )
    assert "Evaluación del programa" in spanish.body
    assert "Abra la encuesta (no hace falta iniciar sesión):" in spanish.body
    with translation.override("es"):
        until = formats.date_format(closes_on, "DATE_FORMAT")
    assert until.endswith(str(closes_on.year)) and " de " in until
    assert f"hasta el {until}." in spanish.body
    assert tokens_in([spanish])
    english = by_recipient["supporter.a@example.org"]
    assert english.subject.startswith("The peer support program asks for your answers")
    assert "Program evaluation" in english.body


def test_campaign_dates_read_the_spanish_way(cast):
    make_campaign(
        departments=[cast.department_a], opens_on=date(2030, 3, 4), closes_on=date(2030, 3, 25)
    )
    body = (
        cast.client("director")
        .get(reverse("surveys:campaign_list"), HTTP_ACCEPT_LANGUAGE="es")
        .content.decode()
    )
    assert "del 04/03/2030 al 25/03/2030" in body
    assert "Evaluación del programa" in body


def test_a_director_writes_the_spanish_wording_in_the_builder(cast):
    data = {
        "code": "team_climate",
        "name": "Team climate",
        "name_es": "Clima del equipo",
        "intro": "Two minutes.",
        "intro_es": "Dos minutos.",
        "scoring": "none",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "60",
        "q-0-code": "shift",
        "q-0-text": "Which shift do you mostly work?",
        "q-0-text_es": "¿En qué turno trabaja sobre todo?",
        "q-0-kind": "single_choice",
        "q-0-required": "on",
        "q-0-options": "day: Days\nnight: Nights",
        "q-0-options_es": "Días\nNoches",
    }
    page = cast.client("director").post(reverse("surveys:instrument_create"), data)
    assert page.status_code == 302
    instrument = Instrument.objects.get(code="team_climate")
    version = instrument.current_version
    question = version.questions.get()
    assert (instrument.name_es, version.intro_es) == ("Clima del equipo", "Dos minutos.")
    assert question.options_es == ["Días", "Noches"]
    with translation.override("es"):
        assert question.choices == [("day", "Días"), ("night", "Noches")]
    # The next version starts from the same wording, Spanish included.
    form = cast.client("director").get(
        reverse("surveys:instrument_version_create", kwargs={"pk": instrument.pk})
    )
    assert "¿En qué turno trabaja sobre todo?" in form.content.decode()
    assert "Dos minutos." in form.content.decode()


@FUZZ
@given(
    name_es=junk,
    intro_es=junk,
    text_es=junk,
    options_es=st.one_of(junk, st.just("Días\nNoches"), st.just("Días")),
)
def test_no_spanish_wording_in_the_builder_is_a_server_error(
    cast, name_es, intro_es, text_es, options_es
):
    """Whatever the Spanish fields hold, the builder saves or refuses with a message; a
    refusal creates nothing."""
    code = f"fuzz_{uuid.uuid4().hex[:12]}"
    data = {
        "code": code,
        "name": "Team climate",
        "name_es": name_es,
        "intro_es": intro_es,
        "scoring": "none",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "60",
        "q-0-code": "shift",
        "q-0-text": "Which shift?",
        "q-0-text_es": text_es,
        "q-0-kind": "single_choice",
        "q-0-options": "day: Days\nnight: Nights",
        "q-0-options_es": options_es,
    }
    page = cast.client("director").post(reverse("surveys:instrument_create"), data)
    assert page.status_code in (200, 302)
    assert Instrument.objects.filter(code=code).exists() == (page.status_code == 302)
