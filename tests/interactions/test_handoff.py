"""Handing a case on: the note its supporter leaves for the next supporter, and giving back a
case after accepting it. Who reads the note (the case's later supporter, nobody else: not the
coordinators, the lead, the colleague, the audit trail, the emails or the admin), bad input
refused with nothing changed, and retention removing it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.models import (
    HANDOFF_NOTE_MAX_LENGTH,
    Assignment,
    AssignmentState,
    EventKind,
    HandoffNote,
    Notification,
    NotificationKind,
    Referral,
    Status,
)
from post_program.models import AuditEvent, OutboxEmail

from .factories import referral_contacted, referral_in_status

pytestmark = pytest.mark.django_db

NOTE = "Prefers a text first, evenings after 7; we agreed to talk again next week"


def _url(name: str, referral: Referral) -> str:
    return reverse(f"interactions:{name}", args=[referral.pk])


def _contacted(cast) -> Referral:
    return referral_contacted(
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        at=timezone.now() - timedelta(days=2),
    )


def _save_note(cast, referral, text=NOTE):
    return cast.client("supporter_a").post(
        _url("referral_handoff_note", referral), {"handoff-handoff_note": text}
    )


def _hand_back(cast, referral, **data):
    data = {"hand_back-reason": "capacity", "hand_back-handoff_note": NOTE, **data}
    return cast.client("supporter_a").post(_url("referral_hand_back", referral), data)


def _page(cast, member: str, referral) -> tuple[int, str]:
    response = cast.client(member).get(_url("referral_detail", referral))
    return response.status_code, response.content.decode()


def _nowhere_but_the_next_supporter(cast, referral) -> None:
    """The note's words are on no page but the next supporter's, and in no audit row, email
    or notification."""
    for member in ("coordinator", "lead", "director", "physician", "supporter_a"):
        assert NOTE not in _page(cast, member, referral)[1], member
    assert AuditEvent.objects.exists()
    assert not any("evenings" in json.dumps(e.detail) for e in AuditEvent.objects.all())
    assert not any("evenings" in f"{m.subject} {m.body}" for m in OutboxEmail.objects.all())


def test_the_supporter_who_takes_a_reassigned_case_reads_the_note(cast):
    referral = _contacted(cast)
    response = _save_note(cast, referral)
    assert response.status_code == 302
    # The writer sees it in their own form, not as a note left for them.
    status, page = _page(cast, "supporter_a", referral)
    assert status == 200
    assert NOTE in page
    assert "From the previous supporter" not in page
    # The coordinator who reassigns it does not see it.
    status, page = _page(cast, "coordinator", referral)
    assert status == 200 and NOTE not in page
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_b_profile
    )
    status, page = _page(cast, "supporter_b", referral)
    assert status == 200
    assert "From the previous supporter" in page
    assert NOTE in page
    assert cast.supporter_a_profile.physician.name not in page.split("From the previous")[1][:400]
    # Supporter A holds it no more and learns nothing of it now.
    assert _page(cast, "supporter_a", referral)[0] == 404
    _nowhere_but_the_next_supporter(cast, referral)
    audit = AuditEvent.objects.get(action="referral.handoff_note")
    assert audit.detail["characters"] == len(NOTE)


def test_handing_back_returns_the_case_with_its_first_contact_and_the_note(cast):
    referral = _contacted(cast)
    first_contact = referral.first_contact_at
    response = _hand_back(cast, referral)
    assert response.status_code == 302
    assert response.url == reverse("interactions:case_list")
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to, referral.first_contact_at) == (
        Status.NEW,
        None,
        first_contact,
    )
    assignment = Assignment.objects.get(referral=referral, supporter=cast.supporter_a_profile)
    assert (assignment.state, assignment.decline_reason) == (AssignmentState.DECLINED, "capacity")
    event = referral.events.get(kind=EventKind.HANDED_BACK)
    assert event.reason_label == "No capacity right now"
    assert Notification.objects.filter(
        referral=referral, kind=NotificationKind.RETURNED, recipient=cast.coordinator
    ).exists()
    assert HandoffNote.objects.get(referral=referral).text == NOTE
    # The next supporter accepts: the case goes on from its first contact, with the note.
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_b_profile
    )
    services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_b_profile)
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED
    assert NOTE in _page(cast, "supporter_b", referral)[1]
    _nowhere_but_the_next_supporter(cast, referral)


def test_a_note_cleared_is_gone(cast):
    referral = _contacted(cast)
    _save_note(cast, referral)
    assert _save_note(cast, referral, text="   ").status_code == 302
    assert not HandoffNote.objects.filter(referral=referral).exists()
    assert AuditEvent.objects.filter(action="referral.handoff_note_remove").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hand_back-reason": ""}, "Choose a reason."),
        ({"hand_back-reason": "bored"}, "Choose a reason from the list."),
        (
            {"hand_back-handoff_note": "x" * (HANDOFF_NOTE_MAX_LENGTH + 1)},
            f"Keep the note to {HANDOFF_NOTE_MAX_LENGTH} characters (it has "
            f"{HANDOFF_NOTE_MAX_LENGTH + 1}).",
        ),
    ],
)
def test_a_hand_back_the_form_refuses_changes_nothing(cast, data, message):
    referral = _contacted(cast)
    before = (referral.status, referral.assigned_to_id, referral.version)
    response = _hand_back(cast, referral, **data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="error-summary"' in page
    referral.refresh_from_db()
    assert (referral.status, referral.assigned_to_id, referral.version) == before
    assert not HandoffNote.objects.exists()
    assert not referral.events.filter(kind=EventKind.HANDED_BACK).exists()


def test_a_note_too_long_is_refused_with_its_length(cast):
    referral = _contacted(cast)
    _save_note(cast, referral)
    response = _save_note(cast, referral, text="y" * (HANDOFF_NOTE_MAX_LENGTH + 5))
    assert response.status_code == 400
    assert f"(it has {HANDOFF_NOTE_MAX_LENGTH + 5})" in response.content.decode()
    assert HandoffNote.objects.get(referral=referral).text == NOTE


def test_only_the_case_s_supporter_writes_a_note_or_hands_it_back(cast):
    waiting = referral_in_status(
        "assigned", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    # Not accepted yet: decline it instead.
    assert _save_note(cast, waiting).status_code == 403
    assert _hand_back(cast, waiting).status_code == 403
    referral = _contacted(cast)
    for member, status in (("coordinator", 403), ("supporter_b", 404), ("lead", 404)):
        response = cast.client(member).post(
            _url("referral_hand_back", referral), {"hand_back-reason": "capacity"}
        )
        assert response.status_code == status, member
    with pytest.raises(services.CaseWorkError):
        services.handoff_note_save(
            actor=None, referral=referral, supporter=cast.supporter_b_profile, text=NOTE
        )
    assert not HandoffNote.objects.exists()
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED


def test_the_admin_has_no_hand_off_notes(cast):
    assert HandoffNote not in admin.site._registry


def test_retention_removes_hand_off_notes(cast, settings):
    settings.RETENTION_DAYS = 90
    referral = _contacted(cast)
    services.handoff_note_save(
        actor=None, referral=referral, supporter=cast.supporter_a_profile, text=NOTE
    )
    services.referral_close(actor=None, referral=referral, outcome="supported")
    # Closed four months ago.
    Referral.objects.filter(pk=referral.pk).update(
        received_at=timezone.now() - timedelta(days=130),
        first_contact_at=timezone.now() - timedelta(days=129),
        closed_at=timezone.now() - timedelta(days=120),
    )
    result = services.retention_purge()
    assert result.handoff_notes == 1
    assert not HandoffNote.objects.exists()
    audit = AuditEvent.objects.filter(action="retention.purge").latest("pk")
    assert audit.detail["handoff_notes"] == 1
