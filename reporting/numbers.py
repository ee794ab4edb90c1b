"""How a number of the report reads in the active language: the dashboards, the charts (on the
page and drawn for the PDF) and the PDF's tables all write their numbers through here, so a
Spanish page reads ``12,5 %`` where an English one reads ``12.5%``."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def number_text(value: float | int, decimals: int | None = None) -> str:
    """``value`` with the active language's decimal mark and digit grouping; ``decimals``
    decimal places (None: an integer's none, a float's as it has)."""
    return number_format(value, decimals, force_grouping=True)


def percent_text(number: float) -> str:
    """``number`` (already times 100) as a percentage with one decimal."""
    return _("%(number)s%%") % {"number": number_text(number, 1)}


def missing_text(*, hidden: bool) -> str:
    """What stands where a number is missing: hidden by suppression, or with nothing to
    divide by."""
    return _("suppressed") if hidden else _("not available")
