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


@register()
def first_contact_hours_check(app_configs, **kwargs) -> list[Error]:
    """Both first-contact deadlines are whole hours of at least 1 (a referral is never due the
    moment it arrives), and the urgent one is no longer than the routine one."""
    names = ("FIRST_CONTACT_DEADLINE_HOURS", "URGENT_FIRST_CONTACT_HOURS")
    errors = [
        Error(
            f"{name} must be a whole number of hours of at least 1, not {value!r}.",
            id="post_program.E003",
        )
        for name in names
        if not isinstance(value := getattr(settings, name), int)
        or isinstance(value, bool)
        or value < 1
    ]
    if errors:
        return errors
    urgent, routine = settings.URGENT_FIRST_CONTACT_HOURS, settings.FIRST_CONTACT_DEADLINE_HOURS
    if urgent > routine:
        return [
            Error(
                f"URGENT_FIRST_CONTACT_HOURS ({urgent}) is longer than "
                f"FIRST_CONTACT_DEADLINE_HOURS ({routine}): an urgent request would wait longer.",
                hint="Set URGENT_FIRST_CONTACT_HOURS to at most FIRST_CONTACT_DEADLINE_HOURS.",
                id="post_program.E004",
            )
        ]
    return []
