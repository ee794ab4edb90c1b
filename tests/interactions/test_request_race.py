"""Two requests for the same physician at the same moment: one opens the referral and the other
joins it, whichever commits first. The same form sent twice at once is one request."""

from __future__ import annotations

import uuid
from unittest import mock

import pytest
from django.db import connection

from interactions import services
from interactions.models import EventKind, Referral, ReferralEvent, Source
from interactions.services import intake
from tests.concurrency import race
from tests.factories import PhysicianFactory

from .factories import referral_new


def _request(cast, physician, **extra):
    return services.referral_request(
        requester=cast.physician,
        source=Source.THIRD_PARTY,
        department=physician.department,
        physician=physician,
        reason="other",
        **extra,
    )


@pytest.mark.django_db
def test_a_referral_committed_after_the_request_looked_is_joined(cast):
    """The unique constraint on open referrals refuses the second one; asked again, the
    request finds the referral that committed meanwhile and joins it."""
    colleague = PhysicianFactory(department=cast.department_a)
    first = referral_new(department=cast.department_a, physician=colleague)
    looks = []

    def look_too_early(submission_key, physician):
        looks.append(physician)
        if len(looks) == 1:
            return None, None  # as if `first` had not committed yet
        return real_look(submission_key, physician)

    real_look = intake._sent_before_and_open
    with mock.patch.object(intake, "_sent_before_and_open", look_too_early):
        result = _request(cast, colleague)
    assert len(looks) == 2
    assert result.created is False and result.referral == first
    assert Referral.objects.filter(physician=colleague).count() == 1
    assert list(first.events.values_list("kind", flat=True)) == [
        EventKind.RECEIVED,
        EventKind.REQUESTED_AGAIN,
    ]


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; this race is tested on PostgreSQL")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_for_one_physician_at_once_open_one_referral(cast):
    _postgres_only()
    colleague = PhysicianFactory(department=cast.department_a)
    results = race(lambda: _request(cast, colleague), lambda: _request(cast, colleague))
    assert sorted(result.created for result in results) == [False, True]
    (referral,) = Referral.objects.filter(physician=colleague)
    assert {result.referral.pk for result in results} == {referral.pk}
    assert sorted(referral.events.values_list("kind", flat=True)) == sorted(
        [EventKind.RECEIVED, EventKind.REQUESTED_AGAIN]
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_is_one_request(cast):
    _postgres_only()
    colleague = PhysicianFactory(department=cast.department_a)
    key = uuid.uuid4()
    results = race(
        lambda: _request(cast, colleague, submission_key=key),
        lambda: _request(cast, colleague, submission_key=key),
    )
    assert sorted(result.created for result in results) == [False, True]
    assert Referral.objects.filter(physician=colleague).count() == 1
    assert ReferralEvent.objects.filter(referral__physician=colleague).count() == 1
