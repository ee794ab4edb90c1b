"""Sign-in, sign-up limited to the roster, password reset and passwords (MFA: test_mfa.py)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from post_program.models import User
from tests.factories import PASSWORD, PhysicianFactory, UserFactory

pytestmark = pytest.mark.django_db


def _signup(client, email):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": "Correct-horse-42", "password2": "Correct-horse-42"},
    )


def test_sign_in_with_email_and_password(cast, client):
    response = client.post(
        reverse("account_login"), {"login": "physician@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("home_physician")


def test_wrong_password_is_refused_with_a_message(cast, client):
    response = client.post(
        reverse("account_login"), {"login": "physician@example.org", "password": "wrong-one"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_up_open_to_roster_email_and_links_the_roster_entry(client):
    physician = PhysicianFactory(email="new.doc@example.org")
    response = _signup(client, "New.Doc@example.org")
    assert response.status_code == 302
    physician.refresh_from_db()
    assert physician.user is not None
    assert physician.user.email == "new.doc@example.org"


def test_sign_up_refused_for_email_not_on_roster(client):
    response = _signup(client, "stranger@elsewhere.test")
    assert response.status_code == 200
    assert b"not on the program roster" in response.content
    assert not User.objects.filter(email="stranger@elsewhere.test").exists()


@override_settings(SIGNUP_EMAIL_DOMAINS=["hospital.test"])
def test_sign_up_open_to_configured_domains(client):
    assert _signup(client, "someone@hospital.test").status_code == 302
    assert User.objects.filter(email="someone@hospital.test").exists()


def test_password_reset_sends_a_link_only(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        client.post(reverse("account_reset_password"), {"email": "physician@example.org"})
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_repeated_failed_sign_ins_are_rate_limited(cast, client):
    def attempt(password):
        return client.post(
            reverse("account_login"), {"login": "physician@example.org", "password": password}
        )

    for _ in range(5):
        assert b"Too many failed" not in attempt("nope").content
    locked = attempt(PASSWORD)
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session


def test_admin_sign_in_goes_through_allauth(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_admin_is_for_technical_staff_only(cast, client):
    client.force_login(cast.director)
    assert client.get(reverse("admin:index")).status_code == 302
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("peer-support", "too easy to guess"),
        ("PeerSupport2024!", "too easy to guess"),
        ("horse-stapl", "at least 12 characters"),
        ("newcomer@example.org-1", "too similar"),
        ("password1234", "too common"),
    ],
)
def test_sign_up_refuses_a_guessable_password_and_creates_nothing(client, password, message):
    PhysicianFactory(email="newcomer@example.org")
    page = client.post(
        reverse("account_signup"),
        {"email": "newcomer@example.org", "password1": password, "password2": password},
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_a_long_passphrase_without_symbols_is_accepted(client):
    """No composition rules: lower-case words are a fine password."""
    PhysicianFactory(email="newcomer@example.org")
    passphrase = "river lantern orchard"
    page = client.post(
        reverse("account_signup"),
        {"email": "newcomer@example.org", "password1": passphrase, "password2": passphrase},
    )
    assert page.status_code == 302
    assert User.objects.get(email="newcomer@example.org").check_password(passphrase)
