"""Calling the REST API in tests: a token for a member of the cast, and a client that sends it."""

from __future__ import annotations

from django.test import Client

from post_program.api_tokens import api_token_create


def token_for(user, *scopes: str, name: str = "Integration") -> str:
    """The secret of a new token made by `user` with `scopes`."""
    return api_token_create(actor=user, name=name, scopes=scopes).secret


def api_client(secret: str) -> Client:
    """A client whose every call carries the token (and no session)."""
    return Client(headers={"authorization": f"Bearer {secret}"})
