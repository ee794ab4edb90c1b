"""No input to any referral or case-work form or filter produces a server error (Hypothesis).

The test client re-raises any exception a view lets escape, so an example that would be a
server error fails the test; every answer must be a page, a redirect, or a 4xx.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions.models import (
    CallerRole,
    ContactMethod,
    DeclineReason,
    DepartmentPreference,
    EscalationResource,
    EventCategory,
    IntakeChannel,
    Modality,
    Outcome,
    OutreachMethod,
    Reason,
    Topic,
    Urgency,
)
from post_program import program_settings
from post_program.models import OutboxEmail, RoleAssignment
from tests.api import api_client, token_for

from .factories import referral_assigned, referral_contacted, referral_new, trained

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text that forms meet in real life and in attacks: any unicode (null bytes, surrogates' near
# neighbours, right-to-left marks), numbers, very long strings, and values that are valid.
junk = st.one_of(
    st.text(max_size=60),
    st.text(max_size=800),
    st.integers(min_value=-(2**63), max_value=2**64).map(str),
    st.sampled_from(["", " ", "0", "-1", "1e9", "null", "None", "[]", "{}", "\x00", "💥" * 300]),
)


def _value(valid):
    return st.one_of(st.sampled_from(list(valid)), junk)


def _maybe(strategy):
    """A form field that may be missing, single, or repeated."""
    return st.one_of(st.none(), strategy, st.lists(strategy, max_size=3))


def _form(fields: dict) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries({name: _maybe(s) for name, s in fields.items()}).map(
        lambda data: {k: v for k, v in data.items() if v is not None}
    )


@FUZZ
@given(data=st.data(), anonymity=st.booleans())
def test_the_request_form_never_fails(cast, data, anonymity):
    program_settings.program_settings_update(
        actor=cast.director, anonymous_colleague_referrals=anonymity
    )
    ids = [str(cast.physician_profile.pk), str(cast.supporter_b_profile.physician.pk)]
    form = data.draw(
        _form(
            {
                "for_whom": _value(["self", "colleague"]),
                "colleague": _value(ids),
                "colleague_not_listed": _value(["on", "true", "false"]),
                "colleague_name": junk,
                "colleague_department": _value([str(cast.department_a.pk)]),
                "reason": _value(Reason.values),
                "note": junk,
                "urgency": _value(Urgency.values),
                "contact_method": _value(ContactMethod.values),
                "department_preference": _value(DepartmentPreference.values),
                "requested_supporter": _value([str(cast.supporter_a_profile.pk)]),
                "referrer_may_be_named": _value(["on"]),
                "anonymous": _value(["on"]),
                "submission_key": _value(["6f1c1f2e-6f0b-4d44-9a59-3c0f4a1f9f11"]),
            }
        )
    )
    response = cast.client("physician").post(reverse("interactions:referral_request"), form)
    assert response.status_code in (200, 302)


@FUZZ
@given(query=junk, supporter=junk)
def test_search_and_preselection_never_fail(cast, query, supporter):
    client = cast.client("physician")
    response = client.post(reverse("interactions:roster_search"), {"colleague_search": query})
    assert response.status_code in (200, 429)
    response = client.get(reverse("interactions:referral_request"), {"supporter": supporter})
    assert response.status_code == 200


@FUZZ
@given(data=st.data())
def test_the_receipt_form_never_fails(cast, data):
    form = data.draw(_form({"code": junk}))
    response = cast.client("physician").post(reverse("interactions:request_receipt"), form)
    assert response.status_code in (200, 400)


@FUZZ
@given(data=st.data())
def test_the_call_form_never_fails(cast, data):
    form = data.draw(
        _form(
            {
                "channel": _value(IntakeChannel.values),
                "caller_role": _value(CallerRole.values),
                "caller_contact": junk,
                "department": _value([str(cast.department_a.pk), str(cast.department_b.pk)]),
                "physician": _value([str(cast.physician_profile.pk)]),
                "named_colleague": junk,
                "reason": _value(Reason.values),
                "note": junk,
                "urgency": _value(Urgency.values),
                "contact_method": _value(ContactMethod.values),
                "submission_key": _value([str(uuid.uuid4())]),
            }
        )
    )
    response = cast.client("coordinator").post(reverse("interactions:call_record"), form)
    assert response.status_code in (302, 400)
    kept = referral_new(department=cast.department_a, named_colleague="Dr. Robin Locum")
    link = data.draw(
        _form(
            {
                "link-physician": _value([str(cast.physician_profile.pk)]),
                "link-version": _value(["0", "1"]),
            }
        )
    )
    url = reverse("interactions:referral_link_physician", args=[kept.pk])
    assert cast.client("coordinator").post(url, link).status_code in (302, 400)


@FUZZ
@given(data=st.data())
def test_the_event_form_never_fails(cast, data):
    form = data.draw(
        _form(
            {
                "occurred_on": st.one_of(st.dates().map(str), junk),
                "department": _value([str(cast.department_a.pk), str(cast.department_b.pk)]),
                "category": _value(EventCategory.values),
                "physicians": _value([str(cast.physician_profile.pk)]),
            }
        )
    )
    client = cast.client("coordinator")
    assert client.post(reverse("interactions:event_record"), form).status_code in (200, 302)
    get = {k: v for k, v in form.items() if k == "department"}
    assert client.get(reverse("interactions:event_record"), get).status_code == 200


@FUZZ
@given(data=st.data())
def test_assign_and_decline_never_fail(cast, data):
    trained(cast.supporter_a_profile)
    referral = referral_new(department=cast.department_a)
    assign = data.draw(
        _form(
            {
                "supporter": _value([str(cast.supporter_a_profile.pk)]),
                "version": _value(["0", "1"]),
            }
        )
    )
    response = cast.client("coordinator").post(
        reverse("interactions:referral_assign", args=[referral.pk]), assign
    )
    assert response.status_code in (302, 400)
    held = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    decline = data.draw(_form({"reason": _value(["capacity", "away", "conflict", "other"])}))
    response = cast.client("supporter_a").post(
        reverse("interactions:referral_decline", args=[held.pk]), decline
    )
    assert response.status_code in (302, 400)


@FUZZ
@given(data=st.data())
def test_list_filters_never_fail(cast, data):
    queue = data.draw(
        _form(
            {
                "site": _value([str(cast.north.pk), str(cast.south.pk)]),
                "status": _value(["open", "new", "closed", "all"]),
                "overdue": _value(["on"]),
                "page": junk,
            }
        )
    )
    assert cast.client("coordinator").get(reverse("interactions:queue"), queue).status_code == 200
    directory = data.draw(_form({"department": _value([str(cast.department_a.pk)]), "page": junk}))
    response = cast.client("physician").get(reverse("interactions:supporter_directory"), directory)
    assert response.status_code == 200
    cases = data.draw(_form({"page": junk}))
    assert (
        cast.client("supporter_a").get(reverse("interactions:case_list"), cases).status_code == 200
    )


# --- case work ---------------------------------------------------------------------------------

dates = st.one_of(st.dates().map(str), junk)
datetimes = st.one_of(st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")), junk)


@FUZZ
@given(data=st.data())
def test_outreach_interaction_and_close_forms_never_fail(cast, data):
    referral = referral_contacted(department=cast.department_a, supporter=cast.supporter_a_profile)
    client = cast.client("supporter_a")
    outreach = data.draw(
        _form(
            {
                "attempted_at": datetimes,
                "method": _value(OutreachMethod.values),
                "reached": _value(["yes", "no"]),
            }
        )
    )
    url = reverse("interactions:referral_outreach", args=[referral.pk])
    assert client.post(url, outreach).status_code in (302, 400)
    interaction = data.draw(
        _form(
            {
                "occurred_on": dates,
                "successful": _value(["yes", "no"]),
                "duration_minutes": _value(["0", "1", "55", "1440", "1441"]),
                "modality": _value(Modality.values),
                "topics": _value(Topic.values),
                "escalated": _value(["on"]),
                "escalated_to": _value(EscalationResource.values),
                "follow_up_planned": _value(["on"]),
                "follow_up_note": junk,
                "colleague": _value([str(cast.physician_profile.pk)]),
                "department": _value([str(cast.department_b.pk)]),
            }
        )
    )
    url = reverse("interactions:referral_interaction_log", args=[referral.pk])
    assert client.post(url, interaction).status_code in (302, 400)
    assert client.post(reverse("interactions:interaction_new"), interaction).status_code in (
        302,
        400,
    )
    close = data.draw(_form({"outcome": _value(Outcome.values)}))
    url = reverse("interactions:referral_close", args=[referral.pk])
    assert client.post(url, close).status_code in (302, 400)


@FUZZ
@given(data=st.data())
def test_hand_off_note_and_hand_back_forms_never_fail(cast, data):
    referral = referral_contacted(department=cast.department_a, supporter=cast.supporter_a_profile)
    client = cast.client("supporter_a")
    note = data.draw(_form({"handoff-handoff_note": junk}))
    url = reverse("interactions:referral_handoff_note", args=[referral.pk])
    assert client.post(url, note).status_code in (302, 400)
    hand_back = data.draw(
        _form(
            {
                "hand_back-reason": _value(DeclineReason.values),
                "hand_back-handoff_note": junk,
            }
        )
    )
    url = reverse("interactions:referral_hand_back", args=[referral.pk])
    assert client.post(url, hand_back).status_code in (302, 400)


@FUZZ
@given(data=st.data())
def test_availability_conflicts_and_debriefs_never_fail(cast, data):
    client = cast.client("supporter_a")
    availability = data.draw(
        _form(
            {
                "accepting_referrals": _value(["yes", "no"]),
                "caseload_cap": _value(["1", "3", "50"]),
            }
        )
    )
    assert client.post(reverse("interactions:availability"), availability).status_code in (
        302,
        400,
    )
    away = data.draw(_form({"starts_on": dates, "ends_on": dates}))
    assert client.post(reverse("interactions:away_period_add"), away).status_code in (302, 400)
    hours = data.draw(
        _form(
            {
                "weekdays": _value(["0", "3", "6"]),
                "starts_at": _value(["00:00", "08:30", "12:00:00", "23:59"]),
                "ends_at": _value(["00:00", "09:00", "17:00", "23:59"]),
            }
        )
    )
    assert client.post(reverse("interactions:contact_window_add"), hours).status_code in (
        302,
        400,
    )
    for name in ("away_period_remove", "contact_window_remove"):
        pk = data.draw(st.integers(min_value=1, max_value=2**31))
        response = client.post(reverse(f"interactions:{name}", args=[pk]))
        assert response.status_code in (302, 404)
    conflict = data.draw(_form({"physician": _value([str(cast.physician_profile.pk)])}))
    assert client.post(reverse("interactions:conflict_declare"), conflict).status_code in (
        302,
        400,
    )
    search = data.draw(_form({"q": junk}))
    assert client.get(reverse("interactions:availability"), search).status_code == 200
    debrief = data.draw(_form({"trigger": _value(["escalation", "load", "asked"])}))
    assert client.post(reverse("interactions:debrief_request"), debrief).status_code == 302
    page = data.draw(_form({"page": junk}))
    assert client.get(reverse("interactions:interaction_list"), page).status_code == 200
    response = cast.client("coordinator").get(reverse("interactions:supporter_load"), page)
    assert response.status_code == 200


# JSON values an integration may send where text, numbers or lists are expected.
json_junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), junk),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@FUZZ
@given(data=st.data())
def test_event_intake_over_the_api_never_fails(cast, data):
    RoleAssignment.objects.get_or_create(
        user=cast.director, role=RoleAssignment.Role.COORDINATOR, site=cast.north
    )
    body = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                "occurred_on": st.one_of(st.dates().map(str), json_junk),
                "department": st.one_of(st.sampled_from([cast.department_a.pk]), json_junk),
                "category": st.one_of(st.sampled_from(EventCategory.values), json_junk),
                "physician_ids": st.one_of(
                    st.just([cast.physician_profile.physician_id]), json_junk
                ),
            },
        )
    )
    client = api_client(token_for(cast.director, "events:write"))
    response = client.post("/api/v1/events/", body, content_type="application/json")
    assert response.status_code in (201, 400)
    assert "detail" in response.json() or "event" in response.json()


# --- the on-call roster ------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_on_call_forms_and_week_never_fail(cast, data):
    client = cast.client("coordinator")
    people = [str(cast.coordinator.pk), str(cast.supporter_a.pk), str(cast.physician.pk)]
    query = data.draw(
        _form({"site": _value([str(cast.north.pk), str(cast.south.pk)]), "week": dates})
    )
    assert client.get(reverse("on_call:calendar"), query).status_code in (200, 404)
    times = st.one_of(st.times().map(lambda t: t.strftime("%H:%M")), junk)
    shift = data.draw(
        _form(
            {
                "shift-user": _value(people),
                "shift-weekday": _value([str(day) for day in range(7)]),
                "shift-starts": times,
                "shift-ends": times,
                "shift-position": _value(["1", "2", "9", "10"]),
            }
        )
    )
    url = reverse("on_call:shift_add") + f"?site={cast.north.pk}"
    assert client.post(url, shift).status_code in (302, 400)
    exception = data.draw(
        _form(
            {
                "exception-user": _value(people),
                "exception-kind": _value(["off", "cover"]),
                "exception-starts_at": datetimes,
                "exception-ends_at": datetimes,
                "exception-position": _value(["1", "2", "9", "10"]),
            }
        )
    )
    url = reverse("on_call:exception_add") + f"?site={cast.north.pk}"
    response = client.post(url, exception)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert client.get(response["Location"]).status_code == 200


# --- paging of urgent referrals -------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_acknowledge_buttons_never_fail(cast, data):
    referral = referral_new(department=cast.department_a, urgency=Urgency.SAFETY, notify=True)
    form = data.draw(_form({"version": _value(["0", "1"]), "csrfmiddlewaretoken": junk}))
    (page,) = OutboxEmail.objects.filter(kind="interactions.urgent").order_by("-pk")[:1]
    reply = re.search(r"/referrals/page/[^/\s]+/", page.body).group(0)
    assert cast.client("anonymous").post(reply, form).status_code == 200
    url = reverse("interactions:referral_acknowledge", args=[referral.pk])
    assert cast.client("coordinator").post(url, form).status_code == 302
    token = data.draw(st.one_of(st.text(min_size=1, max_size=80), junk.filter(bool)))
    try:
        url = reverse("interactions:page_acknowledge", args=[token])
    except NoReverseMatch:  # "/" and the like cannot be in the address
        return
    assert cast.client("anonymous").post(url, form).status_code == 404
