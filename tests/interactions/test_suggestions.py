"""Suggestions apply the matching rules (docs/architecture.md, queue and suggestions) and say
which rule each candidate passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions import services
from interactions.models import DepartmentPreference
from interactions.selectors import referral_suggestions
from post_program.models import PeerSupporter
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
        ({"away_until": "TOMORROW"}, "Away until"),
    ],
)
def test_only_active_accepting_supporters_who_are_not_away(cast, team, change, explanation):
    supporter = team["a2"]
    for field, value in change.items():
        if value == "TOMORROW":
            value = timezone.localdate() + timedelta(days=1)
        setattr(supporter, field, value)
    supporter.save()
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert _failed(suggestions, supporter) == ["available"]
    (candidate,) = [c for c in suggestions.excluded if c.supporter == supporter]
    assert candidate.failed[0].explanation.startswith(explanation)


def test_back_from_away_is_available_again(cast, team):
    team["a2"].away_until = timezone.localdate() - timedelta(days=1)
    team["a2"].save()
    suggestions = referral_suggestions(referral=referral_new(department=cast.department_a))
    assert team["a2"].pk in _ids(suggestions.eligible)


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
    with django_assert_num_queries(3):
        small = referral_suggestions(referral=referral)
    for _ in range(15):
        supporter = _supporter(cast.department_c)
        referral_assigned(department=cast.department_c, supporter=supporter)
    with django_assert_num_queries(3):
        large = referral_suggestions(referral=referral)
    assert len(large.eligible) == len(small.eligible) + 15
