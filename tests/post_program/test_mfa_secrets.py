"""The authenticator apps' keys and recovery-code seeds are stored encrypted, and still work."""

from __future__ import annotations

import json
from importlib import import_module

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from post_program import mfa_secrets
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_period_either_side(settings):
    """A code made just before a 30-second boundary is still accepted just after it."""
    settings.MFA_TOTP_TOLERANCE = 1


CLEAR_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OTHER_KEY = "b3RoZXIta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMtLS0="


def _code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _stored_data(authenticator: Authenticator) -> str:
    """The column as the database holds it, read past the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        (data,) = cursor.fetchone()
    return data if isinstance(data, str) else json.dumps(data)


def _user():
    user = UserFactory(email="director@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _signs_in_with_code(user, code: str) -> bool:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": code})
    return client.session.get("_auth_user_id") == str(user.pk)


def test_an_authenticator_app_set_up_is_stored_encrypted_and_signs_in():
    user = _user()
    client = _signed_in(user)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302, response.context["form"].errors

    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    stored = _stored_data(totp)
    assert secret not in stored and secret.lower() not in stored
    assert mfa_secrets.secret_decrypt(totp.data["secret"]) == secret

    assert _signs_in_with_code(user, _code(secret))


def test_recovery_codes_keep_their_seed_encrypted_and_still_work():
    user = _user()
    codes = RecoveryCodes.activate(user)
    seed = mfa_secrets.secret_decrypt(codes.instance.data["seed"])
    assert seed not in _stored_data(codes.instance)
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.TOTP,
        data={"secret": mfa_secrets.secret_encrypt(CLEAR_TOTP_SECRET)},
    )
    assert _signs_in_with_code(user, codes.generate_codes()[0])


def test_secrets_stored_in_clear_before_are_encrypted_once_by_the_migration():
    user = _user()
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": CLEAR_TOTP_SECRET}
    )
    recovery = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    migration = import_module("post_program.migrations.0005_mfa_secrets_encrypt")

    migration.encrypt(apps, None)
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert CLEAR_TOTP_SECRET not in _stored_data(totp)
    assert "ab" * 40 not in _stored_data(recovery)
    assert "12345678" not in _stored_data(recovery)
    assert recovery.data["used_mask"] == 0
    assert _signs_in_with_code(user, _code(CLEAR_TOTP_SECRET))

    # Running it again leaves what is encrypted as it is.
    encrypted = totp.data
    migration.encrypt(apps, None)
    totp.refresh_from_db()
    assert totp.data == encrypted

    migration.decrypt(apps, None)
    totp.refresh_from_db()
    recovery.refresh_from_db()
    assert totp.data == {"secret": CLEAR_TOTP_SECRET}
    assert recovery.data == {"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678"]}


@pytest.mark.parametrize("stored", ["not-a-token", CLEAR_TOTP_SECRET, "gAAAAAgarbage"])
def test_a_secret_the_key_does_not_open_is_refused_with_a_clear_error(stored):
    with pytest.raises(mfa_secrets.MFASecretUnreadable, match="MFA_ENCRYPTION_KEY"):
        mfa_secrets.secret_decrypt(stored)


def test_a_secret_stored_under_another_key_is_refused(settings):
    token = mfa_secrets.secret_encrypt(CLEAR_TOTP_SECRET)
    settings.MFA_ENCRYPTION_KEY = OTHER_KEY
    with pytest.raises(mfa_secrets.MFASecretUnreadable, match="not the one it was stored with"):
        mfa_secrets.secret_decrypt(token)
