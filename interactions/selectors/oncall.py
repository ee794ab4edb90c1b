"""The on-call roster laid out on the calendar: who is on call when at each site, who is paged
first, and whose feed a token opens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from post_program.models import (
    User,
)
from post_program.tokens import token_digest

from ..models import (
    ExceptionKind,
    OnCallException,
    OnCallFeed,
    OnCallShift,
)

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class OnCallSpan:
    """One stretch of time in which `user_id` is on call at `site_id` at `position`."""

    site_id: int
    user_id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    covering: bool = False


def _weekly_spans(shifts, start: datetime, end: datetime) -> list[OnCallSpan]:
    """The weekly shifts laid out on the calendar between `start` and `end` (clipped to it), in
    the program's time zone; a shift that ends at or before its start ends the next day."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(start, zone).date() - timedelta(days=1)
    last = timezone.localtime(end, zone).date()
    spans: list[OnCallSpan] = []
    day = first
    while day <= last:
        for shift in shifts:
            if shift.weekday != day.weekday():
                continue
            starts_at = datetime.combine(day, shift.starts, tzinfo=zone)
            ends_day = day if shift.ends > shift.starts else day + timedelta(days=1)
            ends_at = datetime.combine(ends_day, shift.ends, tzinfo=zone)
            if starts_at < end and ends_at > start:
                spans.append(
                    OnCallSpan(
                        shift.site_id,
                        shift.user_id,
                        shift.position,
                        max(starts_at, start),
                        min(ends_at, end),
                    )
                )
        day += timedelta(days=1)
    return spans


def _without(span: OnCallSpan, off: list[tuple[datetime, datetime]]) -> list[OnCallSpan]:
    """`span` less the stretches in `off`."""
    pieces = [span]
    for off_start, off_end in off:
        kept: list[OnCallSpan] = []
        for piece in pieces:
            if off_end <= piece.starts_at or off_start >= piece.ends_at:
                kept.append(piece)
                continue
            if piece.starts_at < off_start:
                kept.append(replace(piece, ends_at=off_start))
            if off_end < piece.ends_at:
                kept.append(replace(piece, starts_at=off_end))
        pieces = kept
    return pieces


def on_call_spans(
    *, start: datetime, end: datetime, site_ids=None, user_id: int | None = None
) -> list[OnCallSpan]:
    """Who is on call when between `start` and `end`: the weekly pattern, less the times its
    people are off, plus covers; at the given sites (all if None) or for one person. Two
    queries however long the stretch; ordered by start, then position."""
    shifts = OnCallShift.objects.all()
    exceptions = OnCallException.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if site_ids is not None:
        shifts = shifts.filter(site_id__in=site_ids)
        exceptions = exceptions.filter(site_id__in=site_ids)
    if user_id is not None:
        shifts = shifts.filter(user_id=user_id)
        exceptions = exceptions.filter(user_id=user_id)
    off: dict[tuple[int, int], list[tuple[datetime, datetime]]] = {}
    spans: list[OnCallSpan] = []
    for exception in exceptions:
        if exception.kind == ExceptionKind.OFF:
            key = (exception.site_id, exception.user_id)
            off.setdefault(key, []).append((exception.starts_at, exception.ends_at))
        else:
            spans.append(
                OnCallSpan(
                    exception.site_id,
                    exception.user_id,
                    exception.position,
                    max(exception.starts_at, start),
                    min(exception.ends_at, end),
                    covering=True,
                )
            )
    for span in _weekly_spans(list(shifts), start, end):
        spans.extend(_without(span, off.get((span.site_id, span.user_id), [])))
    return sorted(spans, key=lambda span: (span.starts_at, span.position, span.user_id))


def on_call_at(*, site_id: int, at: datetime) -> list[int]:
    """The ids of the people on call at `site_id` at the moment `at`, in the order they are
    paged: by position, a cover before the weekly shift at the same position; each once. Only
    people whose account is active."""
    spans = on_call_spans(start=at, end=at + timedelta(microseconds=1), site_ids=[site_id])
    active = set(
        User.objects.filter(pk__in={span.user_id for span in spans}, is_active=True).values_list(
            "pk", flat=True
        )
    )
    ordered: list[int] = []
    for span in sorted(spans, key=lambda span: (span.position, not span.covering, span.user_id)):
        if span.user_id in active and span.user_id not in ordered:
            ordered.append(span.user_id)
    return ordered


def on_call_feed_owner(token: str) -> User | None:
    """Whose calendar feed `token` opens (an active account), or None."""
    feed = (
        OnCallFeed.objects.select_related("user")
        .filter(token_digest=token_digest(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None


def on_call_pattern(*, site_id: int) -> QuerySet[OnCallShift]:
    """A site's weekly shifts, by day and start, with their people."""
    return OnCallShift.objects.filter(site_id=site_id).select_related("user")


def on_call_exceptions(
    *, site_id: int, start: datetime, end: datetime
) -> QuerySet[OnCallException]:
    """A site's time off and covers that overlap `start`..`end`, with their people."""
    return OnCallException.objects.filter(
        site_id=site_id, starts_at__lt=end, ends_at__gt=start
    ).select_related("user")


def on_call_feed_exists(*, user) -> bool:
    """Whether the user has a calendar feed that works."""
    return OnCallFeed.objects.filter(user=user).exists()


# --- the calendar page's week ----------------------------------------------------------------

DAY = timedelta(days=1)
POSITIONS = {
    1: gettext_lazy("first call"),
    2: gettext_lazy("second call"),
    3: gettext_lazy("third call"),
}


def position_label(position: int) -> str:
    if position in POSITIONS:
        return str(POSITIONS[position])
    return gettext("call %(position)s") % {"position": position}


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


@dataclass(frozen=True)
class CalendarRow:
    """One line of a day: someone on call (or off) from `starts` to `ends` (wall clock)."""

    starts: str
    ends: str
    name: str
    position: str = ""
    covering: bool = False
    off: bool = False


def _clock(moment: datetime, day_end: datetime) -> str:
    return "24:00" if moment >= day_end else timezone.localtime(moment).strftime("%H:%M")


def _week_days(monday: date, spans, offs, names: dict[int, str]):
    """(day, rows) for each day of the week: who is on call, cut at midnight, and who is off."""
    days = []
    for index in range(7):
        day = monday + timedelta(days=index)
        start, end = midnight(day), midnight(day + DAY)
        rows = [
            CalendarRow(
                _clock(max(span.starts_at, start), end),
                _clock(min(span.ends_at, end), end),
                names.get(span.user_id, ""),
                position=position_label(span.position),
                covering=span.covering,
            )
            for span in spans
            if span.starts_at < end and span.ends_at > start
        ]
        rows += [
            CalendarRow(
                _clock(max(off.starts_at, start), end),
                _clock(min(off.ends_at, end), end),
                off.user.name or off.user.email,
                off=True,
            )
            for off in offs
            if off.starts_at < end and off.ends_at > start
        ]
        days.append((day, sorted(rows, key=lambda row: (row.starts, row.off, row.position))))
    return days


@dataclass(frozen=True)
class OnCallWeek:
    """A site's week from `monday`: each day's rows, the weekly pattern, and the exceptions
    that touch the week, each with its person."""

    days: list[tuple[date, list[CalendarRow]]]
    shifts: list[OnCallShift]
    exceptions: list[OnCallException]


def on_call_week(*, site_id: int, monday: date) -> OnCallWeek:
    """Who is on call when at `site_id` in the week from `monday`, cut at midnight; a fixed
    number of queries however many shifts."""
    start, end = midnight(monday), midnight(monday + 7 * DAY)
    spans = on_call_spans(start=start, end=end, site_ids=[site_id])
    exceptions = list(on_call_exceptions(site_id=site_id, start=start, end=end))
    shifts = list(on_call_pattern(site_id=site_id))
    names = {
        person.pk: person.name or person.email
        for person in [*(shift.user for shift in shifts), *(e.user for e in exceptions)]
    }
    missing = {span.user_id for span in spans} - names.keys()
    if missing:  # a cover begun before the week, say, by someone with no shift
        names |= {p.pk: p.name or p.email for p in User.objects.filter(pk__in=missing)}
    offs = [e for e in exceptions if e.kind == ExceptionKind.OFF]
    return OnCallWeek(_week_days(monday, spans, offs, names), shifts, exceptions)
