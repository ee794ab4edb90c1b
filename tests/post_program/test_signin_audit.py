"""Sign-ins, failed sign-ins, sign-outs and changes of the second factor are audited; a failed
sign-in keeps neither the password nor what was typed as the login, only the account it names
(if any) and the client address."""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from post_program.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _trail() -> list[tuple]:
    rows = AuditEvent.objects.filter(action__regex=r"^(account|mfa)\.").order_by("id")
    return [(row.action, row.actor, row.object_type, row.object_id, row.detail) for row in rows]


def _sign_in(client: Client, login: str, password: str, **headers):
    return client.post(
        reverse("account_login"), {"login": login, "password": password}, headers=headers
    )


def test_a_sign_in_and_a_sign_out_are_audited_with_the_client_address(cast):
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert _sign_in(client, "physician@example.org", PASSWORD).status_code == 302
    assert client.post(reverse("account_logout")).status_code == 302
    user = cast.physician
    assert _trail() == [
        ("account.signin", user, "post_program.user", str(user.pk), {"ip": "198.51.100.7"}),
        ("account.signout", user, "post_program.user", str(user.pk), {"ip": "198.51.100.7"}),
    ]


def test_a_failed_sign_in_names_the_account_never_the_password_or_the_typed_login(cast):
    client = Client(REMOTE_ADDR="203.0.113.9")
    typed_password = "Secret-Guess-9431"
    assert _sign_in(client, "Physician@Example.org", typed_password).status_code == 200
    user = cast.physician
    assert _trail() == [
        ("account.signin_failed", None, "post_program.user", str(user.pk), {"ip": "203.0.113.9"})
    ]
    (row,) = AuditEvent.objects.filter(action="account.signin_failed")
    stored = str(model_to_dict(row))
    assert typed_password not in stored
    assert "xample" not in stored  # neither the typed login nor the account's email


def test_a_failed_sign_in_for_no_account_keeps_no_trace_of_what_was_typed(cast):
    client = Client(REMOTE_ADDR="203.0.113.10")
    response = _sign_in(client, "dr.someone.else@elsewhere.test", "Secret-Guess-9431")
    assert response.status_code == 200
    (row,) = AuditEvent.objects.filter(action="account.signin_failed")
    assert (row.actor, row.object_type, row.object_id, row.detail) == (
        None,
        "",
        "",
        {"ip": "203.0.113.10"},
    )
    assert "someone" not in str(model_to_dict(row))


def _current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def test_activating_and_removing_totp_and_new_recovery_codes_are_audited(
    cast, django_capture_on_commit_callbacks
):
    """allauth sends these signals once the change is committed."""
    client = Client(REMOTE_ADDR="192.0.2.20")
    _sign_in(client, "coordinator@example.org", PASSWORD)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": _current_code(secret)})
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_deactivate_totp")).status_code == 302

    user = cast.coordinator
    mfa_rows = [
        (action, actor, object_type, detail)
        for action, actor, object_type, _, detail in _trail()
        if action.startswith("mfa.")
    ]
    ip = {"ip": "192.0.2.20"}
    assert mfa_rows == [
        ("mfa.add", user, "mfa.authenticator", {"type": "totp", **ip}),
        ("mfa.add", user, "mfa.authenticator", {"type": "recovery_codes", **ip}),
        ("mfa.reset", user, "mfa.authenticator", {"type": "recovery_codes", **ip}),
        ("mfa.remove", user, "mfa.authenticator", {"type": "totp", **ip}),
        ("mfa.remove", user, "mfa.authenticator", {"type": "recovery_codes", **ip}),
    ]
