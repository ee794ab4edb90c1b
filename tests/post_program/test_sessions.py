"""Sessions end on time: after 30 idle minutes, after 12 hours however active, and everywhere
else when the password changes."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = "/"


def _signed_in(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
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


def test_resetting_the_password_by_email_signs_out_every_session(
    cast, django_capture_on_commit_callbacks
):
    here, elsewhere = _signed_in("physician@example.org"), _signed_in("physician@example.org")
    stranger_to_it = Client()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        stranger_to_it.post(reverse("account_reset_password"), {"email": "physician@example.org"})
    (link,) = re.findall(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    form_page = stranger_to_it.get(urlsplit(link).path, follow=True)
    new = "river lantern orchard"
    response = stranger_to_it.post(
        form_page.redirect_chain[-1][0],
        {"password1": new, "password2": new},
    )
    assert response.status_code == 302
    cast.physician.refresh_from_db()
    assert cast.physician.check_password(new)
    assert not _signed_in_still(here)
    assert not _signed_in_still(elsewhere)


def test_a_password_reset_lets_the_owner_in_after_their_own_failed_attempts(
    cast, django_capture_on_commit_callbacks
):
    owner = Client()
    for _ in range(5):
        owner.post(reverse("account_login"), {"login": "physician@example.org", "password": "x"})
    stopped = owner.post(
        reverse("account_login"), {"login": "physician@example.org", "password": PASSWORD}
    )
    assert b"Too many failed login attempts" in stopped.content
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        owner.post(reverse("account_reset_password"), {"email": "physician@example.org"})
    (link,) = re.findall(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    form_page = owner.get(urlsplit(link).path, follow=True)
    new = "river lantern orchard"
    owner.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert _signed_in("physician@example.org", new)
