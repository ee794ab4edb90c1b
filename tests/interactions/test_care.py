"""Supporter care: the load over 30 and 90 days, the debrief offered after an escalation or a
heavy month, the request that reaches the site's coordinators, and the coordinators' view of
each supporter's load as counts only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from interactions import selectors, services
from interactions.models import DebriefRequest, DebriefTrigger
from post_program.models import AuditEvent, PeerSupporter, RoleAssignment
from tests.factories import (
    PeerSupporterFactory,
    PhysicianFactory,
    RoleAssignmentFactory,
    UserFactory,
)

from .factories import interaction_logged, referral_assigned

pytestmark = pytest.mark.django_db

CARE_URL = reverse("interactions:supporter_care")
LOAD_URL = reverse("interactions:supporter_load")


def _log(supporter, days_ago: int, **values):
    return interaction_logged(
        supporter=supporter,
        department=supporter.physician.department,
        occurred_on=timezone.localdate() - timedelta(days=days_ago),
        **values,
    )


def test_the_load_counts_the_last_30_and_90_days_today_included(cast):
    supporter = cast.supporter_a_profile
    _log(supporter, 0, duration_minutes=30)
    _log(supporter, 29, duration_minutes=60, escalated=True, escalated_to="eap")
    _log(supporter, 30, duration_minutes=90)  # day 31 back: 90-day window only
    _log(supporter, 89, duration_minutes=15)
    _log(supporter, 90, duration_minutes=600)  # outside both windows
    _log(supporter, 3, successful=False, duration_minutes=0, topics=[])  # not a conversation
    _log(cast.supporter_b_profile, 1)  # someone else's
    referral_assigned(department=cast.department_a, supporter=supporter)
    load = selectors.supporter_loads(supporter_ids=[supporter.pk])[supporter.pk]
    assert (load.conversations_30, load.conversations_90) == (2, 4)
    assert (load.minutes_30, load.minutes_90) == (90, 195)
    assert (load.escalations_30, load.escalations_90) == (1, 1)
    assert load.attempts_30 == 1
    assert load.open_cases == 1
    assert (load.hours_30, load.hours_90) == (1.5, 3.2)


def test_a_supporter_without_interactions_has_a_zero_load(cast):
    load = selectors.supporter_loads(supporter_ids=[cast.supporter_a_profile.pk])
    assert load[cast.supporter_a_profile.pk] == selectors.Load()


def test_my_load_page_shows_my_counts(cast):
    _log(cast.supporter_a_profile, 2, duration_minutes=45)
    response = cast.client("supporter_a").get(CARE_URL)
    assert response.context["load"].conversations_30 == 1
    assert "Support conversations" in response.content.decode()


# --- the debrief offer -------------------------------------------------------------------------


def test_an_escalation_brings_a_debrief_offer_until_one_is_asked_for(cast):
    supporter = cast.supporter_a_profile
    _log(supporter, 1)
    assert selectors.debrief_offer(supporter=supporter) is None
    _log(supporter, 2, escalated=True, escalated_to="crisis_line")
    assert selectors.debrief_offer(supporter=supporter) == DebriefTrigger.ESCALATION
    services.debrief_request(actor=None, supporter=supporter, trigger="escalation", notify=False)
    assert selectors.debrief_offer(supporter=supporter) is None
    # Held, the offer stays away until the next escalation is logged.
    services.debrief_mark_held(actor=cast.coordinator, debrief=DebriefRequest.objects.get())
    assert selectors.debrief_offer(supporter=supporter) is None
    _log(supporter, 0, escalated=True, escalated_to="eap")
    assert selectors.debrief_offer(supporter=supporter) == DebriefTrigger.ESCALATION


def test_an_old_escalation_brings_no_offer(cast):
    _log(cast.supporter_a_profile, 30, escalated=True, escalated_to="eap")
    assert selectors.debrief_offer(supporter=cast.supporter_a_profile) is None


def test_more_than_the_configured_number_of_conversations_in_30_days_brings_an_offer(
    cast, settings
):
    settings.DEBRIEF_AFTER_INTERACTIONS = 3
    supporter = cast.supporter_a_profile
    for days_ago in (0, 5, 29):
        _log(supporter, days_ago)
    _log(supporter, 31)
    _log(supporter, 1, successful=False, duration_minutes=0, topics=[])
    assert selectors.debrief_offer(supporter=supporter) is None  # 3 is not more than 3
    _log(supporter, 10)
    assert selectors.debrief_offer(supporter=supporter) == DebriefTrigger.LOAD
    page = cast.client("supporter_a").get(reverse("interactions:case_list")).content.decode()
    assert "Would a debrief help?" in page


def test_logging_an_escalation_on_the_page_mentions_the_debrief(cast):
    response = cast.client("supporter_a").post(
        reverse("interactions:interaction_new"),
        {
            "occurred_on": timezone.localdate().isoformat(),
            "successful": "yes",
            "duration_minutes": "40",
            "modality": "in_person",
            "topics": ["personal_stress"],
            "escalated": "on",
            "escalated_to": "mental_health",
            "department": cast.department_a.pk,
        },
        follow=True,
    )
    assert "ask a coordinator for a debrief" in response.content.decode()


def test_asking_for_a_debrief_tells_my_site_s_coordinators_and_no_one_else(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://post.example.org"
    other_site_coordinator = UserFactory()
    RoleAssignmentFactory(
        user=other_site_coordinator, role=RoleAssignment.Role.COORDINATOR, site=cast.south
    )
    _log(cast.supporter_a_profile, 1, escalated=True, escalated_to="eap")
    client = cast.client("supporter_a")
    assert client.get(CARE_URL).context["offer"] == DebriefTrigger.ESCALATION
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interactions:debrief_request"), {"trigger": "escalation"})
    assert response.status_code == 302
    request = DebriefRequest.objects.get()
    assert (request.supporter, request.trigger) == (cast.supporter_a_profile, "escalation")
    (email,) = mail.outbox
    assert email.to == [cast.coordinator.email]
    assert cast.supporter_a.name not in email.body + email.subject
    assert "https://post.example.org" + LOAD_URL in email.body
    assert AuditEvent.objects.filter(action="debrief.request", actor=cast.supporter_a).exists()
    # Asking again while one is open adds nothing and mails no one.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interactions:debrief_request"), {"trigger": "asked"})
    assert DebriefRequest.objects.count() == 1 and len(mail.outbox) == 1
    assert "You asked for a debrief" in client.get(CARE_URL).content.decode()


def test_a_debrief_can_be_asked_for_without_a_reason_and_a_forged_trigger_is_ignored(cast):
    cast.client("supporter_a").post(reverse("interactions:debrief_request"), {"trigger": "x"})
    assert DebriefRequest.objects.get().trigger == DebriefTrigger.ASKED


# --- the coordinators' view --------------------------------------------------------------------


def test_coordinators_see_their_sites_supporters_load_as_counts_only(cast):
    colleague = PhysicianFactory(department=cast.department_a, name="Ottoline Supported")
    referral = referral_assigned(
        department=cast.department_a, supporter=cast.supporter_a_profile, physician=colleague
    )
    _log(cast.supporter_a_profile, 3, escalated=True, escalated_to="eap")
    _log(cast.supporter_a_profile, 40)
    _log(cast.supporter_b_profile, 1)
    services.debrief_request(
        actor=None, supporter=cast.supporter_a_profile, trigger="escalation", notify=False
    )
    response = cast.client("coordinator").get(LOAD_URL)
    rows = {supporter.pk: (supporter, load) for supporter, load in response.context["rows"]}
    assert set(rows) == {cast.supporter_a_profile.pk}  # supporter B works at South
    supporter, load = rows[cast.supporter_a_profile.pk]
    assert (load.open_cases, load.conversations_30, load.conversations_90) == (1, 1, 2)
    assert load.escalations_30 == 1
    assert supporter.debrief_id == DebriefRequest.objects.get().pk
    page = response.content.decode()
    assert colleague.name not in page and referral.referral_id not in page
    assert "Mark held" in page


def test_a_coordinator_marks_a_debrief_held(cast):
    request, _ = services.debrief_request(
        actor=None, supporter=cast.supporter_a_profile, trigger="asked", notify=False
    )
    response = cast.client("coordinator").post(
        reverse("interactions:debrief_held", args=[request.pk])
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.held_at is not None and request.held_by == cast.coordinator
    again = cast.client("coordinator").post(
        reverse("interactions:debrief_held", args=[request.pk]), follow=True
    )
    assert "already marked as held" in again.content.decode()


def test_the_coordinators_page_keeps_its_query_budget(cast, django_assert_max_num_queries):
    def count_queries(n: int) -> int:
        for _ in range(n):
            supporter = PeerSupporterFactory(
                physician=PhysicianFactory(department=cast.department_a)
            )
            _log(supporter, 1)
            services.debrief_request(actor=None, supporter=supporter, trigger="asked", notify=False)
            supporter.away_periods.create(starts_on=today, ends_on=today + timedelta(days=3))
        client = cast.client("coordinator")
        with django_assert_max_num_queries(10) as captured:
            response = client.get(LOAD_URL)
        shown = {supporter.pk for supporter, _ in response.context["rows"]}
        assert shown == set(
            PeerSupporter.objects.filter(physician__department__site=cast.north).values_list(
                "pk", flat=True
            )
        )
        away = f"(away until {date_format(today + timedelta(days=3), 'SHORT_DATE_FORMAT')})"
        assert response.content.decode().count(away) == len(shown) - 1  # all but supporter A
        return len(captured)

    today = timezone.localdate()
    assert count_queries(2) == count_queries(15)
