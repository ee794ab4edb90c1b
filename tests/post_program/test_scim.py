"""SCIM provisioning (post_program/scim.py): what an identity provider's requests do to the
accounts, the roster links and the referrals, and what it is refused."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given

from interactions.models import AssignmentState, EventKind, Status
from post_program.models import AuditEvent, PeerSupporter, ScimClient, ScimIdentity, User
from post_program.provisioning import scim_client_create, scim_client_revoke
from tests.factories import PASSWORD, PhysicianFactory
from tests.interactions.factories import referral_assigned, referral_in_status
from tests.interactions.test_fuzz import FUZZ, _value

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

pytestmark = pytest.mark.django_db


@pytest.fixture
def token() -> str:
    return scim_client_create(actor=None, name="Okta")[1]


def scim(method: str, path: str, token: str | None, body: dict | None = None, **query):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    url = reverse("scim", kwargs={"path": path})
    client = Client()
    if body is None:
        return getattr(client, method)(url, query, **headers)
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/scim+json", **headers
    )


def user_body(email: str = "ada@example.org", **extra) -> dict:
    return {
        "schemas": [USER, ENTERPRISE],
        "userName": email,
        "externalId": "00u-ada",
        "name": {"givenName": "Ada", "familyName": "Byron"},
        "emails": [{"value": email, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }


def created(token: str, **extra) -> dict:
    response = scim("post", "/Users", token, user_body(**extra))
    assert response.status_code == 201, response.content
    return response.json()


def test_create_makes_an_account_that_signs_in_by_single_sign_on_only(token):
    body = created(token)
    user = User.objects.get(email="ada@example.org")
    assert user.name == "Ada Byron"
    assert user.is_active
    assert not user.has_usable_password()
    assert body["id"] == str(user.scim_identity.scim_id)
    assert body["id"] != str(user.pk)
    assert body["userName"] == "ada@example.org"
    assert body["externalId"] == "00u-ada"
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{body['id']}")
    event = AuditEvent.objects.get(action="scim.create")
    assert event.object_id == str(user.pk)
    assert event.detail["client_id"] == ScimClient.objects.get().pk
    assert "ada" not in json.dumps(event.detail).lower()


def test_responses_are_scim_json(token):
    response = scim("get", "/ServiceProviderConfig", token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    assert response.json()["patch"]["supported"] is True


def test_create_takes_over_an_existing_account_with_that_email(cast, token):
    body = created(token, email="physician@example.org")
    assert ScimIdentity.objects.get(scim_id=body["id"]).user == cast.physician
    assert AuditEvent.objects.get(action="scim.create").detail["adopted"] is True


def test_filter_by_user_name_and_external_id(token):
    created(token)
    created(token, email="grace@example.org", externalId="00u-grace")
    for query in ['userName eq "GRACE@example.org"', 'externalId eq "00u-grace"']:
        found = scim("get", "/Users", token, filter=query).json()
        assert found["totalResults"] == 1
        assert [user["userName"] for user in found["Resources"]] == ["grace@example.org"]
    assert (
        scim("get", "/Users", token, filter='externalId eq "00U-GRACE"').json()["totalResults"] == 0
    )


def test_list_pages_with_start_index_and_count(token):
    for name in ("a", "b", "c"):
        created(token, email=f"{name}@example.org", externalId=name)
    page = scim("get", "/Users", token, startIndex="2", count="1").json()
    assert page["totalResults"] == 3
    assert page["startIndex"] == 2
    assert [user["userName"] for user in page["Resources"]] == ["b@example.org"]


@pytest.mark.parametrize("query", ["userName eq", 'title eq "x"', "nickName pr", 'active eq "yes"'])
def test_a_bad_filter_is_refused_with_invalid_filter(token, query):
    created(token)
    response = scim("get", "/Users", token, filter=query)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"
    assert response.json()["detail"]


def test_a_duplicate_user_name_is_a_uniqueness_conflict_and_changes_nothing(token):
    created(token)
    response = scim(
        "post",
        "/Users",
        token,
        user_body(emails=[{"value": "other@example.org", "primary": True}]),
    )
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"
    assert response.json()["status"] == "409"
    assert not User.objects.filter(email="other@example.org").exists()
    assert ScimIdentity.objects.count() == 1


def test_an_email_another_provisioned_account_has_is_a_conflict(token):
    created(token)
    response = scim("post", "/Users", token, user_body(userName="someone-else"))
    assert response.status_code == 409
    assert ScimIdentity.objects.count() == 1


def test_wrong_absent_revoked_or_session_credentials_get_401(cast, token):
    assert scim("get", "/Users", None).status_code == 401
    assert scim("get", "/Users", "not-the-token").status_code == 401
    assert scim("get", "/ServiceProviderConfig", None).status_code == 401
    session = cast.client("director")
    response = session.post(
        reverse("scim", kwargs={"path": "/Users"}),
        json.dumps(user_body()),
        content_type="application/scim+json",
    )
    assert response.status_code == 401
    assert response.json()["status"] == "401"
    scim_client_revoke(actor=cast.director, client=ScimClient.objects.get())
    assert scim("get", "/Users", token).status_code == 401
    assert not User.objects.filter(email="ada@example.org").exists()


def test_employee_number_links_the_roster_entry_and_never_creates_one(cast, token):
    physician = PhysicianFactory(department=cast.department_a, physician_id="HR-77")
    body = created(token, **{ENTERPRISE: {"employeeNumber": "HR-77"}})
    physician.refresh_from_db()
    assert physician.user.scim_identity.scim_id.hex == body["id"].replace("-", "")
    assert body[ENTERPRISE]["employeeNumber"] == "HR-77"
    count = type(physician).objects.count()
    created(token, email="bob@example.org", **{ENTERPRISE: {"employeeNumber": "HR-404"}})
    assert type(physician).objects.count() == count
    assert not hasattr(User.objects.get(email="bob@example.org"), "physician")


def test_employee_number_of_another_accounts_roster_entry_is_a_conflict(cast, token):
    number = cast.physician_profile.physician_id
    response = scim("post", "/Users", token, user_body(**{ENTERPRISE: {"employeeNumber": number}}))
    assert response.status_code == 409
    assert not User.objects.filter(email="ada@example.org").exists()


def _deactivate(token: str, scim_id: str):
    return scim(
        "patch",
        f"/Users/{scim_id}",
        token,
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]},
    )


def test_patch_active_false_ends_sign_in_and_returns_open_cases_to_the_queue(cast, token):
    supporter = cast.supporter_a_profile
    body = created(token, email=cast.supporter_a.email)
    offered = referral_assigned(supporter=supporter, department=cast.department_b)
    accepted = referral_in_status("accepted", supporter=supporter, department=cast.department_b)
    elsewhere = referral_assigned(supporter=cast.supporter_b_profile, department=cast.department_a)
    session = cast.client("supporter_a")

    assert _deactivate(token, body["id"]).status_code == 204

    assert scim("get", f"/Users/{body['id']}", token).json()["active"] is False
    cast.supporter_a.refresh_from_db()
    assert not cast.supporter_a.is_active
    supporter.refresh_from_db()
    assert supporter.status == PeerSupporter.Status.PAUSED
    for referral in (offered, accepted):
        referral.refresh_from_db()
        assert referral.status == Status.NEW
        assert referral.assigned_to is None
        assert referral.assignments.get(supporter=supporter).state == AssignmentState.WITHDRAWN
        event = referral.events.latest("at", "pk")
        assert event.kind == EventKind.ACCOUNT_CLOSED
        assert event.to_status == Status.NEW
    elsewhere.refresh_from_db()
    assert elsewhere.assigned_to == cast.supporter_b_profile
    assert AuditEvent.objects.filter(action="referral.account_closed").count() == 2
    assert AuditEvent.objects.filter(action="scim.deactivate").count() == 1
    # The open session is over, and the password no longer signs in.
    assert session.get(reverse("home_physician"))["Location"].startswith(reverse("account_login"))
    client = Client()
    client.post(reverse("account_login"), {"login": cast.supporter_a.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_put_active_false_deactivates_too(cast, token):
    body = created(token, email=cast.physician.email)
    response = scim(
        "put", f"/Users/{body['id']}", token, user_body(cast.physician.email, active=False)
    )
    assert response.status_code == 200
    cast.physician.refresh_from_db()
    assert not cast.physician.is_active
    assert AuditEvent.objects.filter(action="scim.deactivate").count() == 1


def test_delete_deactivates_the_account_and_forgets_the_resource(cast, token):
    body = created(token, email=cast.supporter_b.email)
    referral = referral_assigned(supporter=cast.supporter_b_profile, department=cast.department_a)
    assert scim("delete", f"/Users/{body['id']}", token).status_code == 204
    assert scim("get", f"/Users/{body['id']}", token).status_code == 404
    cast.supporter_b.refresh_from_db()
    assert not cast.supporter_b.is_active
    referral.refresh_from_db()
    assert referral.status == Status.NEW
    # Provisioned again, the account is the same one, active again.
    again = created(token, email=cast.supporter_b.email)
    assert again["id"] != body["id"]
    cast.supporter_b.refresh_from_db()
    assert cast.supporter_b.is_active


def test_patch_updates_the_name_and_audits_field_names_only(token):
    body = created(token)
    response = scim(
        "patch",
        f"/Users/{body['id']}",
        token,
        {
            "schemas": [PATCH],
            "Operations": [{"op": "replace", "path": "name.familyName", "value": "Lovelace"}],
        },
    )
    assert response.status_code == 204
    assert User.objects.get(email="ada@example.org").name == "Ada Lovelace"
    event = AuditEvent.objects.get(action="scim.update")
    assert event.detail["fields"] == ["family_name", "name"]


def test_scim_token_command_creates_and_revokes_as_a_director(cast, capsys):
    call_command("scim_token", "create", "Entra ID", "--director", cast.director.email)
    token = capsys.readouterr().out.strip().splitlines()[-1]
    client = ScimClient.objects.get()
    assert client.token_digest != token and token not in client.token_digest
    assert scim("get", "/Users", token).status_code == 200
    call_command("scim_token", "revoke", str(client.pk), "--director", cast.director.email)
    assert scim("get", "/Users", token).status_code == 401
    actions = AuditEvent.objects.filter(actor=cast.director).values_list("action", flat=True)
    assert set(actions) == {"scim.client_create", "scim.client_revoke"}
    with pytest.raises(CommandError, match="not a director"):
        call_command("scim_token", "create", "Okta", "--director", cast.coordinator.email)
    assert ScimClient.objects.count() == 1


def test_entra_style_patches_are_understood(token):
    """Entra ID capitalises the operation, sends booleans as strings and picks the work email."""
    body = created(token)
    operations = [
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ada@lovelace.org"},
        {"op": "Replace", "path": "active", "value": "False"},
    ]
    response = scim(
        "patch", f"/Users/{body['id']}", token, {"schemas": [PATCH], "Operations": operations}
    )
    assert response.status_code == 204, response.content
    user = User.objects.get(scim_identity__scim_id=body["id"])
    assert user.email == "ada@lovelace.org"
    assert not user.is_active


def test_entra_test_connection_finds_nobody(token):
    found = scim("get", "/Users", token, filter='userName eq "probe-7f3a@example.org"').json()
    assert found["totalResults"] == 0
    assert found["Resources"] == [] or "Resources" not in found


@pytest.mark.parametrize("missing", ["userName", "emails", "active"])
def test_a_user_without_a_required_attribute_is_refused(token, missing):
    body = user_body()
    del body[missing]
    response = scim("post", "/Users", token, body)
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"
    assert not ScimIdentity.objects.exists()


def test_attributes_the_program_does_not_keep_are_ignored(token):
    body = created(token, phoneNumbers=[{"value": "555-0100", "type": "work"}], title="Dr")
    assert "phoneNumbers" not in body
    assert (
        scim("get", "/Users", token, filter="externalId pr and active pr").json()["totalResults"]
        == 1
    )


def test_the_director_creates_a_token_seen_once_and_revokes_it(cast):
    director = cast.client("director")
    url = reverse("scim_client_list")
    response = director.post(url, {"name": "Okta"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    assert token in response.content.decode()
    assert scim("get", "/Users", token).status_code == 200
    assert token not in director.get(url).content.decode()
    client = ScimClient.objects.get()
    response = director.post(reverse("scim_client_revoke", kwargs={"pk": client.pk}))
    assert response.status_code == 302
    assert scim("get", "/Users", token).status_code == 401
    assert "Revoked" in director.get(url).content.decode()
    assert AuditEvent.objects.filter(actor=cast.director, action="scim.client_revoke").exists()


@FUZZ
@given(name=_value(["Okta", "Entra ID", " ", "x" * 100, "x" * 101]))
def test_the_token_form_never_fails(cast, name):
    before = ScimClient.objects.count()
    response = cast.client("director").post(reverse("scim_client_list"), {"name": name})
    assert response.status_code in (200, 400)
    created = ScimClient.objects.count() - before
    assert created == (1 if response.status_code == 200 else 0)
    if created:
        assert ScimClient.objects.latest("pk").name == name.strip()


def test_an_email_the_provider_changes_no_longer_reaches_or_signs_in_the_account(
    cast, token, mailoutbox
):
    """The provider moves an account to a new address (the old one may go to someone else):
    the old address must neither sign in nor receive a password reset for the account."""
    EmailAddress.objects.create(
        user=cast.physician, email=cast.physician.email, primary=True, verified=True
    )
    body = created(token, email="physician@example.org")
    response = scim(
        "patch",
        f"/Users/{body['id']}",
        token,
        {
            "schemas": [PATCH],
            "Operations": [
                {
                    "op": "replace",
                    "path": "emails",
                    "value": [{"value": "dana.new@example.org", "type": "work", "primary": True}],
                }
            ],
        },
    )
    assert response.status_code == 204, response.content
    cast.physician.refresh_from_db()
    assert cast.physician.email == "dana.new@example.org"
    assert list(
        EmailAddress.objects.filter(user=cast.physician).values_list("email", "primary", "verified")
    ) == [("dana.new@example.org", True, True)]

    client = Client()
    client.post(reverse("account_reset_password"), {"email": "physician@example.org"})
    assert not any(
        cast.physician.email in message.body or "/password/reset/key/" in message.body
        for message in mailoutbox
    )
    client.post(reverse("account_login"), {"login": "physician@example.org", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
