"""The second factors' secrets at rest: encrypted with MFA_ENCRYPTION_KEY, never in clear.

allauth stores an authenticator app's TOTP key and the seed of the recovery codes in
`mfa_authenticator.data`, through its MFA adapter's `encrypt` and `decrypt`. Whoever reads a
copy of the database (a backup, a replica, an export of the table) could otherwise generate
every account's codes. The key comes from the environment (production requires it) and must be
kept with the backups: without it, every account has to set up its authenticator app again.
"""

from __future__ import annotations

import re

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

# What allauth stores in clear: a TOTP key is base32, a recovery-code seed hex, and codes carried
# over from elsewhere are digits. A Fernet token is url-safe base64 beginning "gAAAAA", so it
# never looks like any of these.
CLEAR_SECRET = re.compile(r"[A-Z2-7]+=*|[0-9a-f]+|[0-9]+")


class MFASecretUnreadable(Exception):
    """A stored secret that the configured key does not open."""


def secret_encrypt(text: str) -> str:
    return Fernet(settings.MFA_ENCRYPTION_KEY).encrypt(text.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return Fernet(settings.MFA_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken:
        raise MFASecretUnreadable(
            "A stored MFA secret cannot be decrypted with MFA_ENCRYPTION_KEY: either the key "
            "is not the one it was stored with (restore that key), or the secret was stored "
            "in clear and `manage.py migrate` has not encrypted it yet."
        ) from None


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)


def _each_secret(data: dict, change) -> dict:
    """`data` of an authenticator with `change` applied to each secret it holds."""
    data = dict(data)
    for field in ("secret", "seed"):
        if field in data:
            data[field] = change(data[field])
    if "migrated_codes" in data:
        data["migrated_codes"] = [change(code) for code in data["migrated_codes"]]
    return data


def _encrypt_if_clear(value: str) -> str:
    return secret_encrypt(value) if CLEAR_SECRET.fullmatch(value) else value


def authenticators_encrypt(authenticators) -> None:
    """Encrypt the secrets still stored in clear (those of authenticators set up before they
    were encrypted); an encrypted one is left as it is, so running it again changes nothing."""
    for authenticator in authenticators.iterator():
        data = _each_secret(authenticator.data, _encrypt_if_clear)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def authenticators_decrypt(authenticators) -> None:
    """Store every secret in clear again (undoing `authenticators_encrypt`)."""
    for authenticator in authenticators.iterator():
        authenticator.data = _each_secret(authenticator.data, secret_decrypt)
        authenticator.save(update_fields=["data"])
