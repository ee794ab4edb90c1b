"""Referring a colleague anonymously, where the director allows it: nothing the program stores
ties the request to its requester (no referrer, no actor of its history or audit rows, nothing in
the session), the requester follows it with a receipt code, and without the director's leave the
form offers no such choice."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from interactions.models import Referral, RequestReceipt, Source
from post_program import program_settings
from post_program.models import AuditEvent
from tests.factories import PhysicianFactory

from .factories import request_form

pytestmark = pytest.mark.django_db

REQUEST = reverse("interactions:referral_request")
RECEIPT = reverse("interactions:request_receipt")


@pytest.fixture
def allowed(cast):
    program_settings.program_settings_update(
        actor=cast.director, anonymous_colleague_referrals=True
    )


def _anonymous(cast, colleague, **changes):
    data = request_form(for_whom="colleague", colleague=colleague.pk, anonymous="on", **changes)
    return cast.client("physician").post(REQUEST, data)


def test_an_anonymous_request_holds_nothing_of_who_asked(cast, allowed):
    colleague = PhysicianFactory(department=cast.department_c)
    response = _anonymous(cast, colleague, referrer_may_be_named="on")
    assert response.status_code == 200  # the confirmation, with its receipt, shown once
    page = response.content.decode()
    assert "You asked anonymously" in page
    receipt = response.context["receipt"]
    assert receipt in page
    referral = Referral.objects.get(physician=colleague)
    assert (referral.source, referral.referrer, referral.referrer_may_be_named) == (
        Source.THIRD_PARTY,
        None,
        False,
    )
    assert all(event.actor is None for event in referral.events.all())
    requester = cast.physician
    rows = AuditEvent.objects.filter(object_id=str(referral.pk))
    assert rows.exists()
    assert all(row.actor is None for row in rows)
    assert not any(requester.email in json.dumps(row.detail) for row in rows)
    # Nothing in the session either, and the request is not under "My requests".
    client = cast.client("physician")
    assert "interactions_request_sent" not in client.session
    assert (
        referral.referral_id not in client.get(reverse("interactions:my_requests")).content.decode()
    )
    # Only the digest of the code is stored.
    (stored,) = RequestReceipt.objects.filter(referral=referral)
    assert receipt.replace("-", "") not in stored.digest
    # The coordinator cannot tell who asked.
    detail = cast.client("coordinator").get(
        reverse("interactions:referral_detail", args=[referral.pk])
    )
    text = detail.content.decode()
    assert "asked anonymously" in text
    assert requester.get_full_name() not in text


def test_the_receipt_code_follows_the_request_and_nothing_else(cast, allowed):
    colleague = PhysicianFactory(department=cast.department_c)
    receipt = _anonymous(cast, colleague).context["receipt"]
    client = cast.client("supporter_b")  # any physician with the code: it is the key
    found = client.post(RECEIPT, {"code": receipt.lower().replace("-", " ")})
    assert found.status_code == 200
    text = found.content.decode()
    assert "Received: the peer support team is on it" in text
    assert colleague.name not in text
    wrong = client.post(RECEIPT, {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 400
    assert "No request has this receipt code" in wrong.content.decode()
    assert client.post(RECEIPT, {"code": ""}).status_code == 400


def test_an_anonymous_request_that_joins_an_open_case_gets_a_receipt_too(cast, allowed):
    colleague = PhysicianFactory(department=cast.department_c)
    cast.client("supporter_a").post(
        REQUEST, request_form(for_whom="colleague", colleague=colleague.pk)
    )
    response = _anonymous(cast, colleague)
    referral = Referral.objects.get(physician=colleague)
    assert RequestReceipt.objects.get().referral == referral
    assert response.context["receipt"]
    joined = referral.events.get(kind="requested_again")
    assert joined.actor is None


def test_without_the_director_s_leave_there_is_no_anonymous_choice(cast):
    page = cast.client("physician").get(REQUEST).content.decode()
    assert "Ask anonymously" not in page
    colleague = PhysicianFactory(department=cast.department_c)
    response = _anonymous(cast, colleague)
    assert response.status_code == 302  # an ordinary request: the choice is ignored
    referral = Referral.objects.get(physician=colleague)
    assert referral.referrer == cast.physician
    assert not RequestReceipt.objects.exists()


def test_asking_for_oneself_is_never_anonymous(cast, allowed):
    response = cast.client("physician").post(REQUEST, request_form(anonymous="on"))
    assert response.status_code == 302
    assert Referral.objects.get().referrer == cast.physician
    assert not RequestReceipt.objects.exists()
