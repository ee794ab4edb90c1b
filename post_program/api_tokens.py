"""API tokens: created and revoked by the director, looked up by digest, audited on each use.

A token's secret is `post_` and 43 URL-safe characters (256 random bits), shown once when it is
made; the database keeps its SHA-256 digest only, so a copy of the database signs nobody in.
A plain hash is enough: the secret is random, not a password anyone chose. Each call the token
signs writes one audit row (`api.token.use`: the method, the path and the status code) and
moves `last_used_at`; creating and revoking write their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, User
from .services import audit_record
from .tokens import token_digest, token_new

PREFIX = "post_"


@dataclass(frozen=True)
class CreatedToken:
    token: ApiToken
    secret: str  # shown to the director once, never stored


@transaction.atomic
def api_token_create(*, actor: User, name: str, scopes: Iterable[str]) -> CreatedToken:
    """A new token acting as `actor` (the director) with `scopes`."""
    chosen = sorted(set(scopes))
    unknown = sorted(set(chosen) - set(ApiToken.Scope.values))
    if unknown:
        raise ValidationError(
            {"scopes": _("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)}}
        )
    if not chosen:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    secret, digest = token_new(prefix=PREFIX)
    token = ApiToken.objects.create(name=name, scopes=chosen, digest=digest, created_by=actor)
    audit_record(actor=actor, action="api.token.create", obj=token, scopes=chosen)
    return CreatedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, at: datetime | None = None) -> bool:
    """Revoke the token from now on; False (and nothing written) if it already was."""
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=at or timezone.now()
    )
    if revoked:
        audit_record(actor=actor, action="api.token.revoke", obj=token)
    return bool(revoked)


def api_token_find(secret: str) -> ApiToken | None:
    """The active token with this secret, with its creator, or None."""
    if not secret.startswith(PREFIX):
        return None
    return (
        ApiToken.objects.active()
        .select_related("created_by")
        .filter(digest=token_digest(secret), created_by__is_active=True)
        .first()
    )


@transaction.atomic
def api_token_use(*, token: ApiToken, method: str, path: str, status: int) -> None:
    """One call the token made: its audit row, and when it was last used."""
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    audit_record(
        actor=token.created_by,
        action="api.token.use",
        obj=token,
        method=method,
        path=path,
        status=status,
    )
