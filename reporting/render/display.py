"""How the report's numbers read on the dashboard, in the PDF and in the workbook (their names
and definitions are in ``reporting/labels.py``)."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..labels import DIMENSION_LABELS
from ..numbers import missing_text, number_text, percent_text

__all__ = ["DIMENSION_LABELS", "display_number", "is_percent", "tagged_phrase"]

_PLACE = re.compile(r"\{(\w+)\}")

PERCENT_LEAVES = ("proportion", "escalation_rate", "acceptance_rate")


def is_percent(path: str) -> bool:
    """Whether the number at ``path`` is a proportion, shown as a percentage."""
    leaf = path.rpartition(".")[2]
    return leaf.startswith("proportion") or leaf in PERCENT_LEAVES


def display_number(path: str, value: Any, *, suppressed: bool = False) -> str:
    """A number as people read it, in the active language's way: proportions as percentages
    (one decimal), other fractions with two decimals, counts as they are; "suppressed" and
    "not available" (null)."""
    if suppressed or value is None:
        return missing_text(hidden=suppressed)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int):
        return number_text(value)
    if isinstance(value, float):
        if is_percent(path):
            return percent_text(value * 100)
        return number_text(value, 2)
    return str(value)


def tagged_phrase(phrase: str, numbers: dict[str, tuple[str, str]]) -> SafeString:
    """``phrase`` with each ``{name}`` replaced by its shown number, in a span that names the
    figure's path (``data-metric``) as the tables do, so every number on a page says what it
    is. ``numbers``: name -> (path, shown number)."""
    pieces = _PLACE.split(phrase)  # text, name, text, name, ..., text
    parts: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            path, shown = numbers[piece]
            parts.append(format_html('<span data-metric="{}">{}</span>', path, shown))
        else:
            parts.append(piece)
    return format_html("{}" * len(parts), *parts)  # text escaped, spans kept
