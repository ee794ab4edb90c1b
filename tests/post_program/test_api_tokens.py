"""API tokens: made and revoked by the director on their page, kept hashed, shown once, audited
on every call they sign, refused once revoked or out of scope, and rate-limited per token."""

from __future__ import annotations

import hashlib

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from post_program.api_tokens import api_token_create, api_token_find, api_token_revoke
from post_program.models import ApiToken, AuditEvent, RoleAssignment
from tests.api import api_client, token_for
from tests.interactions.test_fuzz import FUZZ, _form, _value, junk

pytestmark = pytest.mark.django_db

DEPARTMENTS = "/api/v1/departments/"
SCOPES = ApiToken.Scope.values


def test_the_director_creates_a_token_whose_secret_is_shown_once_and_kept_hashed(cast):
    client = cast.client("director")
    response = client.post(
        reverse("api_token_list"), {"name": "HR roster feed", "scopes": ["roster:write"]}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["created"].secret
    assert secret.startswith("post_") and secret in response.content.decode()
    token = ApiToken.objects.get()
    assert token.name == "HR roster feed" and token.scopes == ["roster:write"]
    assert token.created_by == cast.director
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert AuditEvent.objects.filter(action="api.token.create", object_id=str(token.pk)).exists()
    listed = client.get(reverse("api_token_list")).content.decode()
    assert "HR roster feed" in listed and secret not in listed


def test_a_token_needs_a_name_and_a_scope(cast):
    response = cast.client("director").post(reverse("api_token_list"), {"name": ""})
    assert response.status_code == 400
    assert "Choose at least one scope." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_service_refuses_an_unknown_scope(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown scope: admin"):
        api_token_create(actor=cast.director, name="x", scopes=["admin"])
    assert not ApiToken.objects.exists()


def test_a_call_with_the_token_is_audited_and_marks_it_used(cast):
    secret = token_for(cast.director, "report:read")
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    response = api_client(secret).get(DEPARTMENTS)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    use = AuditEvent.objects.get(action="api.token.use")
    assert use.actor == cast.director and use.object_id == str(token.pk)
    assert use.detail == {"method": "GET", "path": DEPARTMENTS, "status": 200}


def test_a_revoked_token_signs_no_call(cast):
    secret = token_for(cast.director, "report:read")
    token = ApiToken.objects.get()
    client = cast.client("director")
    response = client.post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api.token.revoke").count() == 1
    assert api_token_find(secret) is None
    answer = api_client(secret).get(DEPARTMENTS)
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'
    assert not AuditEvent.objects.filter(action="api.token.use").exists()
    # Revoking again changes nothing and is not audited twice.
    assert api_token_revoke(actor=cast.director, token=token) is False
    assert AuditEvent.objects.filter(action="api.token.revoke").count() == 1


def test_only_the_director_revokes(cast):
    token_for(cast.director, "report:read")
    token = ApiToken.objects.get()
    response = cast.client("coordinator").post(reverse("api_token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer post_nope", "Bearer a b", "Token whatever", "Bearer \u00e9t\u00e9"],
)
def test_a_call_without_a_valid_token_is_refused(cast, client, header):
    headers = {"authorization": header} if header else {}
    response = client.get(DEPARTMENTS, headers=headers)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_a_signed_in_session_is_no_token(cast):
    response = cast.client("director").get(DEPARTMENTS)
    assert response.status_code == 401


def test_a_token_is_refused_a_call_outside_its_scopes(cast):
    secret = token_for(cast.director, "report:read")
    response = api_client(secret).get("/api/v1/roster/")
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "This call needs a token with the scope roster:read or roster:write."
    )
    use = AuditEvent.objects.get(action="api.token.use")
    assert use.detail["status"] == 403


def test_a_token_stops_working_when_its_director_no_longer_directs(cast):
    secret = token_for(cast.director, "report:read")
    RoleAssignment.objects.filter(user=cast.director).delete()
    response = api_client(secret).get(DEPARTMENTS)
    assert response.status_code == 403
    assert "no longer directs" in response.json()["detail"]


def test_a_token_of_a_deactivated_account_signs_nothing(cast):
    secret = token_for(cast.director, "report:read")
    cast.director.is_active = False
    cast.director.save()
    assert api_client(secret).get(DEPARTMENTS).status_code == 401


@override_settings(API_TOKEN_RATE="3/minute")
def test_each_token_has_its_own_rate_limit(cast):
    first = api_client(token_for(cast.director, "report:read", name="one"))
    second = api_client(token_for(cast.director, "report:read", name="two"))
    assert [first.get(DEPARTMENTS).status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get(DEPARTMENTS)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert second.get(DEPARTMENTS).status_code == 200
    # The refused call is not audited; the four answered ones are.
    assert AuditEvent.objects.filter(action="api.token.use").count() == 4


@FUZZ
@given(data=st.data())
def test_the_token_form_never_fails(cast, data):
    form = data.draw(
        _form({"name": st.one_of(st.text(max_size=120), junk), "scopes": _value(SCOPES)})
    )
    before = ApiToken.objects.count()
    response = cast.client("director").post(reverse("api_token_list"), form)
    assert response.status_code in (200, 400)
    assert ApiToken.objects.count() == before + (response.status_code == 200)
