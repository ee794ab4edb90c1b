"""Secrets handed out once (survey links, calendar feeds, reply links of pages, API and SCIM
tokens): a fresh random token, and its digest, which is all the database keeps of it, so that
a copy of the database opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def token_digest(token: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_new(nbytes: int = 32, *, prefix: str = "") -> tuple[str, str]:
    """A fresh URL-safe token of `nbytes` random bytes (after `prefix`) and its digest."""
    token = prefix + secrets.token_urlsafe(nbytes)
    return token, token_digest(token)
