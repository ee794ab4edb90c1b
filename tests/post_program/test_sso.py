"""Single sign-on through a real OpenID Connect provider on loopback (tests/oidc_provider.py):
new roster physicians and people who already have an account sign in; an address the provider
has not verified never opens someone's account."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from post_program.models import Physician
from tests import oidc_provider
from tests.factories import PhysicianFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def running_provider():
    process, provider = oidc_provider.start_provider()
    yield provider
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def provider(running_provider):
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
