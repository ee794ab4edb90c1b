"""Cell parsers of the program files (post_program/import_export.py): a cell's text in, a value
out, ValueError with a message for the uploader otherwise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FIRST_DAY, LAST_DAY

YES = {"yes", "true", "1"}
NO = {"no", "false", "0"}


def text(value: str) -> str:
    return value


def _within_program_days(value: str, day: date) -> None:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            _("%(value)s is not between %(first)s and %(last)s")
            % {"value": repr(value), "first": FIRST_DAY, "last": LAST_DAY}
        )


def date_value(value: str) -> date:
    try:
        if len(value) != 10:
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            _("%(value)s is not a date in the form YYYY-MM-DD") % {"value": repr(value)}
        ) from None
    _within_program_days(value, parsed)
    return parsed


def datetime_value(value: str) -> datetime:
    """ISO 8601; without an offset the time is read in the program's time zone."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            _("%(value)s is not a date and time such as 2021-03-04T09:15:00-08:00")
            % {"value": repr(value)}
        ) from None
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    _within_program_days(value, parsed.date())
    return parsed


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(_("%(value)s is not yes or no") % {"value": repr(value)})


def whole_number(low: int, high: int) -> Callable[[str], int]:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError(
                _("%(value)s is not a whole number") % {"value": repr(value)}
            ) from None
        if not low <= number <= high:
            raise ValueError(
                _("%(number)s is not between %(low)s and %(high)s")
                % {"number": number, "low": low, "high": high}
            )
        return number

    return parse


def choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(
                _("%(value)s is not one of %(options)s")
                % {"value": repr(value), "options": ", ".join(options)}
            )
        return value

    return parse
