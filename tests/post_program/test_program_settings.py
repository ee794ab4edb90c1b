"""The settings the director owns: edited on one page, stored and audited, read everywhere
through `program_settings.get()`, and refused with the reason when they cannot be saved."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from interactions.models import Referral
from post_program import program_settings
from post_program.models import AuditEvent, ProgramSettings
from tests.factories import PhysicianFactory
from tests.interactions.factories import referral_new, request_form
from tests.interactions.test_fuzz import FUZZ, _form, _value

pytestmark = pytest.mark.django_db

URL = reverse("program_settings")


ENVIRONMENT = {
    "SUPPRESSION_THRESHOLD": 11,
    "FIRST_CONTACT_DEADLINE_HOURS": 24,
    "URGENT_FIRST_CONTACT_HOURS": 4,
    "ACCEPT_WITHIN_HOURS": 4,
    "CRISIS_RESOURCES": "Lifeline|tel:988",
    "RETENTION_DAYS": 90,
    "REFRESHER_MONTHS": 24,
    "ANONYMOUS_COLLEAGUE_REFERRALS": False,
    "RECIPIENT_FEEDBACK_DELAY_DAYS": 3,
}


@pytest.fixture
def environment(settings):
    for name, value in ENVIRONMENT.items():
        setattr(settings, name, value)
    return settings


def form_data(**changes) -> dict:
    data = {
        "suppression_threshold": "11",
        "first_contact_hours": "24",
        "urgent_first_contact_hours": "4",
        "accept_within_hours": "4",
        "crisis_resources": "Lifeline|tel:988",
        "retention_days": "90",
        "refresher_months": "24",
        "recipient_feedback_delay_days": "3",
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


def test_until_the_director_saves_every_value_is_the_environment_s(cast, environment):
    page = cast.client("director").get(URL)
    assert page.status_code == 200
    assert page.context["form"].initial == asdict(program_settings.environment_defaults())
    environment.FIRST_CONTACT_DEADLINE_HOURS = 30
    assert program_settings.get().first_contact_hours == 30
    assert not ProgramSettings.objects.exists()


def test_the_director_changes_the_deadline_and_the_next_referral_follows_it(cast, environment):
    response = cast.client("director").post(URL, form_data(first_contact_hours="36"))
    assert response.status_code == 302
    assert program_settings.get().first_contact_hours == 36

    client = cast.client("physician")
    colleague = PhysicianFactory(department=cast.department_c)
    client.post(
        reverse("interactions:referral_request"),
        request_form(for_whom="colleague", colleague=colleague.pk),
    )
    referral = Referral.objects.get()
    assert referral.first_contact_due_at - referral.received_at == timedelta(hours=36)
    # The environment no longer decides once the director has.
    environment.FIRST_CONTACT_DEADLINE_HOURS = 12
    later = referral_new(department=cast.department_a)
    assert later.first_contact_due_at - later.received_at == timedelta(hours=36)


def test_every_change_is_audited_with_who_old_and_new(cast, environment):
    client = cast.client("director")
    client.post(URL, form_data(refresher_months="12", anonymous_colleague_referrals="on"))
    event = AuditEvent.objects.get(action="program.settings_update")
    assert event.actor == cast.director
    assert event.detail == {
        "changes": {
            "refresher_months": {"old": 24, "new": 12},
            "anonymous_colleague_referrals": {"old": False, "new": True},
        }
    }
    saved = program_settings.get()
    assert (saved.refresher_months, saved.anonymous_colleague_referrals) == (12, True)

    # Saving again without a change records nothing.
    client.post(URL, form_data(refresher_months="12", anonymous_colleague_referrals="on"))
    assert AuditEvent.objects.filter(action="program.settings_update").count() == 1
    client.post(URL, form_data(refresher_months="18", anonymous_colleague_referrals="on"))
    latest = AuditEvent.objects.filter(action="program.settings_update").first()
    assert latest.detail == {"changes": {"refresher_months": {"old": 12, "new": 18}}}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        (
            {"suppression_threshold": "4"},
            "suppression_threshold",
            "The lowest is 5: below 5, a count in a breakdown or shareable export could "
            "single out a physician.",
        ),
        ({"suppression_threshold": "five"}, "suppression_threshold", "Enter a whole number."),
        (
            {"first_contact_hours": "0"},
            "first_contact_hours",
            "The lowest is 1: a request is never due the moment it arrives.",
        ),
        (
            {"urgent_first_contact_hours": "31"},
            "urgent_first_contact_hours",
            "An urgent request cannot wait longer than a routine one (30 hours).",
        ),
        ({"accept_within_hours": "1000"}, "accept_within_hours", "The highest is 72."),
        (
            {"recipient_feedback_delay_days": "90"},
            "recipient_feedback_delay_days",
            "The feedback survey must go out before the case is de-identified "
            "(retention: 90 days).",
        ),
        (
            {"crisis_resources": "Lifeline|javascript:alert(1)"},
            "crisis_resources",
            "'Lifeline' needs a link starting with tel:, sms:, mailto:, https://, http:// "
            "after a '|'.",
        ),
        (
            {"crisis_resources": " ; "},
            "crisis_resources",
            "List at least one resource: the banner is never empty.",
        ),
        ({"retention_days": None}, "retention_days", "This field is required."),
    ],
)
def test_a_value_that_cannot_be_saved_is_refused_with_its_reason(
    cast, environment, changes, field, reason
):
    response = cast.client("director").post(
        URL, form_data(**{"first_contact_hours": "30", **changes})
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [reason]
    assert reason.replace("'", "&#x27;") in response.content.decode()
    # Nothing changed, not even the valid values sent with it.
    assert not ProgramSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="program.settings_update").exists()
    assert program_settings.get().first_contact_hours == 24


def test_retention_shorter_than_the_longest_open_case_is_refused(cast, environment):
    referral_new(department=cast.department_a, at=timezone.now() - timedelta(days=40, hours=1))
    client = cast.client("director")
    response = client.post(URL, form_data(retention_days="30"))
    assert response.status_code == 400
    assert response.context["form"].errors["retention_days"] == [
        "The longest open case has been open 40 days: retention cannot be shorter than that."
    ]
    assert program_settings.get().retention_days == 90
    assert client.post(URL, form_data(retention_days="40")).status_code == 302
    assert program_settings.get().retention_days == 40


def test_the_service_refuses_what_the_page_refuses(cast, environment):
    with pytest.raises(program_settings.ValidationError) as refused:
        program_settings.program_settings_update(actor=cast.director, suppression_threshold=3)
    assert "suppression_threshold" in refused.value.message_dict
    assert not ProgramSettings.objects.exists()
    with pytest.raises(TypeError):
        program_settings.program_settings_update(actor=cast.director, pseudonym_key="x")


@pytest.mark.parametrize("member", ["coordinator", "lead", "supporter_a", "physician"])
def test_no_one_but_the_director_changes_the_settings(cast, environment, member):
    client = cast.client(member)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(suppression_threshold="20")).status_code == 403
    assert not ProgramSettings.objects.exists()
    assert program_settings.get().suppression_threshold == 11


def test_the_crisis_banner_shows_the_director_s_resources(cast, environment):
    client = cast.client("director")
    client.post(URL, form_data(crisis_resources="Hospital line|tel:5550100"))
    page = cast.client("physician").get(reverse("help_now")).content.decode()
    assert 'href="tel:5550100"' in page and "Hospital line" in page
    assert 'href="tel:988"' not in page


def test_a_page_reads_the_settings_from_the_cache_once_they_are_loaded(cast, environment):
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        program_settings.get()
    assert ["programsettings" in q["sql"] for q in first.captured_queries] == [True]
    with CaptureQueriesContext(connection) as cached:
        program_settings.get()
        cast.client("physician").get(reverse("help_now"))
    assert not [q for q in cached.captured_queries if "programsettings" in q["sql"]]

    # A save is read at once: the cached row is forgotten.
    program_settings.program_settings_update(actor=cast.director, retention_days=120)
    assert program_settings.get().retention_days == 120


@FUZZ
@given(data=st.data())
def test_the_settings_form_never_fails(cast, data):
    numbers = ["0", "1", "4", "5", "11", "24", "72", "90", "168", "3650", "100000"]
    form = data.draw(
        _form(
            {
                **{name: _value(numbers) for name in program_settings.BOUNDS},
                "crisis_resources": _value(["Lifeline|tel:988", "A|https://a.test;B|", ";;|"]),
                "anonymous_colleague_referrals": _value(["on", "true", "false"]),
            }
        )
    )
    before = program_settings.get()
    response = cast.client("director").post(URL, form)
    assert response.status_code in (302, 400)
    after = program_settings.get()
    if response.status_code == 400:
        assert after == before
    else:
        assert not program_settings.problems(after)
