"""An urgent safety concern gets its own, shorter first-contact deadline
(URGENT_FIRST_CONTACT_HOURS): at intake, in the reminders, on the confirmation and in the queue;
an urgent request that joins an open case brings that case's deadline forward. Under a frozen
clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from freezegun import freeze_time

from interactions import selectors, services, tasks
from interactions.models import EventKind, Referral, Reminder, ReminderKind, Source, Urgency
from interactions.selectors import COLLEAGUE_RECEIVED
from post_program import checks
from post_program.settings import base as base_settings

from .factories import referral_new, request_form

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-03-02T08:00:00+00:00")
REQUEST_URL = reverse("interactions:referral_request")


@pytest.fixture
def hours(settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    settings.URGENT_FIRST_CONTACT_HOURS = 4
    settings.ACCEPT_WITHIN_HOURS = 4
    settings.REMINDER_BEFORE_HOURS = 6


def _due(referral: Referral) -> dict[str, datetime]:
    """The referral's pending reminders, by kind."""
    pending = Reminder.objects.filter(referral=referral, processed_at__isnull=True)
    return dict(pending.values_list("kind", "due_at"))


def _join(cast, referral: Referral, urgency: str, at: datetime) -> services.RequestResult:
    """Supporter B asks for the physician of `referral`, who has it open."""
    asked = {"requester": cast.supporter_b, "source": Source.THIRD_PARTY, "reason": "other"}
    case = {"department": referral.department, "physician": referral.physician}
    return services.referral_request(urgency=urgency, at=at, **asked, **case)


def _assign(cast, referral: Referral, at: datetime) -> None:
    with freeze_time(at):
        services.referral_assign(
            actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile
        )


# --- intake ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "after"),
    [(Urgency.SAFETY, 4), (Urgency.SOON, 24), (Urgency.ROUTINE, 24)],
)
def test_intake_gives_an_urgent_request_the_urgent_deadline(cast, hours, urgency, after):
    referral = referral_new(department=cast.department_a, urgency=urgency, at=T0, notify=True)
    assert referral.first_contact_due_at == T0 + timedelta(hours=after)
    assert _due(referral) == {ReminderKind.CONTACT_OVERDUE: T0 + timedelta(hours=after)}


def test_the_urgent_deadline_follows_its_setting(cast, hours, settings):
    settings.URGENT_FIRST_CONTACT_HOURS = 2
    urgent = referral_new(department=cast.department_a, urgency=Urgency.SAFETY, at=T0)
    routine = referral_new(department=cast.department_a, at=T0)
    assert urgent.first_contact_due_at == T0 + timedelta(hours=2)
    assert routine.first_contact_due_at == T0 + timedelta(hours=24)


# --- reminders ---------------------------------------------------------------------------------


def test_an_urgent_case_s_supporter_is_reminded_half_way_and_coordinators_alerted_at_4h(
    cast, hours, django_capture_on_commit_callbacks
):
    referral = referral_new(
        department=cast.department_a, urgency=Urgency.SAFETY, at=T0, notify=True
    )
    _assign(cast, referral, T0 + timedelta(hours=1))
    # Six hours before a four-hour deadline would be before it started: half-way instead.
    assert _due(referral) == {
        ReminderKind.CONTACT_OVERDUE: T0 + timedelta(hours=4),
        ReminderKind.ACCEPT_DUE: T0 + timedelta(hours=1 + 4),
        ReminderKind.CONTACT_REMINDER: T0 + timedelta(hours=2),
    }
    mail.outbox.clear()
    with freeze_time(T0 + timedelta(hours=2)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.deadlines_process() == {"sent": 1}
    assert [m.to for m in mail.outbox] == [[cast.supporter_a.email]]
    mail.outbox.clear()
    with freeze_time(T0 + timedelta(hours=4)), django_capture_on_commit_callbacks(execute=True):
        assert tasks.deadlines_process() == {"sent": 1}
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
    assert "overdue" in mail.outbox[0].subject
    assert referral.events.filter(kind=EventKind.ESCALATED).count() == 1


def test_a_routine_case_s_reminder_keeps_its_lead(cast, hours):
    referral = referral_new(department=cast.department_a, at=T0, notify=True)
    _assign(cast, referral, T0 + timedelta(hours=1))
    assert _due(referral)[ReminderKind.CONTACT_REMINDER] == T0 + timedelta(hours=24 - 6)


# --- a request that joins an open case and raises it to urgent --------------------------------


def test_raising_a_case_to_urgent_brings_its_deadline_and_reminders_forward(cast, hours):
    referral = referral_new(department=cast.department_a, at=T0, notify=True)
    _assign(cast, referral, T0 + timedelta(hours=1))
    accept_due = _due(referral)[ReminderKind.ACCEPT_DUE]
    joined = T0 + timedelta(hours=3)
    result = _join(cast, referral, Urgency.SAFETY, joined)
    assert not result.created
    referral.refresh_from_db()
    assert referral.urgency == Urgency.SAFETY
    assert referral.first_contact_due_at == joined + timedelta(hours=4)
    assert _due(referral) == {
        ReminderKind.CONTACT_OVERDUE: joined + timedelta(hours=4),
        ReminderKind.CONTACT_REMINDER: joined + timedelta(hours=2),
        ReminderKind.ACCEPT_DUE: accept_due,  # the answer to the offer is not a contact deadline
    }
    assert referral.events.filter(kind=EventKind.URGENCY_RAISED).count() == 1


def test_raising_never_moves_a_deadline_later(cast, hours):
    """22 hours in, the urgent deadline of the new request (26 h) is later than the case's own:
    the case keeps its deadline and reminders."""
    referral = referral_new(department=cast.department_a, at=T0, notify=True)
    _assign(cast, referral, T0 + timedelta(hours=1))
    before = _due(referral)
    _join(cast, referral, Urgency.SAFETY, T0 + timedelta(hours=22))
    referral.refresh_from_db()
    assert referral.urgency == Urgency.SAFETY
    assert referral.first_contact_due_at == T0 + timedelta(hours=24)
    assert _due(referral) == before


def test_a_routine_request_joining_moves_nothing(cast, hours):
    referral = referral_new(department=cast.department_a, at=T0, notify=True)
    _join(cast, referral, Urgency.SOON, T0 + timedelta(hours=3))
    referral.refresh_from_db()
    assert referral.urgency == Urgency.ROUTINE
    assert referral.first_contact_due_at == T0 + timedelta(hours=24)
    assert _due(referral) == {ReminderKind.CONTACT_OVERDUE: T0 + timedelta(hours=24)}


def test_raising_a_case_already_contacted_leaves_its_deadline(cast, hours):
    referral = referral_new(department=cast.department_a, at=T0, notify=True)
    _assign(cast, referral, T0 + timedelta(hours=1))
    with freeze_time(T0 + timedelta(hours=2)):
        services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_a_profile)
        services.referral_record_contact(actor=None, referral=referral)
    _join(cast, referral, Urgency.SAFETY, T0 + timedelta(hours=3))
    referral.refresh_from_db()
    assert referral.urgency == Urgency.SAFETY
    assert referral.first_contact_due_at == T0 + timedelta(hours=24)


# --- what the pages say ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "after", "says"),
    [
        ("safety", 4, "within 4 hours, the deadline for an urgent safety concern"),
        ("routine", 24, "within 24 hours of the request"),
    ],
)
def test_the_confirmation_shows_the_deadline_of_the_request(cast, hours, urgency, after, says):
    client = cast.client("physician")
    with freeze_time(T0):
        response = client.post(REQUEST_URL, request_form(urgency=urgency))
        page = client.get(response["Location"])
    due = T0 + timedelta(hours=after)
    assert Referral.objects.get().first_contact_due_at == due
    assert page.context["due"] == due
    text = " ".join(page.content.decode().split())
    assert f'datetime="{timezone.localtime(due).isoformat()}"' in text
    assert says in text


def test_an_urgent_request_joining_a_case_is_promised_the_urgent_deadline(cast, hours):
    referral = referral_new(department=cast.department_a, physician=cast.physician_profile, at=T0)
    client = cast.client("physician")
    with freeze_time(T0 + timedelta(hours=1)):
        response = client.post(REQUEST_URL, request_form(urgency="safety"))
        page = client.get(response["Location"])
    assert page.context["due"] == T0 + timedelta(hours=1 + 4)
    referral.refresh_from_db()
    assert referral.first_contact_due_at == T0 + timedelta(hours=1 + 4)


def test_the_request_form_names_both_deadlines(cast, hours):
    text = " ".join(cast.client("physician").get(REQUEST_URL).content.decode().split())
    assert "reaches out within 24 hours, or within 4 hours for an urgent safety concern" in text


def test_the_queue_shows_the_urgent_deadline_first(cast, hours):
    routine = referral_new(department=cast.department_a, at=T0 - timedelta(hours=1))
    urgent = referral_new(department=cast.department_a, urgency=Urgency.SAFETY, at=T0)
    with freeze_time(T0 + timedelta(minutes=5)):
        page = cast.client("coordinator").get(reverse("interactions:queue"))
    assert [r.pk for r in page.context["page"]][:2] == [urgent.pk, routine.pk]
    text = page.content.decode()
    urgent_due = date_format(timezone.localtime(T0 + timedelta(hours=4)), "SHORT_DATETIME_FORMAT")
    assert text.index(urgent_due) < text.index(
        date_format(timezone.localtime(routine.first_contact_due_at), "SHORT_DATETIME_FORMAT")
    )


# --- the setting -------------------------------------------------------------------------------


def test_the_default_deadlines_pass_the_check(settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    settings.URGENT_FIRST_CONTACT_HOURS = 4
    assert checks.first_contact_hours_check(None) == []


@pytest.mark.parametrize("name", ["FIRST_CONTACT_DEADLINE_HOURS", "URGENT_FIRST_CONTACT_HOURS"])
@pytest.mark.parametrize("value", [0, -4, "4", 2.5, True, None])
def test_a_deadline_that_is_not_whole_hours_of_at_least_one_is_refused(settings, name, value):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    settings.URGENT_FIRST_CONTACT_HOURS = 4
    setattr(settings, name, value)
    (error,) = checks.first_contact_hours_check(None)
    assert error.id == "post_program.E003"
    assert name in error.msg and "at least 1" in error.msg


def test_an_urgent_deadline_longer_than_the_routine_one_is_refused(settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 4
    settings.URGENT_FIRST_CONTACT_HOURS = 6
    (error,) = checks.first_contact_hours_check(None)
    assert error.id == "post_program.E004"
    assert "URGENT_FIRST_CONTACT_HOURS" in error.msg and "FIRST_CONTACT_DEADLINE_HOURS" in error.msg
    settings.URGENT_FIRST_CONTACT_HOURS = 4
    assert checks.first_contact_hours_check(None) == []


def test_my_requests_keeps_the_routine_clock_whoever_raised_the_case(cast, hours):
    """The requester's own entry tells nothing of the case: another colleague's urgent request
    moved its deadline to 4 hours, and 5 hours on the first request still reads as received."""
    referral = referral_new(department=cast.department_a, requester=cast.physician, at=T0)
    _join(cast, referral, Urgency.SAFETY, T0 + timedelta(minutes=10))
    referral.refresh_from_db()
    assert referral.first_contact_due_at == T0 + timedelta(hours=4, minutes=10)
    with freeze_time(T0 + timedelta(hours=5)):
        (item,) = selectors.my_requests(user=cast.physician)
        assert item.progress == COLLEAGUE_RECEIVED


@pytest.mark.parametrize("name", ["FIRST_CONTACT_DEADLINE_HOURS", "URGENT_FIRST_CONTACT_HOURS"])
def test_hours_that_are_no_whole_number_stop_the_settings_with_their_name(monkeypatch, name):
    monkeypatch.setenv(name, "four")
    with pytest.raises(ImproperlyConfigured, match=f"{name} must be a whole number of hours"):
        base_settings._hours(name, 4)
    monkeypatch.setenv(name, "6")
    assert base_settings._hours(name, 4) == 6
    monkeypatch.delenv(name)
    assert base_settings._hours(name, 4) == 4
