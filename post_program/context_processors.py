from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import program_settings
from .access import NO_ROLES, home_url_names, roles_for
from .adapters import ONLY_SSO, ONLY_SSO_SIGN_UP


def crisis_resources() -> list[dict[str, str]]:
    """The crisis resources banner of the program's settings, as label and link pairs."""
    return program_settings.get().crisis_links


def program(request) -> dict:
    user = getattr(request, "user", None)
    return {
        # Read when a template shows the banner, not for every partial that does not.
        "crisis_resources": SimpleLazyObject(crisis_resources),
        "post_roles": roles_for(user) if user is not None else NO_ROLES,
        "role_homes": home_url_names(user) if user is not None else [],
        "oidc_only": settings.OIDC_ONLY,
        "only_sso_message": ONLY_SSO,
        "only_sso_sign_up_message": ONLY_SSO_SIGN_UP,
    }
