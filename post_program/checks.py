"""System checks of the program's own settings: a mistake stops `check`, `migrate` and the
server with a message instead of silently weakening sign-in."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from .access import MFA_ROLE_NAMES


@register()
def mfa_required_roles_check(app_configs, **kwargs) -> list[Error]:
    unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - MFA_ROLE_NAMES)
    if not unknown:
        return []
    return [
        Error(
            f"MFA_REQUIRED_ROLES holds unknown roles: {', '.join(unknown)}.",
            hint=f"Use any of: {', '.join(sorted(MFA_ROLE_NAMES))}.",
            id="post_program.E001",
        )
    ]


@register()
def oidc_only_check(app_configs, **kwargs) -> list[Error]:
    if not settings.OIDC_ONLY or settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect"):
        return []
    return [
        Error(
            "OIDC_ONLY is set but no OpenID Connect provider is: nobody could sign in.",
            hint="Set OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_SERVER_URL, or unset OIDC_ONLY.",
            id="post_program.E002",
        )
    ]
