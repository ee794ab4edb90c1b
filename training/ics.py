"""A small iCalendar (RFC 5545) writer for one training session.

Only what a calendar needs to show the event: times in UTC, the course as the summary, the
place and video link, and a link back to the session page. Text values are escaped (3.3.11)
and content lines folded at 75 octets without splitting a UTF-8 character (3.1); lines end
with CRLF.
"""

from __future__ import annotations

from datetime import UTC, datetime

from .models import TrainingSession

PRODID = "-//POST peer support//Training calendar//EN"


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets, continuation lines starting
    with a space (so each continuation carries at most 74 octets of the value)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    current_len = 0
    limit = 75
    for char in line:
        size = len(char.encode("utf-8"))
        if current_len + size > limit:
            parts.append(current)
            current, current_len, limit = "", 0, 74
        current += char
        current_len += size
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def session_calendar(session: TrainingSession, *, url: str, host: str, now: datetime) -> str:
    """The VCALENDAR text for one session. `url` is the session page, `host` the site's host
    name (for a UID that stays the same when the file is downloaded again)."""
    course = session.course
    description_lines = [f"{course.get_kind_display()}, {course.hours:g} hours."]
    if course.topic_list:
        description_lines.append("Topics: " + "; ".join(course.topic_list))
    if session.video_url:
        description_lines.append(f"Video link: {session.video_url}")
    description_lines.append(f"Details and sign-up: {url}")
    location = session.location or session.video_url
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:training-session-{session.pk}@{host}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(session.ends_at)}",
        f"SUMMARY:{escape_text(course.name)}",
        f"DESCRIPTION:{escape_text(chr(10).join(description_lines))}",
        f"LOCATION:{escape_text(location)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
