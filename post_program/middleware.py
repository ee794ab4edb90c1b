"""Sessions end on time, and staff roles protect their sign-in with an authenticator app when
the setting says so."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .access import roles_for

# Sign-in pages, static files, probes, crisis help, and survey links (answered without sign-in).
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz/", "/readyz/", "/help/", "/surveys/answer/")


class StaffMFAMiddleware:
    """Send directors, coordinators and leads without TOTP to set it up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.REQUIRE_MFA_FOR_STAFF
            and request.user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and roles_for(request.user).is_staff_role
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
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
