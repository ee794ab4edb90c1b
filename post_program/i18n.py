"""The language to write to someone in. Pages follow the request (LocaleMiddleware and
middleware.UserLanguageMiddleware); an email follows its recipient, whoever's request sends it."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from .models import User


def request_language_use(request, language: str) -> None:
    """Serve this request in `language`, as LocaleMiddleware would have (the page, and the
    Content-Language of its response)."""
    translation.activate(language)
    request.LANGUAGE_CODE = language


def language_of(user: User | None) -> str:
    """The recipient's chosen language, or the program's default for someone with no account
    or no choice made."""
    if user is not None and user.language:
        return user.language
    return settings.LANGUAGE_CODE


def in_language_of(user: User | None) -> translation.override:
    """`with in_language_of(user):` renders subjects and bodies in the recipient's language."""
    return translation.override(language_of(user))
