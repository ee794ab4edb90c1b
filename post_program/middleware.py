"""Sessions end on time, and every account that can reach the admin or see identities protects
its sign-in with a second factor."""

from __future__ import annotations

import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .access import mfa_required
from .i18n import request_language_use

# What an account that still has to set up MFA may open: signing out, the MFA pages and the
# confirmation they ask for (by password or through the health system's sign-in), static files,
# probes, crisis help, and the links answered without sign-in (surveys, urgent pages' replies).
_MFA_SETUP_PREFIXES = (
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
    "/accounts/oidc/",
    "/static/",
    "/healthz/",
    "/readyz/",
    "/help/",
    "/surveys/answer/",
    "/referrals/page/",
    "/language/",
)


def mfa_satisfied(request) -> bool:
    """The account has an authenticator app, or this session signed in through a single
    sign-on provider that settings.SSO_PROVIDERS_ENFORCING_MFA marks as requiring MFA."""
    if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return True
    enforcing = set(settings.SSO_PROVIDERS_ENFORCING_MFA)
    return any(
        record.get("method") == "socialaccount" and record.get("provider") in enforcing
        for record in get_authentication_records(request, request.user)
    )


class MFARequiredMiddleware:
    """Send an account that must use MFA (access.mfa_required) and has none to set it up before
    anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(_MFA_SETUP_PREFIXES)
            and mfa_required(request.user)
            and not mfa_satisfied(request)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


SIGNED_IN_AT = "post_signed_in_at"
SEEN_AT = "post_seen_at"
# How often a request renews the idle limit. Saving the session on every request would cost a
# write each time; once a minute keeps the limit to the minute.
RENEW_AFTER_SECONDS = 60


def session_lifetime_start(sender, request, user, **kwargs) -> None:
    """On sign-in (Django's user_logged_in signal, which every way of signing in sends): the
    session's clock starts, in the same save as the sign-in itself."""
    request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = time.time()


class SessionLifetimeMiddleware:
    """End a session SESSION_MAX_AGE seconds after sign-in, however active it has been since.
    The idle limit is the session's age (SESSION_COOKIE_AGE), which a request renews by saving
    the session, at most once a minute."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            if SIGNED_IN_AT not in session:  # signed in before the clock existed
                session_lifetime_start(None, request, request.user)
            if now - session[SIGNED_IN_AT] > settings.SESSION_MAX_AGE:
                logout(request)
            elif now - session[SEEN_AT] > RENEW_AFTER_SECONDS:
                session[SEEN_AT] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's own choice of language (User.language) wins over what LocaleMiddleware
    read from the language cookie or the browser's Accept-Language; with no choice made, those
    decide."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.user.language if request.user.is_authenticated else ""
        if language:
            request_language_use(request, language)
        return self.get_response(request)
