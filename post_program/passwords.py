"""A password check Django's validators leave out: words anyone would guess for this program,
and one character (or two) repeated. No composition rules (OWASP ASVS): length, the common list
and similarity to the account do the rest (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PROGRAM_WORDS = ("peersupport", "peersupporter", "post", "physician", "doctor", "hospital")


class GuessablePasswordValidator:
    """Refuse a password that is, once case, digits at the end and punctuation are set aside,
    one of the program's own words, or that repeats one or two characters throughout."""

    def validate(self, password: str, user=None) -> None:
        letters = re.sub(r"[\W_]+", "", password.lower())
        stem = letters.rstrip("0123456789")
        if stem in PROGRAM_WORDS or len(set(letters)) <= 2:
            raise ValidationError(
                _("This password is too easy to guess: choose a few unrelated words."),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _("Not a word anyone would guess for this program, nor one character repeated.")
