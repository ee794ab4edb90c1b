"""Referral numbers of the report (implementation.referrals), worked out by hand.

The program's time zone is New York, so a referral belongs to its local date, and the first
contact that spans the daylight-saving change of 2021-03-14 took 23 hours, not 24.
Period P = 2021-03-01 .. 2021-03-31.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions.models import Referral
from reporting import metrics
from reporting.report import ReAimReport, period_parse, scope_resolve
from tests.factories import DepartmentFactory, PeerSupporterFactory, SiteFactory

from .factories import make_referral

NEW_YORK = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


@pytest.fixture
def referrals(db, settings):
    settings.TIME_ZONE = "America/New_York"
    a = DepartmentFactory(site=SiteFactory(name="North"), name="Emergency Medicine")
    b = DepartmentFactory(site=SiteFactory(name="South"), name="Emergency Medicine")
    # In P: 00:30 local on the first day.
    make_referral(a, at("2021-03-01T00:30"), "self", contact_hours=2, outcome="supported")
    # Not in P: 23:30 local on 28 February, although it is already 1 March in UTC.
    make_referral(a, at("2021-02-28T23:30"), "third_party", contact_hours=1, outcome="supported")
    # In P: the last minute of the last day; never contacted.
    make_referral(a, at("2021-03-31T23:59"), "event")
    # Not in P: ten past midnight on 1 April.
    make_referral(b, at("2021-04-01T00:10"), "self")
    # 12:00 EST to 12:00 EDT the next day: 23 hours elapsed, within the deadline.
    r5 = make_referral(a, at("2021-03-13T12:00"), "self", outcome="declined")
    r5.first_contact_at = at("2021-03-14T12:00")
    r5.save(update_fields=["first_contact_at"])
    make_referral(b, at("2021-03-10T09:00"), "third_party", contact_hours=30, outcome="unreachable")
    # Exactly on the deadline counts as within it.
    make_referral(
        a, at("2021-03-20T10:00"), "third_party", contact_hours=24, outcome="referred_out"
    )
    make_referral(b, at("2021-03-05T08:00"), "event", contact_hours=10)
    return a, b


def referral_numbers(**scope) -> dict:
    report = ReAimReport(
        period=period_parse("2021-03-01", "2021-03-31"), scope=scope_resolve(**scope)
    )
    return report.data["implementation"]["referrals"]


def test_referral_numbers(referrals):
    numbers = referral_numbers()
    assert numbers == {
        "received": 6,
        "by_source": {"self": 2, "third_party": 2, "event": 2},
        "contacted": 5,
        # Hours [2, 10, 23, 24, 30]: median the 3rd; p25 rank 1 (10); p75 rank 3 (24).
        "hours_to_first_contact": {"n": 5, "median": 23.0, "p25": 10.0, "p75": 24.0},
        "within_deadline": 4,
        "proportion_within_deadline": 4 / 6,
        "outcomes": {
            "supported": 1,
            "declined": 1,
            "unreachable": 1,
            "referred_out": 1,
            "open": 2,
        },
        "acceptance_rate": 0.5,
    }


def test_referrals_are_in_scope_by_their_department(referrals):
    numbers = referral_numbers(site="North")
    assert numbers["received"] == 4
    assert numbers["by_source"] == {"self": 2, "third_party": 1, "event": 1}
    assert numbers["within_deadline"] == 3  # 2 h, 23 h, 24 h
    assert numbers["outcomes"]["open"] == 1


def test_the_deadline_setting_is_used(referrals, settings):
    settings.FIRST_CONTACT_DEADLINE_HOURS = 12
    numbers = referral_numbers()
    assert numbers["within_deadline"] == 2  # 2 h and 10 h
    assert numbers["proportion_within_deadline"] == 2 / 6


def test_period_edges_follow_the_time_zone_setting(referrals, settings):
    settings.TIME_ZONE = "UTC"
    # In UTC the referral of 28 February 23:30 New York time falls on 1 March, and the one
    # of 31 March 23:59 New York on 1 April.
    numbers = referral_numbers()
    assert numbers["received"] == 6
    assert numbers["by_source"] == {"self": 2, "third_party": 3, "event": 1}


def test_no_referrals_gives_nulls(db):
    numbers = referral_numbers()
    assert numbers["received"] == 0
    assert numbers["hours_to_first_contact"] == {"n": 0, "median": None, "p25": None, "p75": None}
    assert numbers["proportion_within_deadline"] is None
    assert numbers["acceptance_rate"] is None


@given(
    st.lists(
        st.integers(min_value=0, max_value=10 * 24 * 3600 * 10**6).map(
            lambda us: timedelta(microseconds=us)
        ),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_contact_hours_quartiles_equal_the_definition(db, delays):
    """Whichever computes them (percentile_cont on PostgreSQL, Python elsewhere), the
    quartiles of hours to first contact are those of ``metrics.quartile_summary`` over
    ``metrics.hours_between``, to the last bit."""
    Referral.objects.all().delete()
    department = DepartmentFactory()
    supporter = PeerSupporterFactory()
    received_at = at("2021-03-13T12:00")
    for delay in delays:
        referral = make_referral(department, received_at, "self", supporter=supporter)
        referral.first_contact_at = received_at + delay
        referral.save(update_fields=["first_contact_at"])
    expected = metrics.quartile_summary(
        metrics.hours_between(received_at, received_at + delay) for delay in delays
    )
    report = ReAimReport(period=period_parse("2021-03-01", "2021-03-31"))
    assert report.data["implementation"]["referrals"]["hours_to_first_contact"] == expected
