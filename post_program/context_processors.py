from __future__ import annotations

from django.conf import settings

from .access import NO_ROLES, home_url_names, roles_for
from .adapters import ONLY_SSO, ONLY_SSO_SIGN_UP


def crisis_resources() -> list[dict[str, str]]:
    """Parse the CRISIS_RESOURCES setting: "Label|link" pairs separated by ";"."""
    resources = []
    for item in settings.CRISIS_RESOURCES.split(";"):
        label, _, link = item.partition("|")
        if label.strip():
            resources.append({"label": label.strip(), "link": link.strip()})
    return resources


def program(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "crisis_resources": crisis_resources(),
        "post_roles": roles_for(user) if user is not None else NO_ROLES,
        "role_homes": home_url_names(user) if user is not None else [],
        "oidc_only": settings.OIDC_ONLY,
        "only_sso_message": ONLY_SSO,
        "only_sso_sign_up_message": ONLY_SSO_SIGN_UP,
    }
