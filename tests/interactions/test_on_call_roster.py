"""The on-call roster: the weekly pattern laid out on the calendar (past midnight too), time
off and covers, the order people are paged in, who may be on call, and the feed token kept
only as a digest."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from interactions import selectors, services
from interactions.models import ExceptionKind, OnCallFeed, OnCallShift, Weekday
from post_program.models import AuditEvent

pytestmark = pytest.mark.django_db

# A Monday.
MONDAY = datetime(2026, 11, 30, tzinfo=timezone.get_current_timezone())


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=days, hours=hour, minutes=minute)


def _shift(cast, user, weekday=Weekday.MONDAY, starts=time(8), ends=time(17), position=1):
    return services.on_call_shift_add(
        actor=cast.coordinator,
        site=cast.north,
        user=user,
        weekday=weekday,
        starts=starts,
        ends=ends,
        position=position,
    )


def test_weekly_shifts_repeat_every_week_and_a_night_shift_runs_past_midnight(cast):
    _shift(cast, cast.coordinator, Weekday.MONDAY, time(8), time(17))
    _shift(cast, cast.supporter_a, Weekday.MONDAY, time(17), time(8))
    spans = selectors.on_call_spans(start=MONDAY, end=MONDAY + timedelta(days=14))
    assert [(span.user_id, span.starts_at, span.ends_at) for span in spans] == [
        (cast.coordinator.pk, _at(0, 8), _at(0, 17)),
        (cast.supporter_a.pk, _at(0, 17), _at(1, 8)),
        (cast.coordinator.pk, _at(7, 8), _at(7, 17)),
        (cast.supporter_a.pk, _at(7, 17), _at(8, 8)),
    ]
    # Monday's night shift covers Tuesday 03:00.
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(1, 3)) == [cast.supporter_a.pk]
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(1, 9)) == []
    assert selectors.on_call_at(site_id=cast.south.pk, at=_at(0, 9)) == []


def test_people_are_paged_by_position_and_a_cover_comes_before_the_pattern(cast):
    _shift(cast, cast.supporter_a, position=2)
    _shift(cast, cast.coordinator, position=1)
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(0, 9)) == [
        cast.coordinator.pk,
        cast.supporter_a.pk,
    ]
    services.on_call_exception_add(
        actor=cast.coordinator,
        site=cast.north,
        user=cast.supporter_a,
        kind=ExceptionKind.COVER,
        starts_at=_at(0, 10),
        ends_at=_at(0, 12),
        position=1,
    )
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(0, 11)) == [
        cast.supporter_a.pk,
        cast.coordinator.pk,
    ]


def test_time_off_cuts_the_pattern(cast):
    _shift(cast, cast.coordinator)
    services.on_call_exception_add(
        actor=cast.coordinator,
        site=cast.north,
        user=cast.coordinator,
        kind=ExceptionKind.OFF,
        starts_at=_at(0, 12),
        ends_at=_at(0, 13),
    )
    spans = selectors.on_call_spans(start=MONDAY, end=MONDAY + timedelta(days=1))
    assert [(span.starts_at, span.ends_at) for span in spans] == [
        (_at(0, 8), _at(0, 12)),
        (_at(0, 13), _at(0, 17)),
    ]
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(0, 12, 30)) == []
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(0, 13)) == [cast.coordinator.pk]


def test_a_deactivated_account_is_never_paged(cast):
    _shift(cast, cast.coordinator)
    cast.coordinator.is_active = False
    cast.coordinator.save()
    assert selectors.on_call_at(site_id=cast.north.pk, at=_at(0, 9)) == []


def test_only_the_sites_coordinators_and_supporters_can_be_on_call(cast):
    # Supporter B works at the South site; the plain physician and the lead are no supporters.
    for user in (cast.supporter_b, cast.physician, cast.lead):
        with pytest.raises(services.OnCallError) as refused:
            _shift(cast, user)
        assert refused.value.errors == {
            "user": "Only the site's coordinators and its active supporters can be on call."
        }
    assert not OnCallShift.objects.exists()
    assert not AuditEvent.objects.filter(action="on_call.shift_add").exists()


def test_bad_times_are_refused_with_nothing_changed(cast):
    with pytest.raises(services.OnCallError) as refused:
        _shift(cast, cast.coordinator, starts=time(9), ends=time(9))
    assert refused.value.errors == {"ends": "A shift needs an end different from its start."}
    _shift(cast, cast.coordinator)
    with pytest.raises(services.OnCallError):
        _shift(cast, cast.coordinator)
    with pytest.raises(services.OnCallError) as refused:
        services.on_call_exception_add(
            actor=cast.coordinator,
            site=cast.north,
            user=cast.coordinator,
            kind=ExceptionKind.OFF,
            starts_at=_at(0, 12),
            ends_at=_at(0, 12),
        )
    assert refused.value.errors == {"ends_at": "The end must come after the start."}
    assert OnCallShift.objects.count() == 1


def test_changes_are_audited(cast):
    shift = _shift(cast, cast.coordinator)
    services.on_call_shift_remove(actor=cast.director, shift=shift)
    events = AuditEvent.objects.filter(action__startswith="on_call.").order_by("pk")
    assert [(event.action, event.actor_id) for event in events] == [
        ("on_call.shift_add", cast.coordinator.pk),
        ("on_call.shift_remove", cast.director.pk),
    ]
    assert events[0].detail["user_id"] == cast.coordinator.pk
    assert not OnCallShift.objects.exists()


def test_a_feed_token_is_kept_as_a_digest_and_a_new_one_replaces_the_old(cast):
    first = services.on_call_feed_issue(user=cast.coordinator)
    assert selectors.on_call_feed_owner(first) == cast.coordinator
    assert not OnCallFeed.objects.filter(token_digest__contains=first).exists()
    second = services.on_call_feed_issue(user=cast.coordinator)
    assert selectors.on_call_feed_owner(first) is None
    assert selectors.on_call_feed_owner(second) == cast.coordinator
    assert services.on_call_feed_revoke(user=cast.coordinator)
    assert selectors.on_call_feed_owner(second) is None
