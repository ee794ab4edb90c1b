"""The .ics file of a session follows RFC 5545: CRLF lines of at most 75 octets, escaped text."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from post_program.ics import escape_text, fold

from .factories import CourseFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def _unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_escape_text_handles_the_special_characters():
    assert escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


@pytest.mark.parametrize("value", ["x" * 200, "é" * 90, "Ωmega 🚑 " * 20, "a" * 74 + "€€"])
def test_folding_keeps_lines_within_75_octets_and_never_splits_a_character(value):
    line = f"DESCRIPTION:{value}"
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert folded.replace("\r\n ", "") == line


def test_short_lines_are_left_alone():
    assert fold("SUMMARY:Short") == "SUMMARY:Short"


def test_session_file_content(cast):
    course = CourseFactory(
        name="Peer support, part 1; basics", topics="Listening\nEscalation, when and how"
    )
    session = TrainingSessionFactory(
        course=course,
        starts_at=datetime(2030, 3, 4, 17, 0, tzinfo=UTC),
        ends_at=datetime(2030, 3, 4, 21, 30, tzinfo=UTC),
        location="Room 4, North tower",
        video_url="https://video.example.org/" + "x" * 80,
    )
    response = cast.client("physician").get(reverse("training:session_ics", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="training-session-{session.pk}.ics"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = _unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    props = dict(line.split(":", 1) for line in lines if line)
    assert props["VERSION"] == "2.0"
    assert props["UID"] == f"training-session-{session.pk}@testserver"
    assert props["DTSTART"] == "20300304T170000Z"
    assert props["DTEND"] == "20300304T213000Z"
    assert props["SUMMARY"] == "Peer support\\, part 1\\; basics"
    assert props["LOCATION"] == "Room 4\\, North tower"
    assert "Escalation\\, when and how" in props["DESCRIPTION"]
    assert "\\n" in props["DESCRIPTION"]
    assert (
        props["URL"] == f"http://testserver{reverse('training:session_detail', args=[session.pk])}"
    )
    # Nobody's name is in the file.
    assert session.facilitator.name not in text


def test_video_only_session_uses_the_link_as_location(cast):
    session = TrainingSessionFactory(location="", video_url="https://video.example.org/r")
    text = cast.client("lead").get(reverse("training:session_ics", args=[session.pk])).content
    assert b"LOCATION:https://video.example.org/r\r\n" in text


def test_unknown_session_is_404(cast):
    response = cast.client("physician").get(reverse("training:session_ics", args=[999]))
    assert response.status_code == 404
