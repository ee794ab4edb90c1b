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
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz/", "/help/", "/surveys/answer/")


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


class SessionLifetimeMiddleware:
    """End a session SESSION_MAX_AGE seconds after its first signed-in request, however active
    it has been since; the idle limit is the session cookie's age, renewed on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_MAX_AGE:
                logout(request)
        return self.get_response(request)
