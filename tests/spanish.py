"""Finding English left on a page that should be in Spanish.

A page is fetched twice, in English and in Spanish. A piece of text the user sees (a text node,
or an attribute read aloud or shown: placeholder, title, aria-label, alt, a button's value) that
is the same in both languages is either data (names, departments, codes, numbers, dates the
database holds) or a string nobody translated. Words the database holds are data; what is left,
unless it is a name of the program's world that Spanish keeps (WHO-5, REDCap) or a word the two
languages share, is untranslated.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import models

SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "aria-description"}
HIDDEN_ELEMENTS = {"script", "style", "template"}
# A field's value is what the user typed or will edit, as an input's value attribute is (which
# is not collected either): a textarea's text is its value.
VALUE_ELEMENTS = {"textarea"}
WORD = re.compile(r"[^\W\d_][^\W\d_'\u2019]+")

# Names Spanish keeps as they are: the program, its frameworks, formats, products and protocols,
# the names of the two languages, and words spelt the same in both languages.
KEPT_WORDS = """
    POST PRISM RE AIM WHO CSV XLSX PDF JSON API SCIM OpenAPI REDCap Stata SPSS iCalendar URL
    MFA TOTP HMAC HTTPS HTTP SSO OIDC Okta Entra ID Django REST htmx Swagger UI English Español
    No Total Error General Normal Final Hospital Personal Plan Social Local Web
    Real Ideal Manual Central Horizontal Vertical Software
"""
KEPT = {word.casefold() for word in KEPT_WORDS.split()}

# Text the program stores in Spanish beside English: it must be shown translated, so it is not
# data even though the database holds it. Their codes are data: the same in any language.
TRANSLATED_FIELDS = {("surveys", "question"), ("surveys", "instrumentversion")}
# JSON the program shows as it is stored (the audit page's detail column: ids and field names).
JSON_DATA = {("post_program", "auditevent")}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.pieces: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_ELEMENTS | VALUE_ELEMENTS:
            self.hidden += 1
        values = dict(attrs)
        for name, value in values.items():
            if name in SHOWN_ATTRIBUTES and value:
                self.pieces.append(value)
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.pieces.append(values["value"])

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS | VALUE_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.pieces.append(data)


def visible_text(html: str) -> set[str]:
    """Each piece of text a user sees or hears on the page, whitespace collapsed."""
    parser = _Visible()
    parser.feed(html)
    return {" ".join(piece.split()) for piece in parser.pieces} - {""}


def stored_words() -> set[str]:
    """Every word the database holds in a text column of the project's models and the user
    model (names, emails, departments, codes), or in the JSON the audit page shows: data, shown
    the same in any language."""
    words: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in {
            "post_program",
            "surveys",
            "training",
            "interactions",
            "reporting",
        }:
            continue
        key = (model._meta.app_label, model._meta.model_name)
        translated = key in TRANSLATED_FIELDS
        text = (
            models.CharField | models.TextField | models.JSONField
            if key in JSON_DATA
            else models.CharField | models.TextField
        )
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, text)
            and not field.choices
            and (field.name == "code" or not translated)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for value in row:
                if value:
                    shown = value if isinstance(value, str) else json.dumps(value)
                    words.update(WORD.findall(shown))
    return words


def untranslated(english: str, spanish: str, data: set[str]) -> list[str]:
    """Pieces of text the Spanish page shows exactly as the English page does, holding a word
    that is neither data nor kept in Spanish."""
    same = visible_text(english) & visible_text(spanish)
    return sorted(
        piece
        for piece in same
        if any(word not in data and word.casefold() not in KEPT for word in WORD.findall(piece))
    )
