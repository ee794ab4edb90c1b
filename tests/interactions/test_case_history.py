"""The history on a referral's page: entries in the order things happened, and a request that
joined the open case read as a repeated request."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from freezegun import freeze_time

from interactions import services
from interactions.models import EventKind, Source, Urgency

from .factories import referral_new

pytestmark = pytest.mark.django_db

T0 = datetime.fromisoformat("2026-03-02T08:00:00+00:00")


def _history(cast, member: str, referral) -> list[str]:
    """The history entries as the page lists them, each without its time and actors."""
    page = cast.client(member).get(reverse("interactions:referral_detail", args=[referral.pk]))
    text = page.content.decode()
    section = text[text.index('id="history-heading"') :]
    section = section[: section.index("</section>")]
    items = re.findall(r"<li class=\"list-group-item\">(.*?)</li>", section, re.S)
    entries = []
    for item in items:
        words = " ".join(re.sub(r"<[^>]+>", " ", item).split())
        entries.append(words.split(" — ", 1)[1].split(" · ")[0].strip())
    return entries


def _accepted(cast, *, assigned: datetime, accepted: datetime):
    """A referral received at T0, offered to supporter A and accepted at the times given."""
    referral = referral_new(department=cast.department_a, at=T0)
    steps = (
        (assigned, cast.coordinator, services.referral_assign),
        (accepted, cast.supporter_a, services.referral_accept),
    )
    for moment, actor, step in steps:
        with freeze_time(moment):
            step(actor=actor, referral=referral, supporter=cast.supporter_a_profile)
    return referral


def _reached(cast, referral, *, attempted_at: datetime, logged_at: datetime) -> None:
    with freeze_time(logged_at):
        services.outreach_record(
            actor=cast.supporter_a,
            referral=referral,
            supporter=cast.supporter_a_profile,
            attempted_at=attempted_at,
            method="phone",
            reached=True,
        )


def test_a_contact_entered_to_the_minute_follows_the_acceptance_it_came_after(cast):
    """The supporter accepts at 09:00:35 and logs the call the form dates 09:00: the history
    lists the acceptance first, as it happened."""
    accepted = T0 + timedelta(hours=1, seconds=35)
    referral = _accepted(cast, assigned=T0 + timedelta(minutes=30), accepted=accepted)
    _reached(
        cast,
        referral,
        attempted_at=accepted.replace(second=0),
        logged_at=accepted + timedelta(minutes=2),
    )
    contacted = referral.events.get(kind=EventKind.CONTACTED)
    assert contacted.at < referral.events.get(kind=EventKind.ACCEPTED).at  # the form's minute
    expected = [
        "Request received",
        "Assigned",
        "Accepted by the supporter",
        "First contact made",
    ]
    assert _history(cast, "coordinator", referral) == expected
    assert _history(cast, "supporter_a", referral) == expected


def test_entries_minutes_apart_are_listed_by_when_they_happened(cast):
    """An attempt logged late, dated before the acceptance, is listed before it."""
    later = T0 + timedelta(hours=3)
    referral = _accepted(cast, assigned=T0 + timedelta(minutes=5), accepted=later)
    _reached(cast, referral, attempted_at=T0 + timedelta(hours=1), logged_at=later)
    assert _history(cast, "coordinator", referral) == [
        "Request received",
        "Assigned",
        "First contact made",
        "Accepted by the supporter",
    ]


@pytest.mark.parametrize(
    ("requester", "source", "says"),
    [
        ("supporter_b", Source.THIRD_PARTY, "Repeated request from a colleague"),
        ("physician", Source.SELF, "Repeated request from the physician themself"),
    ],
)
def test_a_request_that_joined_the_open_case_reads_as_a_repeated_request(
    cast, requester, source, says
):
    physician = cast.physician_profile
    referral = referral_new(department=cast.department_a, physician=physician, at=T0)
    result = services.referral_request(
        requester=getattr(cast, requester),
        source=source,
        department=cast.department_a,
        physician=physician,
        reason="adverse_event",
        urgency=Urgency.SAFETY,
        at=T0 + timedelta(hours=1),
    )
    assert not result.created
    history = _history(cast, "coordinator", referral)
    assert history == [
        "Request received",
        f"{says}, joined to this open case",
        "Marked urgent: safety concern",
        # Nobody is on call at North: all its coordinators are paged at once.
        "Paged all coordinators of the site (round 1)",
    ]
    assert "Requested again by another colleague" not in " ".join(history)
