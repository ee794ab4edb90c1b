"""Requests taken by phone or email: a coordinator records a request from a caller who is not
signed in (a nurse, a chief, a risk manager, the physician themself), described by role and an
optional contact. The caller is shown to the site's coordinators only, never to the physician
or the supporter, and retention removes the contact."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.models import EventKind, Referral, Source, Status
from post_program.models import AuditEvent, OutboxEmail, RoleAssignment
from tests.factories import PhysicianFactory, RoleAssignmentFactory, UserFactory

from .factories import referral_new

pytestmark = pytest.mark.django_db

CONTACT = "ward 7 desk, ext. 4471"
URL = reverse("interactions:call_record")


def _call(cast, **changes) -> dict:
    data = {
        "channel": "phone",
        "caller_role": "nurse",
        "caller_contact": CONTACT,
        "department": cast.department_a.pk,
        "physician": cast.physician_profile.pk,
        "named_colleague": "",
        "reason": "adverse_event",
        "note": "",
        "urgency": "routine",
        "contact_method": "any",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def _post(cast, data):
    return cast.client("coordinator").post(URL, data)


def test_a_nurse_s_phone_call_opens_a_referral_with_the_caller_described_not_named(cast):
    colleague = UserFactory(email="second.coordinator@example.org")
    RoleAssignmentFactory(user=colleague, role=RoleAssignment.Role.COORDINATOR, site=cast.north)
    response = _post(cast, _call(cast))
    referral = Referral.objects.get(physician=cast.physician_profile)
    assert response.status_code == 302
    assert response.url == reverse("interactions:referral_detail", args=[referral.pk])
    assert (referral.source, referral.referrer, referral.caller_role) == (
        Source.THIRD_PARTY,
        None,
        "nurse",
    )
    assert referral.caller_contact == CONTACT
    assert not referral.referrer_may_be_named
    received = referral.events.get(kind=EventKind.RECEIVED)
    assert received.actor == cast.coordinator
    assert received.detail == {"source": "third_party", "caller_role": "nurse", "channel": "phone"}
    page = cast.client("coordinator").get(response.url).content.decode()
    assert "A nurse, who called or wrote to the program" in page
    assert CONTACT in page
    # The site's other coordinator is told a request came, not who asked or how to reach them;
    # the one who took the call is not emailed about it.
    (email,) = OutboxEmail.objects.all()
    assert email.to_email == colleague.email
    assert CONTACT not in email.body and "nurse" not in email.body.lower()
    assert not any(CONTACT in json.dumps(e.detail) for e in AuditEvent.objects.all())


def test_the_supporter_and_the_physician_never_learn_who_called(cast):
    _post(cast, _call(cast))
    referral = Referral.objects.get(physician=cast.physician_profile)
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile
    )
    page = cast.client("supporter_a").get(
        reverse("interactions:referral_detail", args=[referral.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "did not consent to be named" in text
    assert CONTACT not in text and "nurse" not in text.lower()
    mine = cast.client("physician").get(reverse("interactions:my_requests")).content.decode()
    assert referral.referral_id not in mine and CONTACT not in mine


def test_a_call_for_someone_not_on_the_roster_keeps_the_name_and_department(cast):
    response = _post(
        cast, _call(cast, physician="", named_colleague="Dr. Robin Locum", caller_role="chief")
    )
    assert response.status_code == 302
    referral = Referral.objects.get(named_colleague="Dr. Robin Locum")
    assert (referral.physician, referral.department) == (None, cast.department_a)
    assert referral.status == Status.NEW


def test_the_physician_who_calls_for_themself_is_a_self_referral(cast):
    _post(cast, _call(cast, caller_role="self", caller_contact=""))
    referral = Referral.objects.get(physician=cast.physician_profile)
    assert (referral.source, referral.caller_role, referral.referrer) == (Source.SELF, "self", None)


def test_a_call_for_a_physician_with_an_open_request_joins_it(cast):
    open_one = referral_new(department=cast.department_a, physician=cast.physician_profile)
    response = _post(cast, _call(cast, urgency="safety"))
    assert response.url == reverse("interactions:referral_detail", args=[open_one.pk])
    assert Referral.objects.count() == 1
    open_one.refresh_from_db()
    assert open_one.urgency == "safety"
    again = open_one.events.get(kind=EventKind.REQUESTED_AGAIN)
    assert again.detail["caller_role"] == "nurse"


def test_the_same_form_sent_twice_is_one_request(cast):
    data = _call(cast)
    _post(cast, data)
    _post(cast, data)
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"caller_role": ""}, "Say who asked, by their role."),
        ({"caller_role": "alien"}, "Select a valid choice."),
        (
            {"physician": "", "named_colleague": "  "},
            "Choose the physician from the roster, or give their name if they are not on it.",
        ),
        ({"department": ""}, "Choose the physician&#x27;s department."),
        ({"caller_contact": "x" * 201}, "Ensure this value has at most 200 characters"),
        ({"reason": ""}, "Choose the category closest to what happened."),
    ],
)
def test_a_call_the_form_refuses_changes_nothing(cast, changes, message):
    response = _post(cast, _call(cast, **changes))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'id="error-summary"' in page
    assert not Referral.objects.exists()


def test_only_the_site_s_departments_and_their_roster_can_be_chosen(cast):
    other_site = _post(cast, _call(cast, department=cast.department_b.pk, physician=""))
    assert other_site.status_code == 400
    elsewhere = PhysicianFactory(department=cast.department_c)
    wrong_roster = _post(cast, _call(cast, physician=elsewhere.pk))
    assert wrong_roster.status_code == 400
    assert "Choose a physician of the department" in wrong_roster.content.decode()
    assert not Referral.objects.exists()


def test_the_roster_follows_the_department_chosen(cast):
    response = cast.client("coordinator").get(URL, {"department": cast.department_a.pk})
    page = response.content.decode()
    assert cast.physician_profile.name in page
    assert 'hx-get="/referrals/calls/new/"' in page


def test_retention_removes_the_caller_s_contact(cast, settings):
    settings.RETENTION_DAYS = 90
    _post(cast, _call(cast))
    referral = Referral.objects.get()
    services.referral_assign(actor=None, referral=referral, supporter=cast.supporter_a_profile)
    services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_a_profile)
    services.referral_record_contact(actor=None, referral=referral)
    services.referral_close(actor=None, referral=referral, outcome="supported")
    long_ago = timezone.now() - timedelta(days=130)
    Referral.objects.filter(pk=referral.pk).update(
        received_at=long_ago,
        first_contact_at=long_ago + timedelta(hours=1),
        closed_at=long_ago + timedelta(days=5),
    )
    result = services.retention_purge()
    referral.refresh_from_db()
    assert result.caller_contacts == 1
    assert (referral.caller_contact, referral.caller_role) == ("", "nurse")


# --- a request kept by name, linked to the roster later ------------------------------------------


def _kept_by_name(cast) -> Referral:
    _post(cast, _call(cast, physician="", named_colleague="Dr. Robin Locum"))
    return Referral.objects.get(named_colleague="Dr. Robin Locum")


def _link(cast, referral, physician, member="coordinator", version=None):
    return cast.client(member).post(
        reverse("interactions:referral_link_physician", args=[referral.pk]),
        {
            "link-physician": physician.pk,
            "link-version": referral.version if version is None else version,
        },
    )


def test_a_request_kept_by_name_is_linked_to_the_roster_entry_once_there_is_one(cast):
    referral = _kept_by_name(cast)
    page = cast.client("coordinator").get(
        reverse("interactions:referral_detail", args=[referral.pk])
    )
    assert "Not on the roster when this request came" in page.content.decode()
    robin = PhysicianFactory(department=cast.department_a, name="Robin Locum")
    response = _link(cast, referral, robin)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.physician, referral.named_colleague) == (robin, "")
    assert referral.events.filter(kind=EventKind.LINKED, actor=cast.coordinator).exists()
    assert AuditEvent.objects.filter(action="referral.link_physician").count() == 1
    page = cast.client("coordinator").get(response.url).content.decode()
    assert "Not on the roster when this request came" not in page


def test_linking_is_refused_with_the_reason_and_changes_nothing(cast):
    referral = _kept_by_name(cast)
    elsewhere = PhysicianFactory(department=cast.department_c)
    response = _link(cast, referral, elsewhere)
    assert response.status_code == 400
    assert "Choose a physician of the referral&#x27;s department." in response.content.decode()
    busy = PhysicianFactory(department=cast.department_a)
    other = referral_new(department=cast.department_a, physician=busy)
    response = _link(cast, referral, busy)
    assert response.status_code == 400
    assert f"already has an open referral ({other.referral_id})" in response.content.decode()
    stale = _link(cast, referral, PhysicianFactory(department=cast.department_a), version=99)
    assert stale.status_code == 400
    referral.refresh_from_db()
    assert (referral.physician, referral.named_colleague) == (None, "Dr. Robin Locum")
    assert not referral.events.filter(kind=EventKind.LINKED).exists()


def test_only_the_site_s_coordinators_link(cast):
    referral = _kept_by_name(cast)
    robin = PhysicianFactory(department=cast.department_a)
    services.referral_assign(actor=None, referral=referral, supporter=cast.supporter_a_profile)
    referral.refresh_from_db()
    assert _link(cast, referral, robin, member="supporter_a").status_code == 403
    assert _link(cast, referral, robin, member="lead").status_code == 404
    referral.refresh_from_db()
    assert referral.physician is None
