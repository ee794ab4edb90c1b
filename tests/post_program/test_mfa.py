"""A second factor for every account that can reach the admin or see identities.

The test settings switch the requirement off (so the rest of the suite can sign people in with
`force_login`); these tests switch it back on with the production default.
"""

from __future__ import annotations

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PRODUCTION_DEFAULT = ["superuser", "staff", "director", "coordinator", "lead", "supporter"]
SETUP = reverse("mfa_activate_totp")


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.MFA_REQUIRED_ROLES = PRODUCTION_DEFAULT
    settings.SSO_PROVIDERS_ENFORCING_MFA = []


def _account(cast, member: str):
    if member == "staff":
        return UserFactory(email="staff@example.org", is_staff=True)
    if member == "superuser":
        return UserFactory(email="root@example.org", is_superuser=True)
    return cast.user(member)


def _signed_in(user) -> Client:
    """Signed in through the form, as a person would."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _sent_to_setup(client: Client, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 302 and response["Location"] == SETUP


ROLES_THAT_MUST = ["director", "coordinator", "lead", "supporter_a", "staff", "superuser"]


@pytest.mark.parametrize("member", ROLES_THAT_MUST)
def test_every_account_that_sees_identities_or_the_admin_sets_up_mfa_first(cast, member):
    user = _account(cast, member)
    client = _signed_in(user)
    for url in (
        reverse("home"),
        reverse("admin:index"),
        reverse("admin:post_program_physician_changelist"),
        reverse("roster_list"),
        reverse("interactions:my_requests"),
        reverse("account_email"),
        reverse("account_change_password"),
    ):
        assert _sent_to_setup(client, url), url
    # What stays open: the MFA pages, the crisis page, static files, signing out.
    assert client.get(reverse("help_now")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    assert not _sent_to_setup(client, f"{settings.STATIC_URL.rstrip('/')}/css/post.css")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(SETUP).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("member", ROLES_THAT_MUST)
def test_with_an_authenticator_the_account_gets_in(cast, member):
    user = _account(cast, member)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    client = Client()
    client.force_login(user)
    assert not _sent_to_setup(client, reverse("home"))
    assert not _sent_to_setup(client, reverse("admin:index"))


def test_a_physician_without_another_role_is_not_forced(cast):
    client = _signed_in(cast.physician)
    assert not _sent_to_setup(client, reverse("home"))
    assert client.get(reverse("home_physician")).status_code == 200


def test_the_roles_that_must_are_configurable(cast, settings):
    settings.MFA_REQUIRED_ROLES = ["director"]
    assert _sent_to_setup(cast.client("director"), reverse("home"))
    assert not _sent_to_setup(cast.client("coordinator"), reverse("home"))
    assert not _sent_to_setup(cast.client("supporter_a"), reverse("home"))
    settings.MFA_REQUIRED_ROLES = ["director", "physician"]
    assert _sent_to_setup(cast.client("physician"), reverse("home"))


def test_an_unknown_role_in_the_setting_stops_the_start_with_a_clear_message(settings):
    settings.MFA_REQUIRED_ROLES = ["director", "boss"]
    with pytest.raises(SystemCheckError, match="MFA_REQUIRED_ROLES holds unknown roles: boss"):
        call_command("check")


def _signed_in_by_sso(user, provider: str) -> Client:
    """A session whose sign-in went through the health system's provider (allauth records the
    provider of every social sign-in in the session)."""
    client = Client()
    client.force_login(user)
    session = client.session
    request = RequestFactory().get("/")
    request.session = session
    record_authentication(request, user, "socialaccount", provider=provider, uid="u-1")
    session.save()
    return client


def test_sso_through_a_provider_marked_as_enforcing_mfa_satisfies_it(cast, settings):
    settings.SSO_PROVIDERS_ENFORCING_MFA = ["health-system"]
    assert not _sent_to_setup(_signed_in_by_sso(cast.coordinator, "health-system"), "/")
    assert _sent_to_setup(_signed_in_by_sso(cast.coordinator, "other-provider"), "/")
    # A password sign-in of the same account still needs the account's own authenticator.
    assert _sent_to_setup(_signed_in(cast.coordinator), "/")


def test_sso_does_not_satisfy_mfa_unless_the_provider_is_marked(cast):
    assert _sent_to_setup(_signed_in_by_sso(cast.supporter_a, "health-system"), "/")


def test_survey_links_work_for_staff_without_mfa(cast):
    """A lead or director on the roster answers a survey link like anyone else."""
    url = reverse("surveys:response_create", kwargs={"token": "not-a-real-token"})
    response = cast.client("director").get(url)
    assert response.status_code == 404  # the survey's own "unknown link" page, not MFA set-up
    assert b"link" in response.content.lower()
