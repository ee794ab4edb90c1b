"""Directors build their own instruments (every question type) and new versions of them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from post_program.models import AuditEvent
from surveys import services
from surveys.models import Campaign, Instrument, Response

from .factories import answer_data, make_invitation, settled

ROW_FIELDS = ("code", "text", "kind", "required", "options", "min_value", "max_value", "scored")


def _builder_data(rows, **overrides):
    data = {
        "code": "team_climate",
        "name": "Team climate",
        "description": "A short pulse survey.",
        "intro": "Anonymous, two minutes.",
        "scoring": "none",
        "q-TOTAL_FORMS": str(len(rows) + 2),
        "q-INITIAL_FORMS": "0",
        "q-MIN_NUM_FORMS": "0",
        "q-MAX_NUM_FORMS": "60",
    }
    for index, row in enumerate(rows):
        for name in ROW_FIELDS:
            value = row.get(name, "")
            if isinstance(value, bool):
                if value:
                    data[f"q-{index}-{name}"] = "on"
            else:
                data[f"q-{index}-{name}"] = str(value)
    data.update(overrides)
    return data


ALL_KINDS = [
    {"code": "safe", "text": "I feel safe to speak up.", "kind": "likert", "required": True},
    {"code": "used", "text": "Have you used peer support?", "kind": "yes_no", "required": True},
    {
        "code": "shift",
        "text": "Which shift do you mostly work?",
        "kind": "single_choice",
        "options": "day: Days\nnight: Nights",
        "required": True,
    },
    {
        "code": "topics",
        "text": "Which topics matter to you?",
        "kind": "multiple_choice",
        "options": "sleep: Sleep\nerrors: Medical errors\nfamily: Family",
        "required": False,
    },
    {
        "code": "stress",
        "text": "Stress this week",
        "kind": "scale",
        "min_value": 1,
        "max_value": 7,
        "required": True,
    },
    {
        "code": "hours",
        "text": "Hours worked last week",
        "kind": "number",
        "min_value": 0,
        "max_value": 120,
        "required": False,
    },
    {"code": "comment", "text": "Anything else?", "kind": "text", "required": False},
]


def test_director_builds_an_instrument_with_every_question_type(cast):
    page = cast.client("director").post(
        reverse("surveys:instrument_create"), _builder_data(ALL_KINDS)
    )
    assert page.status_code == 302, page.context and page.context["formset"].errors
    instrument = Instrument.objects.get(code="team_climate")
    assert not instrument.builtin
    version = instrument.current_version
    assert version.number == 1
    kinds = list(version.questions.order_by("position").values_list("code", "kind"))
    assert kinds == [(row["code"], row["kind"]) for row in ALL_KINDS]
    topics = version.questions.get(code="topics")
    assert topics.choices == [
        ("sleep", "Sleep"),
        ("errors", "Medical errors"),
        ("family", "Family"),
    ]
    assert AuditEvent.objects.filter(action="survey.instrument_create").count() == 1


def test_answers_to_a_custom_instrument_are_checked_and_stored(cast):
    cast.client("director").post(reverse("surveys:instrument_create"), _builder_data(ALL_KINDS))
    version = Instrument.objects.get(code="team_climate").current_version
    campaign = Campaign.objects.create(
        name="Pulse",
        version=version,
        audience="departments",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        status="open",
    )
    _, token = make_invitation(campaign, cast.physician_profile)
    url = reverse("surveys:response_create", kwargs={"token": token})
    bad = Client().post(
        url,
        answer_data(
            {
                "safe": 4,
                "used": True,
                "shift": "evening",
                "topics": ["sleep", "golf"],
                "stress": 8,
                "hours": 200,
                "comment": "x" * 501,
            }
        ),
    )
    errors = bad.context["form"].errors
    assert set(errors) == {"shift", "topics", "stress", "hours", "comment"}
    assert "Enter a whole number from 0 to 120." in errors["hours"]
    assert "Please keep it under 500 characters." in errors["comment"]
    good = Client().post(
        url,
        answer_data(
            {
                "safe": 4,
                "used": True,
                "shift": "night",
                "topics": ["family", "sleep"],
                "stress": 7,
                "hours": 52,
                "comment": "=HYPERLINK(1)",
            }
        ),
    )
    assert good.status_code == 302
    settled()
    stored = {a.question.code: a.export_value for a in Response.objects.get().answers.all()}
    assert stored == {
        "safe": "4",
        "used": "yes",
        "shift": "night",
        "topics": "sleep;family",
        "stress": "7",
        "hours": "52",
        "comment": "=HYPERLINK(1)",
    }


def test_optional_questions_may_be_left_empty(cast):
    cast.client("director").post(reverse("surveys:instrument_create"), _builder_data(ALL_KINDS))
    version = Instrument.objects.get(code="team_climate").current_version
    campaign = Campaign.objects.create(
        name="Pulse",
        version=version,
        audience="departments",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        status="open",
    )
    _, token = make_invitation(campaign, cast.physician_profile)
    page = Client().post(
        reverse("surveys:response_create", kwargs={"token": token}),
        answer_data({"safe": 2, "used": False, "shift": "day", "stress": 1}),
    )
    assert page.status_code == 302
    settled()
    assert Response.objects.get().answers.count() == 4


@pytest.mark.parametrize(
    ("rows", "overrides", "message"),
    [
        ([], {}, "Add at least one question."),
        ([{**ALL_KINDS[0]}, {**ALL_KINDS[1], "code": "safe"}], {}, "is used twice"),
        ([{**ALL_KINDS[2], "options": "day: Days"}], {}, "at least two options"),
        ([{**ALL_KINDS[2], "options": "Days\nNights"}], {}, "Write each option as code: label"),
        ([{**ALL_KINDS[2], "options": "day: Days\nday: Again"}], {}, "two options share a code"),
        ([{**ALL_KINDS[4], "min_value": 5, "max_value": 5}], {}, "must be above the lowest"),
        ([{**ALL_KINDS[4], "min_value": 0, "max_value": 20}], {}, "at most 11 points"),
        ([{**ALL_KINDS[4], "max_value": ""}], {}, "needs a lowest and a highest value"),
        ([{**ALL_KINDS[6], "scored": True}], {}, "only yes/no, agreement"),
        ([ALL_KINDS[0]], {"scoring": "mean"}, "at least one question that counts"),
        ([{**ALL_KINDS[0], "scored": True}], {"scoring": "who5"}, "only rating items from 0 to 5"),
        ([{**ALL_KINDS[0], "code": "Bad Code"}], {}, "Start with a letter"),
        ([{**ALL_KINDS[0], "text": ""}], {}, "Write the question."),
        ([{**ALL_KINDS[0], "kind": ""}], {}, "Choose a question type."),
        ([ALL_KINDS[0]], {"code": "1st"}, "Start with a letter"),
        ([ALL_KINDS[0]], {"code": "wellbeing"}, "exists already"),
        ([ALL_KINDS[0]], {"name": ""}, "This field is required"),
    ],
)
def test_builder_refuses_bad_input(cast, rows, overrides, message):
    page = cast.client("director").post(
        reverse("surveys:instrument_create"), _builder_data(rows, **overrides)
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not Instrument.objects.filter(builtin=False).exists()


def test_a_new_version_keeps_earlier_responses_on_theirs(cast):
    client = cast.client("director")
    client.post(reverse("surveys:instrument_create"), _builder_data(ALL_KINDS[:2]))
    instrument = Instrument.objects.get(code="team_climate")
    first = instrument.current_version
    form = client.get(reverse("surveys:instrument_version_create", kwargs={"pk": instrument.pk}))
    assert form.context["formset"].initial[0]["code"] == "safe"  # prefilled from version 1
    rows = [{**ALL_KINDS[0], "text": "I can speak up without fear."}, ALL_KINDS[2]]
    data = _builder_data(rows)
    page = client.post(
        reverse("surveys:instrument_version_create", kwargs={"pk": instrument.pk}), data
    )
    assert page.status_code == 302
    second = instrument.current_version
    assert (first.number, second.number) == (1, 2)
    assert list(second.questions.values_list("code", flat=True)) == ["safe", "shift"]
    assert list(first.questions.values_list("code", flat=True)) == ["safe", "used"]


def test_builtin_instruments_get_no_new_version(cast):
    wellbeing = Instrument.objects.get(code="wellbeing")
    url = reverse("surveys:instrument_version_create", kwargs={"pk": wellbeing.pk})
    assert cast.client("director").get(url).status_code == 403
    with pytest.raises(ValidationError):
        services.instrument_version_create(
            actor=cast.director,
            instrument=wellbeing,
            intro="",
            scoring="none",
            questions=[services.QuestionSpec(code="a", text="A?", kind="yes_no")],
        )


def test_instrument_pages_list_and_show_questions(cast):
    client = cast.client("director")
    listing = client.get(reverse("surveys:instrument_list")).content.decode()
    assert "WHO-5 well-being index" in listing and "program_evaluation" in listing
    wellbeing = Instrument.objects.get(code="wellbeing")
    detail = client.get(reverse("surveys:instrument_detail", kwargs={"pk": wellbeing.pk}))
    assert "who5_5" in detail.content.decode()
