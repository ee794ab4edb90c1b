"""The supporter's case work through the pages: outreach attempts and first contact, the
interaction log with every validation rule, interactions without a referral, closing with an
outcome, and who sees what of it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from interactions import services
from interactions.models import (
    EventKind,
    Interaction,
    InteractionSource,
    Outcome,
    OutreachAttempt,
    Referral,
    Status,
    physician_pseudonym,
)
from post_program.models import AuditEvent
from tests.factories import PhysicianFactory

from .factories import (
    interaction_logged,
    referral_assigned,
    referral_contacted,
    referral_in_status,
)

pytestmark = pytest.mark.django_db

FOLLOW_UP = "Call again on Friday evening"


def _url(name: str, referral: Referral) -> str:
    return reverse(f"interactions:{name}", args=[referral.pk])


def _minute(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def _accepted(cast, **kwargs) -> Referral:
    kwargs.setdefault("at", timezone.now() - timedelta(hours=3))
    return referral_in_status(
        "accepted", department=cast.department_a, supporter=cast.supporter_a_profile, **kwargs
    )


def _contacted(cast, **kwargs) -> Referral:
    kwargs.setdefault("at", timezone.now() - timedelta(days=3))
    return referral_contacted(
        department=cast.department_a, supporter=cast.supporter_a_profile, **kwargs
    )


def _interaction_data(**changes) -> dict:
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "successful": "yes",
        "duration_minutes": "55",
        "modality": "phone",
        "topics": ["adverse_outcome", "burnout"],
        "escalated": "",
        "escalated_to": "",
        "follow_up_planned": "on",
        "follow_up_note": FOLLOW_UP,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- outreach ----------------------------------------------------------------------------------


def test_an_attempt_that_did_not_reach_them_leaves_first_contact_open(cast):
    referral = _accepted(cast)
    at = timezone.now() - timedelta(hours=1)
    response = cast.client("supporter_a").post(
        _url("referral_outreach", referral),
        {"attempted_at": _minute(at), "method": "text", "reached": "no"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.first_contact_at is None
    (attempt,) = referral.outreach_attempts.all()
    assert (attempt.method, attempt.reached, attempt.supporter) == (
        "text",
        False,
        cast.supporter_a_profile,
    )
    assert AuditEvent.objects.filter(action="referral.outreach", actor=cast.supporter_a).exists()


def test_the_first_attempt_that_reaches_them_is_the_first_contact(cast):
    referral = _accepted(cast)
    client = cast.client("supporter_a")
    missed = timezone.now() - timedelta(hours=2)
    reached = (timezone.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
    later = (timezone.now() - timedelta(minutes=10)).replace(second=0, microsecond=0)
    url = _url("referral_outreach", referral)
    client.post(url, {"attempted_at": _minute(missed), "method": "phone", "reached": "no"})
    response = client.post(
        url, {"attempted_at": _minute(reached), "method": "phone", "reached": "yes"}, follow=True
    )
    assert "First contact recorded at" in response.content.decode()
    client.post(url, {"attempted_at": _minute(later), "method": "video", "reached": "yes"})
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED
    assert referral.first_contact_at == reached
    assert referral.outreach_attempts.count() == 3
    contacted = referral.events.get(kind=EventKind.CONTACTED)
    assert (contacted.at, contacted.actor) == (reached, cast.supporter_a)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"attempted_at": "FUTURE"}, "attempted_at", "cannot be in the future"),
        ({"attempted_at": "BEFORE"}, "attempted_at", "cannot be before that"),
        ({"attempted_at": "not a time"}, "attempted_at", "Enter a date and time"),
        ({"attempted_at": ""}, "attempted_at", "Say when you tried to reach them"),
        ({"method": ""}, "method", "Choose how you tried to reach them"),
        ({"method": "pigeon"}, "method", "from the list"),
        ({"reached": ""}, "reached", "Say whether you reached them"),
        ({"reached": "maybe"}, "reached", "Say whether you reached them"),
    ],
)
def test_bad_outreach_is_explained_and_nothing_is_saved(cast, change, field, message):
    referral = _accepted(cast)
    data = {
        "attempted_at": _minute(timezone.now() - timedelta(minutes=30)),
        "method": "phone",
        "reached": "yes",
        **change,
    }
    if data["attempted_at"] == "FUTURE":
        data["attempted_at"] = _minute(timezone.now() + timedelta(hours=2))
    if data["attempted_at"] == "BEFORE":
        data["attempted_at"] = _minute(referral.received_at - timedelta(hours=1))
    response = cast.client("supporter_a").post(_url("referral_outreach", referral), data)
    assert response.status_code == 400
    assert any(message in error for error in response.context["outreach_form"].errors[field])
    assert message in response.content.decode()
    assert not OutreachAttempt.objects.exists()
    referral.refresh_from_db()
    assert referral.first_contact_at is None


def test_a_reached_attempt_cannot_be_earlier_than_the_recorded_first_contact(cast):
    referral = _contacted(cast)
    earlier = referral.first_contact_at - timedelta(hours=1)
    response = cast.client("supporter_a").post(
        _url("referral_outreach", referral),
        {"attempted_at": _minute(earlier), "method": "phone", "reached": "yes"},
    )
    assert response.status_code == 400
    assert "First contact is already recorded" in response.content.decode()


def test_an_attempt_in_the_minute_the_referral_arrived_is_accepted(cast):
    referral = _accepted(cast, at=timezone.now().replace(second=30) - timedelta(hours=1))
    response = cast.client("supporter_a").post(
        _url("referral_outreach", referral),
        {"attempted_at": _minute(referral.received_at), "method": "phone", "reached": "yes"},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.first_contact_at == referral.received_at  # never before receipt


def test_outreach_needs_the_case_accepted_first(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    with pytest.raises(services.CaseWorkError, match="Accept the case first"):
        services.outreach_record(
            actor=None,
            referral=referral,
            supporter=cast.supporter_a_profile,
            attempted_at=timezone.now(),
            method="phone",
            reached=True,
        )


# --- the interaction log -----------------------------------------------------------------------


def test_a_55_minute_phone_interaction_is_logged_with_its_facts(cast):
    referral = _contacted(cast)
    response = cast.client("supporter_a").post(
        _url("referral_interaction_log", referral),
        _interaction_data(escalated="on", escalated_to="eap"),
    )
    assert response.status_code == 302
    (interaction,) = Interaction.objects.all()
    assert interaction.referral == referral
    assert interaction.source == referral.source
    assert interaction.department == referral.department
    assert interaction.physician == referral.physician
    assert interaction.physician_pseudonym == physician_pseudonym(referral.physician.physician_id)
    assert interaction.supporter == cast.supporter_a_profile
    assert (interaction.duration_minutes, interaction.modality) == (55, "phone")
    assert interaction.successful and interaction.escalated
    assert interaction.escalated_to == "eap"
    assert interaction.topics == ["adverse_outcome", "burnout"]
    assert interaction.follow_up_planned and interaction.follow_up_note == FOLLOW_UP
    assert interaction.logged_by == cast.supporter_a
    audit = AuditEvent.objects.get(action="interaction.log")
    assert audit.actor == cast.supporter_a
    assert audit.detail["referral_id"] == referral.referral_id
    # Identifiers of the case only: nothing that names or points to the physician.
    assert set(audit.detail) == {
        "interaction_id",
        "referral_id",
        "supporter_id",
        "source",
        "successful",
        "escalated",
    }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"duration_minutes": "0"}, "duration_minutes", "from 1 to 1440 minutes"),
        ({"duration_minutes": "1441"}, "duration_minutes", "from 1 to 1440 minutes"),
        ({"duration_minutes": "-5"}, "duration_minutes", "from 1 to 1440 minutes"),
        ({"duration_minutes": "an hour"}, "duration_minutes", "whole minutes"),
        ({"duration_minutes": ""}, "duration_minutes", "Enter the duration"),
        ({"successful": "no", "duration_minutes": "1441"}, "duration_minutes", "0 to 1440"),
        ({"occurred_on": "TOMORROW"}, "occurred_on", "cannot be in the future"),
        ({"occurred_on": "BEFORE"}, "occurred_on", "interaction cannot be before that day"),
        ({"occurred_on": "31/12/2024"}, "occurred_on", "YYYY-MM-DD"),
        ({"occurred_on": ""}, "occurred_on", "Enter the date"),
        ({"successful": ""}, "successful", "Say whether a support conversation took place"),
        ({"successful": "sort of"}, "successful", "Say whether a support conversation took"),
        ({"modality": ""}, "modality", "Choose how you talked"),
        ({"modality": "telepathy"}, "modality", "from the list"),
        ({"topics": []}, "topics", "at least one topic"),
        ({"topics": ["gossip"]}, "topics", "from the list"),
        ({"escalated": "on", "escalated_to": ""}, "escalated_to", "which professional help"),
        ({"escalated": "", "escalated_to": "eap"}, "escalated_to", "You chose a resource"),
        ({"escalated": "on", "escalated_to": "astrologer"}, "escalated_to", "from the list"),
        ({"follow_up_note": "x" * 301}, "follow_up_note", "at most 300"),
    ],
)
def test_every_interaction_rule_has_a_clear_message(cast, change, field, message):
    referral = _contacted(cast)
    data = _interaction_data(**change)
    if data.get("occurred_on") == "TOMORROW":
        data["occurred_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    if data.get("occurred_on") == "BEFORE":
        data["occurred_on"] = (
            timezone.localdate(referral.received_at) - timedelta(days=1)
        ).isoformat()
    response = cast.client("supporter_a").post(_url("referral_interaction_log", referral), data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert not Interaction.objects.exists()


def test_an_attempt_without_a_conversation_may_last_zero_minutes_and_have_no_topic(cast):
    referral = _contacted(cast)
    response = cast.client("supporter_a").post(
        _url("referral_interaction_log", referral),
        _interaction_data(successful="no", duration_minutes="0", topics=[]),
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert not interaction.successful and interaction.duration_minutes == 0


def test_the_service_applies_the_same_rules_as_the_form(cast):
    referral = _contacted(cast)
    with pytest.raises(services.CaseWorkError) as refused:
        interaction_logged(
            supporter=cast.supporter_a_profile, referral=referral, duration_minutes=0
        )
    assert "duration_minutes" in refused.value.errors
    with pytest.raises(services.CaseWorkError, match="cannot be in the future"):
        interaction_logged(
            supporter=cast.supporter_a_profile,
            referral=referral,
            occurred_on=timezone.localdate() + timedelta(days=1),
        )
    assert not Interaction.objects.exists()


def test_an_interaction_on_a_case_needs_its_first_contact(cast):
    referral = _accepted(cast)
    client = cast.client("supporter_a")
    response = client.get(_url("referral_interaction_log", referral), follow=True)
    assert response.redirect_chain[-1][0] == _url("referral_detail", referral)
    assert "Log the outreach that reached them first" in response.content.decode()
    with pytest.raises(services.CaseWorkError, match="Log the outreach that reached them"):
        interaction_logged(supporter=cast.supporter_a_profile, referral=referral)


def test_a_case_held_by_someone_else_cannot_be_logged_on(cast):
    referral = _contacted(cast)
    with pytest.raises(services.CaseWorkError, match="Only the supporter holding this case"):
        interaction_logged(supporter=cast.supporter_b_profile, referral=referral)


# --- interactions without a referral -----------------------------------------------------------

NEW_URL = reverse("interactions:interaction_new")


def test_a_proactive_interaction_with_a_department_only(cast):
    response = cast.client("supporter_a").post(
        NEW_URL, _interaction_data(department=cast.department_c.pk, follow_up_note="")
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.source == InteractionSource.PROACTIVE
    assert interaction.referral is None and interaction.physician is None
    assert interaction.physician_pseudonym == ""
    assert interaction.department == cast.department_c


def test_a_proactive_interaction_linked_to_the_roster_takes_the_physician_s_department(cast):
    colleague = PhysicianFactory(department=cast.department_b)
    response = cast.client("supporter_a").post(
        NEW_URL, _interaction_data(colleague=colleague.pk, department=cast.department_c.pk)
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert interaction.physician == colleague
    assert interaction.department == cast.department_b
    assert interaction.physician_pseudonym == physician_pseudonym(colleague.physician_id)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({}, "department", "Choose the physician's department"),
        ({"department": "999999"}, "department", "Choose a department from the list"),
        ({"colleague": "999999"}, "colleague", "not on the roster"),
        ({"colleague": "SELF"}, "colleague", "You cannot log an interaction with yourself"),
        ({"occurred_on": "2020-05-31"}, "occurred_on", "You became a peer supporter on"),
    ],
)
def test_proactive_interaction_bad_input_is_explained(cast, change, field, message):
    data = _interaction_data(**change)
    if data.get("colleague") == "SELF":
        data["colleague"] = cast.supporter_a_profile.physician.pk
    if field == "occurred_on":
        data["department"] = cast.department_a.pk
    response = cast.client("supporter_a").post(NEW_URL, data)
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert not Interaction.objects.exists()


def test_the_service_refuses_an_interaction_with_oneself(cast):
    with pytest.raises(services.CaseWorkError, match="with yourself"):
        interaction_logged(
            supporter=cast.supporter_a_profile, physician=cast.supporter_a_profile.physician
        )


def test_the_interaction_page_searches_the_roster_and_explains_a_miss_in_its_own_words(cast):
    page = cast.client("supporter_a").get(NEW_URL).content.decode()
    assert reverse("interactions:roster_search") in page
    response = cast.client("supporter_a").post(
        reverse("interactions:roster_search"),
        {"colleague_search": "zzzz-nobody", "purpose": "link"},
    )
    assert "leave the roster link out" in response.content.decode()


# --- closing -----------------------------------------------------------------------------------


def test_closing_as_supported_after_a_conversation(cast):
    referral = _contacted(cast)
    interaction_logged(supporter=cast.supporter_a_profile, referral=referral)
    response = cast.client("supporter_a").post(
        _url("referral_close", referral), {"outcome": "supported"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("interactions:case_list")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.outcome == Outcome.SUPPORTED
    assert referral.events.filter(kind=EventKind.CLOSED, actor=cast.supporter_a).exists()


@pytest.mark.parametrize(
    ("setup", "outcome", "message"),
    [
        ("contacted", "supported", "Log the support conversation before closing"),
        ("contacted", "unreachable", "You reached them"),
        ("accepted", "unreachable", "Log the attempts you made"),
        ("accepted", "supported", "or close as unreachable"),
        ("accepted", "declined", "or close as unreachable"),
        ("contacted", "", "Choose an outcome"),
        ("contacted", "vanished", "from the list"),
    ],
)
def test_an_outcome_the_record_does_not_support_is_refused(cast, setup, outcome, message):
    referral = _contacted(cast) if setup == "contacted" else _accepted(cast)
    response = cast.client("supporter_a").post(
        _url("referral_close", referral), {"outcome": outcome}
    )
    assert response.status_code == 400
    assert any(message in error for error in response.context["close_form"].errors["outcome"])
    referral.refresh_from_db()
    assert referral.is_open


def test_closing_as_unreachable_after_attempts_that_did_not_reach_them(cast):
    referral = _accepted(cast)
    services.outreach_record(
        actor=None,
        referral=referral,
        supporter=cast.supporter_a_profile,
        attempted_at=timezone.now() - timedelta(hours=1),
        method="phone",
        reached=False,
    )
    response = cast.client("supporter_a").post(
        _url("referral_close", referral), {"outcome": "unreachable"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.outcome == Outcome.UNREACHABLE and referral.first_contact_at is None


def test_a_closed_case_cannot_be_worked_any_more(cast):
    referral = _contacted(cast)
    interaction_logged(supporter=cast.supporter_a_profile, referral=referral)
    services.case_close(
        actor=None, referral=referral, supporter=cast.supporter_a_profile, outcome="supported"
    )
    client = cast.client("supporter_a")
    assert client.get(_url("referral_interaction_log", referral)).status_code == 403
    page = client.get(_url("referral_detail", referral)).content.decode()
    assert "Work on this case" not in page and "Case record" in page


# --- who sees what -----------------------------------------------------------------------------


def test_the_coordinator_sees_the_case_record_without_the_private_follow_up_note(cast):
    referral = _contacted(cast)
    interaction_logged(
        supporter=cast.supporter_a_profile,
        referral=referral,
        follow_up_planned=True,
        follow_up_note=FOLLOW_UP,
        escalated=True,
        escalated_to="mental_health",
    )
    coordinator_page = cast.client("coordinator").get(_url("referral_detail", referral))
    text = coordinator_page.content.decode()
    assert "Mental health professional" in text and "Planned" in text
    assert FOLLOW_UP not in text
    assert "Work on this case" not in text
    supporter_page = cast.client("supporter_a").get(_url("referral_detail", referral))
    assert FOLLOW_UP in supporter_page.content.decode()


def test_a_supporter_who_takes_over_a_case_does_not_see_the_previous_supporter_s_note(cast):
    referral = _contacted(cast)
    interaction_logged(
        supporter=cast.supporter_a_profile, referral=referral, follow_up_note=FOLLOW_UP
    )
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_b_profile
    )
    services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_b_profile)
    page = cast.client("supporter_b").get(_url("referral_detail", referral)).content.decode()
    assert "Case record" in page and "Took place" in page
    assert FOLLOW_UP not in page
    # And the former supporter no longer sees the case at all.
    assert cast.client("supporter_a").get(_url("referral_detail", referral)).status_code == 404


@pytest.mark.parametrize("member", ["director", "lead", "supporter_b", "physician"])
def test_nobody_else_sees_a_case_or_its_work(cast, member):
    referral = _contacted(cast)
    client = cast.client(member)
    for name in ("referral_detail", "referral_interaction_log"):
        assert client.get(_url(name, referral)).status_code in (403, 404)


def test_my_interactions_lists_only_mine_and_is_audited(cast):
    mine = interaction_logged(supporter=cast.supporter_a_profile, department=cast.department_a)
    interaction_logged(supporter=cast.supporter_b_profile, department=cast.department_b)
    response = cast.client("supporter_a").get(reverse("interactions:interaction_list"))
    assert list(response.context["page"]) == [mine]
    audit = AuditEvent.objects.get(action="interaction.list")
    assert audit.actor == cast.supporter_a and audit.detail["interaction_ids"] == [
        mine.interaction_id
    ]


def test_viewing_my_cases_is_audited_with_open_and_closed_cases(cast):
    open_case = _contacted(cast)
    closed = referral_in_status(
        "closed", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    cast.client("supporter_a").get(reverse("interactions:case_list"))
    audit = AuditEvent.objects.get(action="referral.list")
    assert set(audit.detail["referral_ids"]) == {open_case.referral_id, closed.referral_id}


def test_my_cases_shows_what_is_due_for_each_open_case(cast):
    waiting = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    accepted = _accepted(cast)
    contacted = _contacted(cast)
    interaction_logged(supporter=cast.supporter_a_profile, referral=contacted)
    response = cast.client("supporter_a").get(reverse("interactions:case_list"))
    rows = {referral.pk: referral for referral in response.context["open_cases"]}
    pending = waiting.assignments.get()
    assert rows[waiting.pk].accept_due_at == pending.accept_due_at
    assert rows[accepted.pk].first_contact_due_at == accepted.first_contact_due_at
    assert rows[contacted.pk].interactions_logged == 1
    text = response.content.decode()
    due = timezone.localtime(pending.accept_due_at)
    assert "Accept or decline by" in text and date_format(due, "SHORT_DATETIME_FORMAT") in text
    assert "1 interaction logged" in text


def test_professional_help_without_a_resource_is_asked_for_with_the_other_missing_answers(cast):
    """The resource is asked for at once, not only once the rest of the form is right, next to
    its field and in the summary at the top."""
    referral = _contacted(cast)
    response = cast.client("supporter_a").post(
        _url("referral_interaction_log", referral),
        _interaction_data(escalated="on", escalated_to="", duration_minutes=""),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["escalated_to"] == [services.ESCALATED_WITHOUT_RESOURCE]
    assert "duration_minutes" in errors
    page = response.content.decode()
    start = page.index('id="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert 'href="#div_id_escalated_to"' in summary and "Which resource" in summary
    assert page.count("choose the resource") == 2  # in the summary and next to the field
    assert not Interaction.objects.exists()
