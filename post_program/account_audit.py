"""Audit rows of signing in: every sign-in, failed sign-in and sign-out, and every change of a
second factor (the receivers are connected in apps.ready).

A failed sign-in keeps the client address and the account the typed login names, if one does;
never the password, and never the typed text itself (a mistyped login can be someone's name).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.utils import filter_users_by_email
from django.core.exceptions import PermissionDenied

from .services import audit_record


def _client_ip(request) -> str | None:
    """The client's address as the sign-in rate limits read it (behind TRUSTED_PROXY_COUNT
    proxies, from X-Forwarded-For)."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:  # no address at all
        return None


def signed_in(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action="account.signin", obj=user, ip=_client_ip(request))


def signed_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(actor=user, action="account.signout", obj=user, ip=_client_ip(request))


def sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    login = credentials.get("email") or credentials.get("username") or ""
    accounts = filter_users_by_email(login) if login else []
    account = accounts[0] if len(accounts) == 1 else None
    audit_record(actor=None, action="account.signin_failed", obj=account, ip=_client_ip(request))


def _second_factor(action: str, request, user, authenticator) -> None:
    audit_record(
        actor=user,
        action=action,
        obj=authenticator,
        type=authenticator.type,
        ip=_client_ip(request),
    )


def authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    _second_factor("mfa.add", request, user, authenticator)


def authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    _second_factor("mfa.remove", request, user, authenticator)


def authenticator_reset(sender, request, user, authenticator, **kwargs) -> None:
    _second_factor("mfa.reset", request, user, authenticator)
