"""The on-call calendar page and the private calendar feed: who sees and edits which site's
roster, bad input refused with nothing changed, the week showing who is on call when, and the
feed opened only by its current token, holding one's own shifts and nothing about referrals."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from interactions import services
from interactions.models import ExceptionKind, OnCallException, OnCallShift, Weekday
from post_program.models import AuditEvent

from .factories import referral_new

pytestmark = pytest.mark.django_db

MONDAY = "2026-11-30"
ZONE = timezone.get_current_timezone()


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 30, tzinfo=ZONE) + timedelta(days=day, hours=hour, minutes=minute)


def _shift(cast, user, weekday=Weekday.MONDAY, starts=time(8), ends=time(17), *, site=None, **kw):
    return services.on_call_shift_add(
        actor=cast.director,
        site=site or cast.north,
        user=user,
        weekday=weekday,
        starts=starts,
        ends=ends,
        **kw,
    )


def _exception(cast, user, kind, starts_at, ends_at, position=1):
    return services.on_call_exception_add(
        actor=cast.director,
        site=cast.north,
        user=user,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        position=position,
    )


def _calendar(client, **query):
    return client.get(reverse("on_call:calendar"), {"week": MONDAY, **query})


def _shift_data(user, weekday="0", starts="08:00", ends="17:00", position="1") -> dict:
    return {
        "shift-user": user.pk,
        "shift-weekday": weekday,
        "shift-starts": starts,
        "shift-ends": ends,
        "shift-position": position,
    }


def _post_shift(client, site, data):
    url = reverse("on_call:shift_add") + f"?site={site.pk}&week={MONDAY}"
    return client.post(url, data)


def _exception_data(user, kind="cover", day="2026-12-01", position="1") -> dict:
    return {
        "exception-user": user.pk,
        "exception-kind": kind,
        "exception-starts_at": f"{day}T09:00",
        "exception-ends_at": f"{day}T12:00",
        "exception-position": position,
    }


def _post_exception(client, site, data):
    url = reverse("on_call:exception_add") + f"?site={site.pk}&week={MONDAY}"
    return client.post(url, data)


def _day_rows(response) -> dict[str, list[str]]:
    """The week grid as {date: ["08:00-17:00 Name (first call)", ...]}: tags gone, whitespace
    folded, the page's en dash between times written as a hyphen."""
    html = response.content.decode()
    rows: dict[str, list[str]] = {}
    for day, text in re.findall(r'data-day="([\d-]+)">(.*?)</li>', html, re.S):
        plain = re.sub(r"<[^>]+>", "", text)
        rows.setdefault(day, []).append(" ".join(plain.split()).replace("\N{EN DASH}", "-"))
    return rows


# --- who sees and edits what -------------------------------------------------------------------


def test_a_coordinator_edits_their_sites_roster_and_not_another_sites(cast):
    client = cast.client("coordinator")
    response = _post_shift(client, cast.north, _shift_data(cast.supporter_a))
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("on_call:calendar") + f"?site={cast.north.pk}&week={MONDAY}"
    )
    shift = OnCallShift.objects.get()
    assert (shift.site, shift.user, shift.starts, shift.ends) == (
        cast.north,
        cast.supporter_a,
        time(8),
        time(17),
    )
    # South: the coordinator learns nothing about it, and changes nothing there.
    assert _calendar(client, site=cast.south.pk).status_code == 404
    assert _post_shift(client, cast.south, _shift_data(cast.supporter_b)).status_code == 404
    south = _shift(cast, cast.supporter_b, site=cast.south)
    remove = reverse("on_call:shift_remove", args=[south.pk])
    assert client.post(remove).status_code == 404
    assert OnCallShift.objects.filter(site=cast.south).count() == 1


def test_a_supporter_volunteers_for_their_own_shifts_only(cast):
    client = cast.client("supporter_a")
    assert _post_shift(client, cast.north, _shift_data(cast.supporter_a)).status_code == 302
    own = OnCallShift.objects.get(user=cast.supporter_a)
    # Someone else is not among the people they may choose.
    response = _post_shift(client, cast.north, _shift_data(cast.coordinator, starts="09:00"))
    assert response.status_code == 400
    assert "Choose a person from the list." in response.content.decode()
    assert not OnCallShift.objects.filter(user=cast.coordinator).exists()
    # They see the coordinator's shift but may not remove it; their own they may.
    theirs = _shift(cast, cast.coordinator, weekday=Weekday.TUESDAY)
    page = _calendar(client).content.decode()
    assert reverse("on_call:shift_remove", args=[theirs.pk]) not in page
    assert reverse("on_call:shift_remove", args=[own.pk]) in page
    assert client.post(reverse("on_call:shift_remove", args=[theirs.pk])).status_code == 403
    assert OnCallShift.objects.filter(pk=theirs.pk).exists()
    assert client.post(reverse("on_call:shift_remove", args=[own.pk])).status_code == 302
    assert not OnCallShift.objects.filter(pk=own.pk).exists()
    # Time off likewise: their own, not the coordinator's.
    theirs_off = _exception_data(cast.coordinator, kind="off")
    assert _post_exception(client, cast.north, theirs_off).status_code == 400
    own_off = _exception_data(cast.supporter_a, kind="off")
    assert _post_exception(client, cast.north, own_off).status_code == 302
    assert list(OnCallException.objects.values_list("user_id", "kind")) == [
        (cast.supporter_a.pk, "off")
    ]


def test_a_supporter_sees_only_their_own_sites_roster(cast):
    client = cast.client("supporter_b")
    response = _calendar(client)
    assert response.status_code == 200
    assert response.context["site"] == cast.south
    assert _calendar(client, site=cast.north.pk).status_code == 404
    assert _calendar(client, site="north").status_code == 404


def test_the_director_sees_every_site_and_chooses_among_them(cast):
    client = cast.client("director")
    page = _calendar(client, site=cast.south.pk)
    assert page.context["site"] == cast.south
    assert [site.name for site in page.context["sites"]] == ["North", "South"]
    assert _post_shift(client, cast.south, _shift_data(cast.supporter_b)).status_code == 302
    assert OnCallShift.objects.get().site == cast.south


@pytest.mark.parametrize("member", ["lead", "physician"])
def test_nobody_else_opens_the_roster(cast, member):
    client = cast.client(member)
    assert _calendar(client).status_code == 403
    assert _post_shift(client, cast.north, _shift_data(cast.coordinator)).status_code == 403
    assert client.get(reverse("on_call:feed")).status_code == 403
    assert not OnCallShift.objects.exists()


def test_a_retired_supporter_no_longer_volunteers(cast):
    cast.supporter_a_profile.status = "retired"
    cast.supporter_a_profile.save()
    client = cast.client("supporter_a")
    assert _calendar(client).status_code == 403
    assert client.get(reverse("on_call:feed")).status_code == 403


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"shift-starts": "09:00", "shift-ends": "09:00"},
            "ends",
            "A shift needs an end different from its start.",
        ),
        ({"shift-starts": "25:00"}, "starts", "Enter a time, e.g. 08:00."),
        ({"shift-weekday": "7"}, "weekday", "Choose a day of the week."),
        ({"shift-position": "0"}, "position", "Enter a whole number from 1 to 9."),
        ({"shift-user": ""}, "user", "Choose who is on call."),
    ],
)
def test_a_bad_shift_is_refused_with_the_reason_and_nothing_changed(cast, change, field, message):
    client = cast.client("coordinator")
    response = _post_shift(client, cast.north, {**_shift_data(cast.coordinator), **change})
    assert response.status_code == 400
    assert response.context["shift_form"].errors[field] == [message]
    assert not response.context["exception_form"].is_bound
    assert not OnCallShift.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="on_call.").exists()


def test_someone_who_cannot_be_on_call_is_not_offered_nor_accepted(cast):
    client = cast.client("coordinator")
    people = list(_calendar(client).context["shift_form"].fields["user"].queryset)
    assert people == sorted([cast.coordinator, cast.supporter_a], key=lambda u: (u.name, u.email))
    for outsider in (cast.physician, cast.lead, cast.supporter_b):
        response = _post_shift(client, cast.north, _shift_data(outsider))
        assert response.status_code == 400
        assert response.context["shift_form"].errors["user"] == ["Choose a person from the list."]
    assert not OnCallShift.objects.exists()


def test_the_same_shift_twice_is_refused_over_the_whole_form(cast):
    client = cast.client("coordinator")
    assert _post_shift(client, cast.north, _shift_data(cast.coordinator)).status_code == 302
    response = _post_shift(client, cast.north, _shift_data(cast.coordinator, ends="18:00"))
    assert response.status_code == 400
    assert response.context["shift_form"].non_field_errors() == [
        "This person already has a shift starting then."
    ]
    assert list(OnCallShift.objects.values_list("ends", flat=True)) == [time(17)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"exception-ends_at": "2026-12-01T08:00"},
            "ends_at",
            "The end must come after the start.",
        ),
        ({"exception-ends_at": "2027-01-15T08:00"}, "ends_at", "Enter at most 31 days at a time."),
        (
            {"exception-starts_at": "tomorrow"},
            "starts_at",
            "Enter a date and time, e.g. 2026-03-04 09:15.",
        ),
        ({"exception-kind": "maybe"}, "kind", "Say whether the person is off or covering."),
    ],
)
def test_a_bad_exception_is_refused_with_the_reason_and_nothing_changed(
    cast, change, field, message
):
    data = {**_exception_data(cast.supporter_a), **change}
    response = _post_exception(cast.client("coordinator"), cast.north, data)
    assert response.status_code == 400
    assert response.context["exception_form"].errors[field] == [message]
    assert not OnCallException.objects.exists()


def test_an_added_exception_takes_the_calendar_to_its_week(cast):
    data = _exception_data(cast.supporter_a, day="2026-12-10", position="2")
    response = _post_exception(cast.client("coordinator"), cast.north, data)
    assert (
        response["Location"]
        == reverse("on_call:calendar") + f"?site={cast.north.pk}&week=2026-12-07"
    )
    cover = OnCallException.objects.get()
    assert (cover.kind, cover.starts_at, cover.position) == ("cover", _at(10, 9), 2)


# --- the week ----------------------------------------------------------------------------------


def test_the_week_shows_who_is_on_call_when_with_covers_and_time_off(cast):
    cast.coordinator.name = "Cora Ordinator"
    cast.coordinator.save()
    supporter = cast.supporter_a.name
    _shift(cast, cast.coordinator, Weekday.MONDAY, time(8), time(17))
    _shift(cast, cast.supporter_a, Weekday.MONDAY, time(17), time(8))  # the night, into Tuesday
    _shift(cast, cast.supporter_a, Weekday.SUNDAY, time(20), time(8), position=2)
    _exception(cast, cast.coordinator, ExceptionKind.OFF, _at(0, 12), _at(0, 13))
    _exception(cast, cast.supporter_a, ExceptionKind.COVER, _at(2, 10), _at(2, 11, 30))
    # Another site's roster is not shown.
    _shift(cast, cast.supporter_b, site=cast.south)

    rows = _day_rows(_calendar(cast.client("coordinator")))
    assert rows == {
        "2026-11-30": [
            # The Sunday night before runs into Monday morning.
            f"00:00-08:00 {supporter} (second call)",
            "08:00-12:00 Cora Ordinator (first call)",
            "12:00-13:00 Cora Ordinator time off",
            "13:00-17:00 Cora Ordinator (first call)",
            f"17:00-24:00 {supporter} (first call)",
        ],
        "2026-12-01": [f"00:00-08:00 {supporter} (first call)"],
        "2026-12-02": [f"10:00-11:30 {supporter} (first call, covering)"],
        "2026-12-03": ["Nobody on call."],
        "2026-12-04": ["Nobody on call."],
        "2026-12-05": ["Nobody on call."],
        # Sunday's night ends on the Monday after, shown in the next week.
        "2026-12-06": [f"20:00-24:00 {supporter} (second call)"],
    }
    assert "South" not in str(rows)


def test_the_week_asked_for_starts_on_its_monday_and_links_to_its_neighbours(cast):
    response = cast.client("coordinator").get(reverse("on_call:calendar"), {"week": "2026-12-03"})
    assert response.context["monday"].isoformat() == MONDAY
    query = f"?site={cast.north.pk}&week="
    assert response.context["previous_url"] == reverse("on_call:calendar") + query + "2026-11-23"
    assert response.context["next_url"] == reverse("on_call:calendar") + query + "2026-12-07"
    html = response.content.decode()
    assert 'href="/on-call/?site=' in html and "2026-12-07" in html


def test_an_unreadable_week_shows_this_week(cast):
    response = cast.client("coordinator").get(reverse("on_call:calendar"), {"week": "soon"})
    today = timezone.localdate()
    assert response.context["monday"] == today - timedelta(days=today.weekday())


def test_the_calendar_says_nothing_about_referrals(cast):
    referral = referral_new(department=cast.department_a, urgency="safety")
    _shift(cast, cast.coordinator)
    html = _calendar(cast.client("coordinator")).content.decode()
    assert referral.physician.name not in html
    assert reverse("interactions:referral_detail", args=[referral.pk]) not in html


def test_the_coordinators_home_and_navigation_lead_to_the_calendar(cast):
    html = cast.client("coordinator").get(reverse("home_coordinator")).content.decode()
    assert html.count(f'href="{reverse("on_call:calendar")}"') == 2  # navigation and home
    assert f'href="{reverse("on_call:feed")}"' in html
    supporter = cast.client("supporter_a").get(reverse("home_supporter")).content.decode()
    assert f'href="{reverse("on_call:calendar")}"' in supporter


# --- the feed ----------------------------------------------------------------------------------


def _issue(client) -> str:
    response = client.post(reverse("on_call:feed_issue"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    url = response.context["feed_url"]
    assert url.startswith("http://testserver/on-call/feed/") and url.endswith(".ics")
    assert f'value="{url}"' in response.content.decode()
    return url.removeprefix("http://testserver")


def test_an_issued_feed_works_until_reissued_or_revoked(cast, client):
    user = cast.client("coordinator")
    first = _issue(user)
    assert client.get(first).status_code == 200
    # The address is shown once: the feed page does not show it again.
    again = user.get(reverse("on_call:feed"))
    assert first not in again.content.decode() and again.context["has_feed"]
    second = _issue(user)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert user.post(reverse("on_call:feed_revoke")).status_code == 302
    assert client.get(second).status_code == 404
    assert not user.get(reverse("on_call:feed")).context["has_feed"]
    assert [event.action for event in AuditEvent.objects.order_by("pk")][-3:] == [
        "on_call.feed_issue",
        "on_call.feed_issue",
        "on_call.feed_revoke",
    ]


def test_a_feed_stops_when_its_owner_can_no_longer_be_on_call(cast, client):
    path = _issue(cast.client("supporter_a"))
    cast.supporter_a_profile.status = "retired"
    cast.supporter_a_profile.save()
    assert client.get(path).status_code == 404


@freeze_time("2026-12-02 15:00:00")
def test_the_feed_holds_ones_own_spans_for_the_week_past_and_eight_ahead(cast, client):
    cast.north.name = "North"
    _shift(cast, cast.supporter_a, Weekday.MONDAY, time(17), time(8))
    _shift(cast, cast.coordinator, Weekday.TUESDAY, time(8), time(17))  # someone else's
    _shift(cast, cast.supporter_b, site=cast.south)  # someone else's, elsewhere
    _exception(cast, cast.supporter_a, ExceptionKind.COVER, _at(3, 9), _at(3, 12), position=2)
    _exception(cast, cast.supporter_a, ExceptionKind.OFF, _at(7, 17), _at(8, 8))
    referral = referral_new(department=cast.department_a, urgency="safety")

    path = _issue(cast.client("supporter_a"))
    response = client.get(path)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    text = response.content.decode()
    assert referral.physician.name not in text and "referral" not in text.casefold()
    parsed = icalendar.Calendar.from_ical(text)
    events = [
        (str(event["SUMMARY"]), event.decoded("DTSTART"), event.decoded("DTEND"))
        for event in parsed.walk("VEVENT")
    ]
    night = "On call (first call) — North"
    # From Wednesday 25 November (a week before today) to 8 weeks after today (27 January):
    # Mondays 30 November and 7 December (off that night), then 14 December to 25 January.
    mondays = [_at(days, 17) for days in [0, *range(14, 57, 7)]]
    expected = [(night, monday, monday + timedelta(hours=15)) for monday in mondays]
    expected.insert(1, ("On call (second call, covering) — North", _at(3, 9), _at(3, 12)))
    assert events == expected
    uids = [str(event["UID"]) for event in parsed.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert all(uid.endswith("@testserver") for uid in uids)
    # Read again, the same events keep the same UIDs.
    later = icalendar.Calendar.from_ical(client.get(path).content.decode())
    assert [str(event["UID"]) for event in later.walk("VEVENT")] == uids


def test_the_feed_token_stays_out_of_the_logs(cast, client, _names_stay_inside):
    path = _issue(cast.client("coordinator"))
    token = path.removeprefix("/on-call/feed/").removesuffix(".ics")
    client.get(path)
    services.on_call_feed_issue(user=cast.coordinator)  # the old address now answers 404
    assert client.get(path).status_code == 404
    assert client.get(f"/on-call/feed/{token}").status_code == 404
    logged = [text for kind, text in _names_stay_inside.outputs if kind.startswith("log record")]
    assert "Not Found: /on-call/feed/[redacted]" in logged
    assert not [text for text in logged if token in text]
