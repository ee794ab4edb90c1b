"""Each transition of the life cycle: what it changes, its timestamp, its history entry and
its audit row; and what it refuses."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from interactions import services
from interactions.models import (
    AssignmentState,
    EventKind,
    Notification,
    NotificationKind,
    Referral,
    Source,
    Status,
    Urgency,
)
from post_program.models import AuditEvent
from tests.factories import PeerSupporterFactory, PhysicianFactory

from .factories import referral_assigned, referral_in_status, referral_new

pytestmark = pytest.mark.django_db


def _audits(referral: Referral) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="interactions.referral", object_id=str(referral.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def _kinds(referral: Referral) -> list[str]:
    return list(referral.events.order_by("at", "pk").values_list("kind", flat=True))


def test_a_request_is_new_with_its_deadline_history_and_audit(cast, settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 12
    at = timezone.now() - timedelta(hours=1)
    referral = referral_new(department=cast.department_a, requester=cast.physician, at=at)
    assert referral.status == Status.NEW
    assert referral.received_at == at
    assert referral.first_contact_due_at == at + timedelta(hours=12)
    assert referral.referrer == cast.physician
    assert _kinds(referral) == [EventKind.RECEIVED]
    assert _audits(referral) == ["referral.request"]
    audit = AuditEvent.objects.get(action="referral.request")
    assert audit.actor == cast.physician
    assert audit.detail["referral_id"] == referral.referral_id


def test_referral_ids_are_unique_and_reveal_no_sequence(cast):
    ids = {referral_new(department=cast.department_a).referral_id for _ in range(5)}
    assert len(ids) == 5
    assert all(i.startswith("R-") and len(i) == 14 for i in ids)


def test_assign_accept_contact_close(cast):
    referral = referral_new(department=cast.department_a)
    supporter = cast.supporter_a_profile

    assignment = services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=supporter, expected_version=0
    )
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to, referral.assigned_at) == (
        Status.ASSIGNED,
        supporter,
        assignment.assigned_at,
    )
    assert assignment.state == AssignmentState.PENDING

    services.referral_accept(actor=cast.supporter_a, referral=referral, supporter=supporter)
    referral.refresh_from_db()
    assignment.refresh_from_db()
    assert referral.status == Status.ACCEPTED and referral.accepted_at is not None
    assert assignment.state == AssignmentState.ACCEPTED
    assert assignment.responded_at == referral.accepted_at

    services.referral_record_contact(actor=cast.supporter_a, referral=referral)
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED and referral.first_contact_at is not None

    services.referral_close(actor=cast.supporter_a, referral=referral, outcome="referred_out")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert referral.outcome == "referred_out" and referral.closed_at is not None

    assert _kinds(referral) == ["received", "assigned", "accepted", "contacted", "closed"]
    assert _audits(referral) == [
        "referral.request",
        "referral.assigned",
        "referral.accept",
        "referral.contact",
        "referral.close",
    ]
    statuses = list(referral.events.order_by("at", "pk").values_list("from_status", "to_status"))
    assert statuses[1:] == [
        ("new", "assigned"),
        ("assigned", "accepted"),
        ("accepted", "contacted"),
        ("contacted", "closed"),
    ]
    # Every transition bumps the version coordinators' forms carry.
    assert referral.version == 4


def test_a_declined_assignment_returns_the_referral_to_the_queue(
    cast, django_capture_on_commit_callbacks
):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decline(
            actor=cast.supporter_a,
            referral=referral,
            supporter=cast.supporter_a_profile,
            reason="away",
        )
    referral.refresh_from_db()
    assert referral.status == Status.NEW
    assert referral.assigned_to is None and referral.assigned_at is None
    assignment = referral.assignments.get()
    assert (assignment.state, assignment.decline_reason) == (AssignmentState.DECLINED, "away")
    assert _kinds(referral)[-1] == EventKind.DECLINED
    assert "referral.decline" in _audits(referral)
    # The coordinators of the site hear about it.
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]


def test_a_decline_needs_a_known_reason(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    with pytest.raises(services.ReferralError):
        services.referral_decline(
            actor=None, referral=referral, supporter=cast.supporter_a_profile, reason="bored"
        )


def test_only_the_supporter_waited_on_can_answer(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    with pytest.raises(services.ReferralError):
        services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_b_profile)
    services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_a_profile)
    with pytest.raises(services.ReferralError):  # already answered
        services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_a_profile)


def test_reassigning_withdraws_the_first_offer(cast):
    referral = referral_in_status(
        "accepted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    services.referral_assign(
        actor=cast.coordinator,
        referral=referral,
        supporter=cast.supporter_b_profile,
        expected_version=referral.version,
    )
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED and referral.assigned_to == cast.supporter_b_profile
    assert referral.accepted_at is None
    states = dict(referral.assignments.values_list("supporter_id", "state"))
    assert states == {
        cast.supporter_a_profile.pk: AssignmentState.WITHDRAWN,
        cast.supporter_b_profile.pk: AssignmentState.PENDING,
    }
    assert _kinds(referral)[-1] == EventKind.REASSIGNED


def test_a_reassigned_contacted_case_goes_back_to_contacted_on_acceptance(cast):
    referral = referral_in_status(
        "contacted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    services.referral_assign(actor=None, referral=referral, supporter=cast.supporter_b_profile)
    services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_b_profile)
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED and referral.first_contact_at is not None


def test_assignment_refuses_the_physician_themself_a_conflict_and_inactive_supporters(cast):
    supporter_physician = cast.supporter_b_profile.physician
    own = referral_new(department=cast.department_b, physician=supporter_physician)
    with pytest.raises(services.ReferralError, match="own supporter"):
        services.referral_assign(actor=None, referral=own, supporter=cast.supporter_b_profile)

    referral = referral_new(department=cast.department_a)
    cast.supporter_a_profile.conflicts.add(referral.physician)
    with pytest.raises(services.ReferralError, match="conflict"):
        services.referral_assign(actor=None, referral=referral, supporter=cast.supporter_a_profile)

    paused = PeerSupporterFactory(physician=PhysicianFactory(department=cast.department_a))
    paused.status = "paused"
    paused.save()
    with pytest.raises(services.ReferralError, match="not active"):
        services.referral_assign(actor=None, referral=referral, supporter=paused)
    referral.refresh_from_db()
    assert referral.status == Status.NEW and not referral.assignments.exists()


def test_a_stale_version_is_refused(cast):
    referral = referral_new(department=cast.department_a)
    services.referral_assign(
        actor=None, referral=referral, supporter=cast.supporter_a_profile, expected_version=0
    )
    with pytest.raises(services.ReferralChanged):
        services.referral_assign(
            actor=None, referral=referral, supporter=cast.supporter_b_profile, expected_version=0
        )
    referral.refresh_from_db()
    assert referral.assigned_to == cast.supporter_a_profile


def test_closing_withdraws_a_pending_offer_and_cannot_happen_twice(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    services.referral_close(actor=cast.coordinator, referral=referral, outcome="declined")
    assert referral.assignments.get().state == AssignmentState.WITHDRAWN
    with pytest.raises(services.ReferralError):
        services.referral_close(actor=cast.coordinator, referral=referral, outcome="supported")
    with pytest.raises(services.ReferralError):
        services.referral_assign(actor=None, referral=referral, supporter=cast.supporter_b_profile)


def test_closing_needs_a_known_outcome(cast):
    referral = referral_new(department=cast.department_a)
    with pytest.raises(services.ReferralError):
        services.referral_close(actor=None, referral=referral, outcome="")


def test_contact_needs_an_accepted_referral(cast):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    with pytest.raises(services.ReferralError):
        services.referral_record_contact(actor=None, referral=referral)


# --- requests joining an open referral ---------------------------------------------------------


def test_a_second_request_for_the_same_physician_joins_the_open_referral(cast):
    colleague = PhysicianFactory(department=cast.department_a)
    first = referral_new(department=cast.department_a, physician=colleague, requester=cast.lead)
    result = services.referral_request(
        requester=cast.physician,
        source=Source.THIRD_PARTY,
        department=cast.department_a,
        physician=colleague,
        reason="other",
        referrer_may_be_named=True,
    )
    assert result.created is False and result.referral == first
    assert Referral.objects.filter(physician=colleague).count() == 1
    joined = first.events.get(kind=EventKind.REQUESTED_AGAIN)
    assert joined.actor == cast.physician
    assert joined.detail == {"source": "third_party", "referrer_may_be_named": True}
    first.refresh_from_db()
    assert first.referrer == cast.lead  # the first referrer stays the referrer


def test_a_self_referral_joins_a_colleague_s_open_referral(cast):
    first = referral_new(department=cast.department_a, physician=cast.physician_profile)
    result = services.referral_request(
        requester=cast.physician,
        source=Source.SELF,
        department=cast.department_a,
        physician=cast.physician_profile,
        reason="personal",
    )
    assert result.referral == first and not result.created


def test_an_urgent_second_request_raises_the_open_referral_and_alerts_at_once(
    cast, django_capture_on_commit_callbacks
):
    first = referral_new(department=cast.department_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_request(
            requester=cast.physician,
            source=Source.THIRD_PARTY,
            department=cast.department_a,
            physician=first.physician,
            reason="other",
            urgency=Urgency.SAFETY,
        )
    first.refresh_from_db()
    assert first.urgency == Urgency.SAFETY
    assert EventKind.URGENCY_RAISED in _kinds(first)
    assert Notification.objects.get(referral=first).kind == NotificationKind.URGENT
    assert len(mail.outbox) == 1 and "URGENT" in mail.outbox[0].subject


def test_the_same_form_sent_twice_is_one_request(cast):
    key = uuid.uuid4()
    colleague = PhysicianFactory(department=cast.department_a)
    kwargs = {
        "requester": cast.physician,
        "source": Source.THIRD_PARTY,
        "department": cast.department_a,
        "reason": "other",
        "submission_key": key,
    }
    first = services.referral_request(physician=colleague, **kwargs)
    second = services.referral_request(physician=colleague, **kwargs)
    assert first.created and not second.created and second.referral == first.referral
    assert first.referral.events.count() == 1  # no "requested again" either


def test_a_joining_form_sent_twice_joins_once(cast):
    first = referral_new(department=cast.department_a)
    key = uuid.uuid4()
    for _ in range(2):
        services.referral_request(
            requester=cast.physician,
            source=Source.THIRD_PARTY,
            department=cast.department_a,
            physician=first.physician,
            reason="other",
            submission_key=key,
        )
    assert first.events.filter(kind=EventKind.REQUESTED_AGAIN).count() == 1


def test_a_free_text_colleague_sent_twice_is_one_request(cast):
    key = uuid.uuid4()
    for _ in range(2):
        services.referral_request(
            requester=cast.physician,
            source=Source.THIRD_PARTY,
            department=cast.department_c,
            named_colleague="Dr. Visiting",
            reason="other",
            submission_key=key,
        )
    assert Referral.objects.filter(named_colleague="Dr. Visiting").count() == 1


def test_the_referrer_may_be_named_only_on_third_party_requests(cast):
    referral = referral_new(
        department=cast.department_a,
        physician=cast.physician_profile,
        source=Source.SELF,
        requester=cast.physician,
        referrer_may_be_named=True,
    )
    assert referral.referrer_may_be_named is False


# --- events ------------------------------------------------------------------------------------


def test_an_event_opens_one_referral_per_physician_and_keeps_open_ones(cast):
    involved = [PhysicianFactory(department=cast.department_a) for _ in range(3)]
    already = referral_new(department=cast.department_a, physician=involved[0])
    event, results = services.event_record(
        actor=cast.coordinator,
        occurred_on=timezone.localdate(),
        department=cast.department_a,
        category="patient_death",
        physicians=involved,
    )
    assert [r.created for r in results] == [False, True, True]
    assert results[0].referral == already
    new = [r.referral for r in results[1:]]
    assert all(r.source == Source.EVENT and r.event == event for r in new)
    assert all(r.reason == "patient_death" and r.referrer == cast.coordinator for r in new)
    audit = AuditEvent.objects.get(action="event.record")
    assert sorted(audit.detail["referral_ids"]) == sorted(r.referral.referral_id for r in results)


def test_callers_may_give_stable_referral_ids(cast):
    referral = referral_new(department=cast.department_a, referral_id="R-2019-0001")
    assert referral.referral_id == "R-2019-0001"
    involved = [PhysicianFactory(department=cast.department_a) for _ in range(2)]
    _, results = services.event_record(
        actor=cast.coordinator,
        occurred_on=timezone.localdate(),
        department=cast.department_a,
        category="other",
        physicians=involved,
        referral_ids=["R-EVENT-1"],
    )
    assert results[0].referral.referral_id == "R-EVENT-1"
    assert results[1].referral.referral_id.startswith("R-")
