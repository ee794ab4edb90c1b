"""Suggestions apply the matching rules (docs/architecture.md, queue and suggestions) and say
which rule each candidate passed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.models import DepartmentPreference
from interactions.selectors import referral_suggestions
from post_program.models import AwayPeriod, ContactWindow, PeerSupporter
from tests.factories import PeerSupporterFactory, PhysicianFactory
from training.selectors import current_until

from .factories import referral_assigned, referral_new, trained

pytestmark = pytest.mark.django_db


def _supporter(department, **fields) -> PeerSupporter:
    supporter = PeerSupporterFactory(physician=PhysicianFactory(department=department), **fields)
    trained(supporter)
    return supporter


def _ids(candidates) -> list[int]:
    return [c.supporter.pk for c in candidates]


def _failed(suggestions, supporter) -> list[str]:
    (candidate,) = [c for c in suggestions.excluded if c.supporter == supporter]
    return [check.rule for check in candidate.failed]


@pytest.fixture
def team(cast):
    """Three trained supporters in department A, one in C (same site), one in B (South)."""
    trained(cast.supporter_a_profile, cast.supporter_b_profile)
    return {
        "a1": cast.supporter_a_profile,
        "a2": _supporter(cast.department_a),
        "a3": _supporter(cast.department_a),
        "c": _supporter(cast.department_c),
        "b": cast.supporter_b_profile,
    }


def test_every_eligible_candidate_passes_every_rule_with_a_reason_in_words(cast, team):
    referral = referral_new(department=cast.department_a)
    suggestions = referral_suggestions(referral=referral)
    assert set(_ids(suggestions.eligible)) == {s.pk for s in team.values()}
    candidate = suggestions.eligible[0]
    assert [check.rule for check in candidate.checks] == [
        "not_self",
        "no_conflict",
        "department",
        "available",
        "caseload",
        "training",
    ]
    assert all(check.passed and check.explanation for check in candidate.checks)
    until = candidate.training_current_until
    assert candidate.checks[-1].explanation == f"Training current until {until:%Y-%m-%d}"


def test_never_the_physician_themself(cast, team):
    referral = referral_new(department=cast.department_a, physician=team["a2"].physician)
    suggestions = referral_suggestions(referral=referral)
    assert team["a2"].pk not in _ids(suggestions.eligible)
    assert _failed(suggestions, team["a2"]) == ["not_self"]


def test_never_a_supporter_with_a_declared_conflict(cast, team):
    referral = referral_new(department=cast.department_a)
    team["a3"].conflicts.add(referral.physician)
    suggestions = referral_suggestions(referral=referral)
    assert _failed(suggestions, team["a3"]) == ["no_conflict"]
    assert team["a3"].pk not in _ids(suggestions.eligible)


def test_the_wish_for_a_supporter_of_the_own_department(cast, team):
    referral = referral_new(
        department=cast.department_a, department_preference=DepartmentPreference.OWN
    )
    suggestions = referral_suggestions(referral=referral)
    assert set(_ids(suggestions.eligible)) == {team["a1"].pk, team["a2"].pk, team["a3"].pk}


def test_the_wish_for_a_supporter_of_another_department(cast, team):
    referral = referral_new(
        department=cast.department_a, department_preference=DepartmentPreference.OTHER
    )
    suggestions = referral_suggestions(referral=referral)
    assert set(_ids(suggestions.eligible)) == {team["c"].pk, team["b"].pk}
    assert _failed(suggestions, team["a1"]) == ["department"]


@pytest.mark.parametrize(
    ("change", "explanation"),
    [
        ({"status": "paused"}, "Paused, not active"),
        ({"accepting_referrals": False}, "Not accepting referrals"),
    ],
)
def test_only_active_accepting_supporters(cast, team, change, explanation):
    supporter = team["a2"]
    for field, value in change.items():
        setattr(supporter, field, value)
    supporter.save()
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert _failed(suggestions, supporter) == ["available"]
    (candidate,) = [c for c in suggestions.excluded if c.supporter == supporter]
    assert candidate.failed[0].explanation.startswith(explanation)


def test_never_a_supporter_away_on_the_day_with_the_period_said(cast, team):
    today = timezone.localdate()
    first, last = today - timedelta(days=3), today + timedelta(days=11)
    AwayPeriod.objects.create(supporter=team["a2"], starts_on=first, ends_on=last)
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert _failed(suggestions, team["a2"]) == ["available"]
    (candidate,) = [c for c in suggestions.excluded if c.supporter == team["a2"]]
    assert candidate.failed[0].explanation == f"Away {first:%Y-%m-%d} to {last:%Y-%m-%d}"


def test_back_from_away_is_available_again(cast, team):
    today = timezone.localdate()
    AwayPeriod.objects.create(
        supporter=team["a2"], starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=1)
    )
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert team["a2"].pk in _ids(suggestions.eligible)
    (candidate,) = [c for c in suggestions.eligible if c.supporter == team["a2"]]
    assert candidate.ranking[0].explanation == "No time away planned"


def test_only_supporters_under_their_caseload_cap(cast, team):
    team["a2"].caseload_cap = 1
    team["a2"].save()
    referral_assigned(department=cast.department_c, supporter=team["a2"])
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert _failed(suggestions, team["a2"]) == ["caseload"]
    (candidate,) = [c for c in suggestions.excluded if c.supporter == team["a2"]]
    assert candidate.failed[0].explanation == "1 of 1 open cases"


def test_closed_cases_do_not_count_against_the_cap(cast, team):
    team["a2"].caseload_cap = 1
    team["a2"].save()
    done = referral_assigned(department=cast.department_c, supporter=team["a2"])
    services.referral_close(actor=None, referral=done, outcome="unreachable")
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert team["a2"].pk in _ids(suggestions.eligible)


def test_only_supporters_with_current_training(cast, team, settings):
    settings.REFRESHER_MONTHS = 24
    lapsed = _supporter(cast.department_a)
    lapsed.physician.training_completions.update(
        completed_on=timezone.localdate() - timedelta(days=800)
    )
    never = PeerSupporterFactory(physician=PhysicianFactory(department=cast.department_a))
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert _failed(suggestions, lapsed) == ["training"]
    assert _failed(suggestions, never) == ["training"]
    explanations = {c.supporter: c.failed[0].explanation for c in suggestions.excluded}
    # Dated by the last day training counted, as training's own pages do.
    last_current = current_until(timezone.localdate() - timedelta(days=800))
    assert explanations[lapsed] == f"Training lapsed after {last_current:%Y-%m-%d}"
    assert explanations[never] == "No completed training on record"


def test_fewer_open_cases_first_then_longest_since_the_last_assignment(cast, team):
    now = timezone.now()
    # c and b: one open case each. a1: none, assigned long ago. a2: none, assigned lately.
    # a3: never assigned.
    referral_assigned(department=cast.department_c, supporter=team["c"])
    referral_assigned(department=cast.department_c, supporter=team["b"])
    for supporter, days_ago in ((team["a1"], 40), (team["a2"], 2)):
        old = referral_new(department=cast.department_c, at=now - timedelta(days=days_ago, hours=1))
        services.referral_assign(
            actor=None, referral=old, supporter=supporter, at=now - timedelta(days=days_ago)
        )
        services.referral_close(actor=None, referral=old, outcome="unreachable")
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    order = _ids(suggestions.eligible)
    assert order[:3] == [team["a3"].pk, team["a1"].pk, team["a2"].pk]
    assert set(order[3:]) == {team["c"].pk, team["b"].pk}
    by_pk = {c.supporter.pk: c for c in suggestions.eligible}
    assert by_pk[team["a1"].pk].days_since_last_assignment == 40
    assert by_pk[team["a3"].pk].days_since_last_assignment is None
    assert by_pk[team["c"].pk].open_cases == 1


def test_the_requested_supporter_comes_first_when_eligible(cast, team):
    referral_assigned(department=cast.department_c, supporter=team["b"])  # b has more cases
    referral = referral_new(department=cast.department_a, requested_supporter=team["b"])
    suggestions = referral_suggestions(referral=referral)
    assert suggestions.eligible[0].supporter == team["b"] and suggestions.eligible[0].requested


def test_a_requested_supporter_who_fails_a_rule_is_shown_with_the_reason(cast, team):
    team["b"].accepting_referrals = False
    team["b"].save()
    referral = referral_new(department=cast.department_a, requested_supporter=team["b"])
    suggestions = referral_suggestions(referral=referral)
    assert suggestions.excluded[0].supporter == team["b"] and suggestions.excluded[0].requested
    assert _failed(suggestions, team["b"]) == ["available"]


def test_retired_supporters_are_never_candidates(cast, team):
    team["a2"].status = "retired"
    team["a2"].save()
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    everyone = _ids(suggestions.eligible) + _ids(suggestions.excluded)
    assert team["a2"].pk not in everyone


def test_suggestions_take_a_fixed_number_of_queries(cast, team, django_assert_num_queries):
    referral = referral_new(department=cast.department_a)
    referral.refresh_from_db()
    # The pool, last assignments, training, then everyone's time away and contact hours.
    with django_assert_num_queries(5):
        small = referral_suggestions(referral=referral)
    today = timezone.localdate()
    for n in range(15):
        supporter = _supporter(cast.department_c)
        referral_assigned(department=cast.department_c, supporter=supporter)
        for weeks in (1, 3):
            AwayPeriod.objects.create(
                supporter=supporter,
                starts_on=today + timedelta(weeks=weeks),
                ends_on=today + timedelta(weeks=weeks, days=n),
            )
        ContactWindow.objects.create(
            supporter=supporter, weekday=n % 7, starts_at=time(8), ends_at=time(12)
        )
        ContactWindow.objects.create(
            supporter=supporter, weekday=(n + 1) % 7, starts_at=time(8), ends_at=time(12)
        )
    with django_assert_num_queries(5):
        large = referral_suggestions(referral=referral)
    assert len(large.eligible) == len(small.eligible) + 15


# --- time away ahead and contact hours order the eligible ---------------------------------------

# A Wednesday, 10:00 in the program's time zone; first contact is due 24 hours later.
RECEIVED = (date(2026, 12, 2), time(10))


def _at(hours: float = 0) -> datetime:
    received = datetime.combine(*RECEIVED, tzinfo=timezone.get_current_timezone())
    return received + timedelta(hours=hours)


def _hours(supporter, days, starts: time, ends: time) -> None:
    for day in days:
        ContactWindow.objects.create(
            supporter=supporter, weekday=day, starts_at=starts, ends_at=ends
        )


def _ranked(referral, at: datetime) -> dict[int, list[str]]:
    suggestions = referral_suggestions(referral=referral, at=at)
    return {
        c.supporter.pk: [check.explanation for check in c.ranking] for c in suggestions.eligible
    }


@pytest.fixture
def routine(cast, team):
    return referral_new(department=cast.department_a, at=_at())


def test_time_away_starting_before_first_contact_is_due_ranks_lower(cast, team, routine):
    tomorrow = date(2026, 12, 3)  # the day first contact is due
    AwayPeriod.objects.create(supporter=team["a3"], starts_on=tomorrow, ends_on=date(2026, 12, 9))
    AwayPeriod.objects.create(
        supporter=team["a2"], starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 5)
    )
    suggestions = referral_suggestions(referral=routine, at=_at())
    order = _ids(suggestions.eligible)
    assert order[-1] == team["a3"].pk and len(order) == 5
    ranking = _ranked(routine, _at())
    assert ranking[team["a3"].pk][0] == (
        "Away 2026-12-03 to 2026-12-09, starting before first contact is due"
    )
    assert ranking[team["a2"].pk][0] == "Next away 2026-12-04 to 2026-12-05"
    assert ranking[team["a1"].pk] == ["No time away planned", "No preferred contact hours"]
    (last,) = [c for c in suggestions.eligible if c.supporter == team["a3"]]
    assert [check.rule for check in last.ranked_lower] == ["away_soon"]


def test_contact_hours_with_no_time_before_the_deadline_rank_lower(cast, team, routine):
    _hours(team["a1"], range(5), time(8), time(17))  # Wednesday and Thursday are in
    _hours(team["a2"], [5, 6], time(10), time(12))  # weekends only
    _hours(team["a3"], [3], time(9), time(10))  # Thursday 09:00, before the 10:00 deadline
    _hours(team["c"], [3], time(10, 30), time(11))  # Thursday, after the deadline
    suggestions = referral_suggestions(referral=routine, at=_at())
    order = _ids(suggestions.eligible)
    assert set(order[-2:]) == {team["a2"].pk, team["c"].pk}
    ranking = _ranked(routine, _at())
    assert ranking[team["a1"].pk][1] == "Prefers contact Mon–Fri 08:00–17:00"
    assert ranking[team["a3"].pk][1] == "Prefers contact Thu 09:00–10:00"
    assert ranking[team["a2"].pk][1] == (
        "Prefers contact Sat, Sun 10:00–12:00: none of it before first contact is due"
    )
    assert ranking[team["c"].pk][1] == (
        "Prefers contact Thu 10:30–11:00: none of it before first contact is due"
    )
    assert ranking[team["b"].pk][1] == "No preferred contact hours"


def test_contact_hours_count_from_now_not_from_when_the_request_came(cast, team, routine):
    _hours(team["a2"], [2], time(8), time(11))  # Wednesday morning only
    assert "none of it" not in _ranked(routine, _at())[team["a2"].pk][1]
    # At 11:30 Wednesday that window has closed and the next is a week away.
    assert "none of it" in _ranked(routine, _at(1.5))[team["a2"].pk][1]


def test_once_first_contact_is_overdue_hours_open_now_come_first(cast, team, routine):
    _hours(team["a2"], [3], time(11), time(12))  # Thursday 11:00-12:00
    _hours(team["a3"], [3], time(14), time(15))
    ranking = _ranked(routine, _at(25.5))  # Thursday 11:30, the deadline passed at 10:00
    assert "none of it" not in ranking[team["a2"].pk][1]
    assert "none of it" in ranking[team["a3"].pk][1]


def test_contact_hours_are_read_in_the_program_s_time_zone(cast, team, settings):
    settings.TIME_ZONE = "America/Toronto"
    # Wednesday 10:00 in Toronto is 15:00 UTC; first contact is due Thursday 10:00 there.
    referral = referral_new(department=cast.department_a, at=_at())
    _hours(team["a2"], [3], time(9), time(10))  # Thursday 09:00 Toronto: in time
    _hours(team["a3"], [3], time(14), time(15))  # after the deadline there, in time in UTC
    ranking = _ranked(referral, _at())
    assert "none of it" not in ranking[team["a2"].pk][1]
    assert "none of it" in ranking[team["a3"].pk][1]


def test_the_requested_supporter_stays_first_whatever_their_hours(cast, team):
    _hours(team["b"], [5], time(10), time(11))
    referral = referral_new(department=cast.department_a, requested_supporter=team["b"], at=_at())
    suggestions = referral_suggestions(referral=referral, at=_at())
    assert suggestions.eligible[0].supporter == team["b"]
    assert [check.rule for check in suggestions.eligible[0].ranked_lower] == ["contact_hours"]


def test_the_coordinator_sees_each_candidate_s_time_away_and_hours(cast, team):
    today = timezone.localdate()
    first, last = today + timedelta(days=20), today + timedelta(days=27)
    AwayPeriod.objects.create(supporter=team["a2"], starts_on=first, ends_on=last)
    _hours(team["a2"], range(7), time(0), time(23, 59))
    referral = referral_new(department=cast.department_a)
    url = reverse("interactions:referral_detail", args=[referral.pk])
    page = cast.client("coordinator").get(url).content.decode()
    row = page[page.index(f'id="candidate-{team["a2"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert f"Next away {first:%Y-%m-%d} to {last:%Y-%m-%d}" in row
    assert "Prefers contact Mon–Sun 00:00–23:59" in row
    assert "Ranked lower" not in row
