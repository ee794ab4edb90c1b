"""Single sign-on through a real OpenID Connect provider on loopback (tests/oidc_provider.py):
new roster physicians and people who already have an account sign in; an address the provider
has not verified never opens someone's account."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from post_program import checks
from post_program.adapters import ONLY_SSO, ONLY_SSO_SIGN_UP
from post_program.models import Physician, User
from tests import oidc_provider
from tests.factories import PASSWORD, PhysicianFactory


@pytest.fixture(scope="session")
def running_provider():
    process, provider = oidc_provider.start_provider()
    yield provider
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def provider(running_provider, db):
    with override_settings(
        SOCIALACCOUNT_PROVIDERS=running_provider.app_settings(),
        ACCOUNT_EMAIL_VERIFICATION="mandatory",
    ):
        yield running_provider


def test_existing_account_signs_in_and_is_linked(cast, client, provider):
    response = oidc_provider.sign_in(client, provider, "pat")
    assert response.redirect_chain[-1][0] == reverse("home_physician")
    assert response.status_code == 200
    assert int(client.session["_auth_user_id"]) == cast.physician.pk
    account = SocialAccount.objects.get(user=cast.physician)
    assert (account.provider, account.uid) == (oidc_provider.PROVIDER_ID, "pat")
    assert EmailAddress.objects.get(user=cast.physician).verified
    assert mail.outbox == []
    # The next time the link itself signs Pat in.
    client.logout()
    response = oidc_provider.sign_in(client, provider, "pat")
    assert response.redirect_chain[-1][0] == reverse("home_physician")
    assert SocialAccount.objects.filter(user=cast.physician).count() == 1


def test_new_roster_physician_gets_an_account_linked_to_the_roster(client, provider):
    physician = PhysicianFactory(email="new.doc@example.org")
    response = oidc_provider.sign_in(client, provider, "newdoc")
    assert response.redirect_chain[-1][0] == reverse("home_physician")
    physician.refresh_from_db()
    assert physician.user is not None
    assert int(client.session["_auth_user_id"]) == physician.user.pk
    assert SocialAccount.objects.get(user=physician.user).uid == "newdoc"


def test_unverified_address_does_not_open_the_account_it_names(cast, client, provider):
    password = cast.physician.password
    oidc_provider.sign_in(client, provider, "mallory")
    assert client.session.get("_auth_user_id") is None
    assert not SocialAccount.objects.exists()
    cast.physician.refresh_from_db()
    assert cast.physician.password == password
    assert Physician.objects.get(user=cast.physician).email == "physician@example.org"


@override_settings(OIDC_ONLY=True)
def test_only_sso_refuses_password_sign_in_with_a_message(cast, client, provider):
    page = client.get(reverse("account_login"))
    assert b'name="password"' not in page.content
    assert f"/accounts/oidc/{oidc_provider.PROVIDER_ID}/login/".encode() in page.content
    response = client.post(
        reverse("account_login"), {"login": "physician@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert escape(ONLY_SSO).encode() in response.content
    assert "_auth_user_id" not in client.session
    # The health system's sign-in still lets Pat in.
    response = oidc_provider.sign_in(client, provider, "pat")
    assert response.redirect_chain[-1][0] == reverse("home_physician")


@override_settings(OIDC_ONLY=True)
def test_only_sso_refuses_sign_up_and_password_reset(cast, client, provider):
    PhysicianFactory(email="new.doc@example.org")
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.doc@example.org",
            "password1": "Correct-horse-42",
            "password2": "Correct-horse-42",
        },
    )
    assert escape(ONLY_SSO_SIGN_UP).encode() in response.content
    assert not User.objects.filter(email="new.doc@example.org").exists()
    page = client.get(reverse("account_reset_password"))
    assert b'name="email"' not in page.content
    response = client.post(reverse("account_reset_password"), {"email": "physician@example.org"})
    assert escape(ONLY_SSO).encode() in response.content
    assert mail.outbox == []


@override_settings(OIDC_ONLY=True)
def test_only_sso_sends_the_admin_login_to_the_sso_sign_in(client, provider):
    response = client.get("/admin/login/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert b'name="password"' not in response.content
    assert f"/accounts/oidc/{oidc_provider.PROVIDER_ID}/login/".encode() in response.content


@override_settings(MFA_REQUIRED_ROLES=["physician"])
def test_sso_enforcing_mfa_counts_as_mfa_and_other_sso_does_not(cast, client, provider):
    with override_settings(SSO_PROVIDERS_ENFORCING_MFA=[oidc_provider.PROVIDER_ID]):
        response = oidc_provider.sign_in(client, provider, "pat")
        assert response.redirect_chain[-1][0] == reverse("home_physician")
    client.logout()
    response = oidc_provider.sign_in(client, provider, "pat")
    assert response.redirect_chain[-1][0] == reverse("mfa_activate_totp")


@override_settings(OIDC_ONLY=True, SOCIALACCOUNT_PROVIDERS={})
def test_only_sso_without_a_provider_stops_the_checks():
    assert [error.id for error in checks.oidc_only_check(None)] == ["post_program.E002"]
