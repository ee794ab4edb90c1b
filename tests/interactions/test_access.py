"""Who sees a referral's identities: the coordinators of its site and the supporter it is
assigned to now. A supporter it was taken from sees it no more, on any page."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from interactions import services
from interactions.access import get_referral_or_404, referrals_visible_to

from .factories import referral_in_status

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supporter_a_case_was_taken_from_no_longer_sees_it(cast):
    referral = referral_in_status(
        "contacted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    first, second = cast.supporter_a, cast.supporter_b
    url = reverse("interactions:referral_detail", kwargs={"pk": referral.pk})
    assert referral in referrals_visible_to(first)
    assert _signed_in(first).get(url).status_code == 200

    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_b_profile
    )

    assert referral not in referrals_visible_to(first)
    with pytest.raises(Http404):
        get_referral_or_404(first, referral.pk)
    page = _signed_in(first).get(url)
    assert page.status_code == 404
    assert (
        referral.physician.name
        not in _signed_in(first).get(reverse("interactions:case_list")).content.decode()
    )
    assert get_referral_or_404(second, referral.pk) == referral
    assert _signed_in(cast.coordinator).get(url).status_code == 200
