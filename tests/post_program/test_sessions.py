"""Sessions end on time: after 30 idle minutes, after 12 hours however active, and everywhere
else when the password changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "/"


def _signed_in(email: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _signed_in_still(client: Client) -> bool:
    return not client.get(HOME)["Location"].startswith(reverse("account_login"))


def test_a_session_ends_after_thirty_idle_minutes_and_lives_on_while_used(cast):
    start = timezone.now()
    with freeze_time(start):
        client = _signed_in("physician@example.org")
    with freeze_time(start + timedelta(minutes=29)):
        assert _signed_in_still(client)
    with freeze_time(start + timedelta(minutes=58)):  # 29 minutes after the last request
        assert _signed_in_still(client)
    with freeze_time(start + timedelta(minutes=89)):
        assert not _signed_in_still(client)


def test_a_session_ends_twelve_hours_after_sign_in_however_active(cast):
    start = timezone.now()
    with freeze_time(start):
        client = _signed_in("physician@example.org")
    for minutes in range(20, 12 * 60, 20):
        with freeze_time(start + timedelta(minutes=minutes)):
            assert _signed_in_still(client), minutes
    with freeze_time(start + timedelta(hours=12, minutes=10)):
        assert not _signed_in_still(client)
    with freeze_time(start + timedelta(hours=12, minutes=11)):
        assert _signed_in("physician@example.org")  # signing in again starts a new session


def test_changing_the_password_signs_out_every_other_session(cast):
    here, elsewhere = _signed_in("physician@example.org"), _signed_in("physician@example.org")
    new = "river lantern orchard"
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert _signed_in_still(here)
    assert not _signed_in_still(elsewhere)
