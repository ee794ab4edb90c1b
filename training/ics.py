"""One training session as an iCalendar file (written by `post_program.ics`): the course as the
summary, the place or video link, and a link back to the session page."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from post_program.ics import Event, calendar

from .models import TrainingSession

PRODID = "-//POST peer support//Training calendar//EN"


def session_calendar(session: TrainingSession, *, url: str, host: str, now: datetime) -> str:
    """The VCALENDAR text for one session, its description in the reader's language (the
    request's). `url` is the session page, `host` the site's host name (for a UID that stays
    the same when the file is downloaded again)."""
    course = session.course
    description_lines = [
        _("%(kind)s, %(length)s.")
        % {"kind": course.get_kind_display(), "length": course.length_display()}
    ]
    if course.topic_list:
        description_lines.append(_("Topics: %(topics)s") % {"topics": "; ".join(course.topic_list)})
    if session.video_url:
        description_lines.append(_("Video link: %(url)s") % {"url": session.video_url})
    description_lines.append(_("Details and sign-up: %(url)s") % {"url": url})
    event = Event(
        uid=f"training-session-{session.pk}@{host}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=course.name,
        description="\n".join(description_lines),
        location=session.location or session.video_url,
        url=url,
    )
    return calendar([event], prodid=PRODID, now=now)
