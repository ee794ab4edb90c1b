"""The coordinator's queue, the referral page (with its confidentiality rules and audit), the
assign, accept and decline actions, difficult events and the supporter's case list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.models import Referral, Source, Status, Urgency
from post_program.models import AuditEvent
from tests.factories import PhysicianFactory

from .factories import referral_assigned, referral_in_status, referral_new, trained

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("interactions:queue")


def _detail(referral) -> str:
    return reverse("interactions:referral_detail", args=[referral.pk])


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_is_urgent_first_then_by_deadline_and_only_my_sites(cast):
    now = timezone.now()
    later = referral_new(department=cast.department_a, at=now - timedelta(hours=1))
    sooner = referral_new(department=cast.department_c, at=now - timedelta(hours=10))
    urgent = referral_new(department=cast.department_a, urgency=Urgency.SAFETY, at=now)
    referral_new(department=cast.department_b)  # site South: not this coordinator's
    closed = referral_in_status(
        "closed", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    response = cast.client("coordinator").get(QUEUE_URL)
    assert list(response.context["page"]) == [urgent, sooner, later]
    assert closed not in response.context["page"]
    page = response.content.decode()
    assert "Urgent: safety" in page and later.physician.name in page


def test_queue_filters_and_counts(cast):
    overdue = referral_new(department=cast.department_a, at=timezone.now() - timedelta(hours=30))
    assigned = referral_assigned(department=cast.department_c, supporter=cast.supporter_a_profile)
    referral_in_status("closed", department=cast.department_a, supporter=cast.supporter_a_profile)
    referral_new(department=cast.department_b)
    client = cast.client("coordinator")
    response = client.get(QUEUE_URL, {"overdue": "on"})
    assert list(response.context["page"]) == [overdue]
    response = client.get(QUEUE_URL, {"status": "assigned"})
    assert list(response.context["page"]) == [assigned]
    response = client.get(QUEUE_URL, {"site": cast.north.pk, "status": "all"})
    assert len(response.context["page"]) == 3
    counts = response.context["counts"]
    assert (counts["new"], counts["assigned"], counts["closed"]) == (1, 1, 1)
    assert (counts["open"], counts["overdue"], counts["urgent"]) == (2, 1, 0)


def test_queue_rejects_a_site_that_is_not_mine_and_shows_everything_mine(cast):
    referral_new(department=cast.department_b)
    response = cast.client("coordinator").get(QUEUE_URL, {"site": cast.south.pk})
    assert response.context["form"].errors
    assert list(response.context["page"]) == []


def test_the_queue_keeps_its_query_budget_as_referrals_grow(cast, django_assert_max_num_queries):
    def count_queries(n):
        for _ in range(n):
            referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
        client = cast.client("coordinator")
        with django_assert_max_num_queries(14) as captured:
            client.get(QUEUE_URL)
        return len(captured)

    assert count_queries(2) == count_queries(20)


def test_viewing_the_queue_is_audited_with_the_referrals_shown(cast):
    referral = referral_new(department=cast.department_a)
    cast.client("coordinator").get(QUEUE_URL)
    audit = AuditEvent.objects.get(action="referral.list")
    assert audit.actor == cast.coordinator and audit.detail["referral_ids"] == [
        referral.referral_id
    ]


# --- the referral page -------------------------------------------------------------------------


def test_every_view_of_a_referral_is_audited(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    cast.client("coordinator").get(_detail(referral))
    cast.client("supporter_a").get(_detail(referral))
    cast.client("coordinator").get(_detail(referral))
    views = AuditEvent.objects.filter(action="referral.view").order_by("pk")
    assert [(v.actor, v.object_id, v.detail["referral_id"]) for v in views] == [
        (cast.coordinator, str(referral.pk), referral.referral_id),
        (cast.supporter_a, str(referral.pk), referral.referral_id),
        (cast.coordinator, str(referral.pk), referral.referral_id),
    ]


def test_a_refused_view_is_not_a_view(cast):
    referral = referral_new(department=cast.department_a)
    assert cast.client("supporter_b").get(_detail(referral)).status_code == 404
    assert not AuditEvent.objects.filter(action="referral.view").exists()


def test_the_coordinator_sees_the_referrer_and_whether_they_may_be_named(cast):
    referral = referral_assigned(
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        requester=cast.physician,
        note="Tough night.",
    )
    page = cast.client("coordinator").get(_detail(referral)).content.decode()
    assert cast.physician.name in page and "must not be named" in page
    assert referral.physician.name in page and "Tough night." in page


def test_the_supporter_does_not_see_a_referrer_who_did_not_consent(cast):
    referral = referral_assigned(
        department=cast.department_a, supporter=cast.supporter_a_profile, requester=cast.physician
    )
    page = cast.client("supporter_a").get(_detail(referral)).content.decode()
    assert referral.physician.name in page  # the supporter needs to know whom to reach
    assert cast.physician.name not in page
    assert "The colleague who asked did not consent to be named" in page
    assert "asked not to be named" not in page


def test_the_supporter_sees_a_referrer_who_consented(cast):
    referral = referral_assigned(
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        requester=cast.physician,
        referrer_may_be_named=True,
    )
    page = cast.client("supporter_a").get(_detail(referral)).content.decode()
    assert cast.physician.name in page and "may be named" in page


def test_the_supporter_sees_the_history_without_who_did_what(cast):
    referral = referral_assigned(
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        actor=cast.coordinator,
        requester=cast.physician,
    )
    coordinator_page = cast.client("coordinator").get(_detail(referral)).content.decode()
    supporter_page = cast.client("supporter_a").get(_detail(referral)).content.decode()
    assert "Request received" in supporter_page and "Assigned" in supporter_page
    assert f"by {cast.coordinator.name}" in coordinator_page
    assert f"by {cast.coordinator.name}" not in supporter_page


def test_a_supporter_who_declined_no_longer_sees_the_referral(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    client = cast.client("supporter_a")
    response = client.post(
        reverse("interactions:referral_decline", args=[referral.pk]), {"reason": "capacity"}
    )
    assert response["Location"] == reverse("interactions:case_list")
    assert client.get(_detail(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == Status.NEW


def test_only_the_coordinator_gets_suggestions_and_a_closed_referral_has_none(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    assert cast.client("coordinator").get(_detail(referral)).context["suggestions"] is not None
    assert cast.client("supporter_a").get(_detail(referral)).context["suggestions"] is None
    services.referral_close(actor=None, referral=referral, outcome="declined")
    response = cast.client("coordinator").get(_detail(referral))
    assert response.context["suggestions"] is None
    assert b"assign-form" not in response.content


# --- assign, accept, decline -------------------------------------------------------------------


def test_the_coordinator_assigns_from_the_suggestions_and_the_supporter_is_emailed(
    cast, django_capture_on_commit_callbacks
):
    trained(cast.supporter_a_profile, cast.supporter_b_profile)
    referral = referral_new(department=cast.department_a)
    client = cast.client("coordinator")
    page = client.get(_detail(referral)).content.decode()
    assert "Training current until" in page and "0 of 3 open cases" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("interactions:referral_assign", args=[referral.pk]),
            {"supporter": cast.supporter_b_profile.pk, "version": referral.version},
        )
    assert response["Location"] == _detail(referral)
    referral.refresh_from_db()
    assert referral.assigned_to == cast.supporter_b_profile
    assert [m.to for m in mail.outbox] == [[cast.supporter_b.email]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a supporter from the suggestions."),
        ({"supporter": "nope", "version": 0}, "not among the suggestions"),
        ({"version": "-1"}, "greater than or equal to 0"),
    ],
)
def test_assign_bad_input_is_explained(cast, data, message):
    trained(cast.supporter_a_profile)
    referral = referral_new(department=cast.department_a)
    response = cast.client("coordinator").post(
        reverse("interactions:referral_assign", args=[referral.pk]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not referral.assignments.exists()


def test_a_supporter_who_fails_a_rule_cannot_be_assigned(cast):
    """Supporter A is not trained: not among the suggestions, so the post is refused."""
    referral = referral_new(department=cast.department_a)
    response = cast.client("coordinator").post(
        reverse("interactions:referral_assign", args=[referral.pk]),
        {"supporter": cast.supporter_a_profile.pk, "version": 0},
    )
    assert response.status_code == 400
    assert not referral.assignments.exists()


def test_assigning_a_referral_that_changed_meanwhile_says_so(cast):
    trained(cast.supporter_a_profile, cast.supporter_b_profile)
    referral = referral_new(department=cast.department_a)
    services.referral_assign(actor=None, referral=referral, supporter=cast.supporter_a_profile)
    client = cast.client("coordinator")
    response = client.post(
        reverse("interactions:referral_assign", args=[referral.pk]),
        {"supporter": cast.supporter_b_profile.pk, "version": 0},
        follow=True,
    )
    assert "changed while you were looking at it" in response.content.decode()
    referral.refresh_from_db()
    assert referral.assigned_to == cast.supporter_a_profile


def test_the_supporter_accepts(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    client = cast.client("supporter_a")
    assert b"Will you take this referral?" in client.get(_detail(referral)).content
    client.post(reverse("interactions:referral_accept", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    # Answered: no more buttons, and a second answer is refused.
    assert b"Will you take this referral?" not in client.get(_detail(referral)).content
    response = client.post(reverse("interactions:referral_accept", args=[referral.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("reason", [None, "", "bored"])
def test_declining_needs_a_reason(cast, reason):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    data = {} if reason is None else {"reason": reason}
    response = cast.client("supporter_a").post(
        reverse("interactions:referral_decline", args=[referral.pk]), data
    )
    assert response.status_code == 400
    assert response.context["decline_form"].errors["reason"]
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED


# --- difficult events --------------------------------------------------------------------------

EVENT_URL = reverse("interactions:event_record")


def test_choosing_a_department_lists_its_current_roster(cast):
    here = PhysicianFactory(department=cast.department_c, name="Here Now")
    PhysicianFactory(
        department=cast.department_c,
        name="Long Gone",
        ended_on=timezone.localdate() - timedelta(days=400),
    )
    response = cast.client("coordinator").get(
        EVENT_URL, {"department": cast.department_c.pk}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "Here Now" in page and "Long Gone" not in page
    assert f'value="{here.pk}"' in page


def test_recording_an_event_opens_referrals(cast):
    involved = [PhysicianFactory(department=cast.department_c) for _ in range(2)]
    response = cast.client("coordinator").post(
        EVENT_URL,
        {
            "occurred_on": timezone.localdate().isoformat(),
            "department": cast.department_c.pk,
            "category": "violence",
            "physicians": [p.pk for p in involved],
        },
        follow=True,
    )
    assert "2 referrals opened" in response.content.decode()
    referrals = Referral.objects.filter(physician__in=involved)
    assert {r.source for r in referrals} == {Source.EVENT}
    assert referrals.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"occurred_on": "tomorrow"}, "occurred_on", "Enter a date as YYYY-MM-DD."),
        ({"occurred_on": "FUTURE"}, "occurred_on", "cannot be in the future"),
        ({"occurred_on": "2001-01-01"}, "occurred_on", "past year only"),
        ({"department": "SOUTH"}, "department", "Choose one of your sites' departments."),
        ({"category": ""}, "category", "Choose the kind of event."),
        ({"physicians": []}, "physicians", "Choose at least one physician involved."),
        ({"physicians": ["OTHER"]}, "physicians", "current roster"),
        ({"physicians": ["x"]}, "physicians", "current roster"),
    ],
)
def test_event_bad_input_gets_a_clear_message(cast, changes, field, message):
    involved = PhysicianFactory(department=cast.department_c)
    elsewhere = PhysicianFactory(department=cast.department_a)
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "department": cast.department_c.pk,
        "category": "violence",
        "physicians": [involved.pk],
        **changes,
    }
    if data["occurred_on"] == "FUTURE":
        data["occurred_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    if data["department"] == "SOUTH":
        data["department"] = cast.department_b.pk
    data["physicians"] = [elsewhere.pk if p == "OTHER" else p for p in data["physicians"]]
    response = cast.client("coordinator").post(EVENT_URL, data)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert not Referral.objects.exists()


# --- the supporter's cases ---------------------------------------------------------------------


def test_my_cases_lists_only_my_referrals_open_first(cast):
    closed = referral_in_status(
        "closed", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    open_case = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    referral_assigned(department=cast.department_b, supporter=cast.supporter_b_profile)
    response = cast.client("supporter_a").get(reverse("interactions:case_list"))
    assert list(response.context["open_cases"]) == [open_case]
    assert list(response.context["page"]) == [closed]
