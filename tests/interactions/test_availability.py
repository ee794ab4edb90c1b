"""A supporter's availability and declared conflicts, set on their page, and the suggestions
and assignment rules honouring them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.selectors import referral_suggestions
from post_program.models import AuditEvent
from tests.factories import PhysicianFactory

from .factories import referral_assigned, referral_new, trained

pytestmark = pytest.mark.django_db

URL = reverse("interactions:availability")
DECLARE_URL = reverse("interactions:conflict_declare")


def _withdraw_url(physician) -> str:
    return reverse("interactions:conflict_withdraw", args=[physician.pk])


def _eligible_ids(referral) -> set[int]:
    return {c.supporter.pk for c in referral_suggestions(referral=referral).eligible}


def _explanations(referral, supporter) -> list[str]:
    (candidate,) = [
        c for c in referral_suggestions(referral=referral).excluded if c.supporter == supporter
    ]
    return [check.explanation for check in candidate.failed]


def _save(cast, **changes):
    data = {"accepting_referrals": "yes", "away_until": "", "caseload_cap": "3", **changes}
    return cast.client("supporter_a").post(URL, data)


def test_the_page_shows_my_current_availability(cast):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 4
    supporter.accepting_referrals = False
    supporter.save()
    form = cast.client("supporter_a").get(URL).context["form"]
    assert form.initial == {"accepting_referrals": "no", "away_until": None, "caseload_cap": 4}


def test_setting_availability_saves_it_and_is_audited(cast):
    away = timezone.localdate() + timedelta(days=10)
    response = _save(cast, accepting_referrals="no", away_until=away.isoformat(), caseload_cap="5")
    assert response.status_code == 302
    supporter = cast.supporter_a_profile
    supporter.refresh_from_db()
    assert (supporter.accepting_referrals, supporter.away_until, supporter.caseload_cap) == (
        False,
        away,
        5,
    )
    audit = AuditEvent.objects.get(action="supporter.availability")
    assert audit.actor == cast.supporter_a
    assert set(audit.detail["changed"]) == {"accepting_referrals", "away_until", "caseload_cap"}
    cast.supporter_b_profile.refresh_from_db()
    assert cast.supporter_b_profile.caseload_cap == 3  # nobody else's


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"away_until": "PAST"}, "away_until", "That day has passed"),
        ({"away_until": "next week"}, "away_until", "YYYY-MM-DD"),
        ({"caseload_cap": "0"}, "caseload_cap", "from 1 to 50"),
        ({"caseload_cap": "51"}, "caseload_cap", "from 1 to 50"),
        ({"caseload_cap": "three"}, "caseload_cap", "from 1 to 50"),
        ({"caseload_cap": ""}, "caseload_cap", "how many open cases"),
        ({"accepting_referrals": ""}, "accepting_referrals", "taking new cases"),
        ({"accepting_referrals": "perhaps"}, "accepting_referrals", "taking new cases"),
    ],
)
def test_bad_availability_is_explained_and_nothing_changes(cast, change, field, message):
    if change.get("away_until") == "PAST":
        change = {"away_until": (timezone.localdate() - timedelta(days=1)).isoformat()}
    response = _save(cast, **change)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    cast.supporter_a_profile.refresh_from_db()
    assert cast.supporter_a_profile.caseload_cap == 3
    assert cast.supporter_a_profile.accepting_referrals


# --- the suggestions honour what the supporter set ---------------------------------------------


@pytest.fixture
def referral(cast):
    trained(cast.supporter_a_profile)
    return referral_new(department=cast.department_a)


def test_not_accepting_takes_me_out_of_the_suggestions(cast, referral):
    assert cast.supporter_a_profile.pk in _eligible_ids(referral)
    _save(cast, accepting_referrals="no")
    assert cast.supporter_a_profile.pk not in _eligible_ids(referral)
    assert _explanations(referral, cast.supporter_a_profile) == ["Not accepting referrals"]
    _save(cast, accepting_referrals="yes")
    assert cast.supporter_a_profile.pk in _eligible_ids(referral)


def test_away_until_a_day_takes_me_out_up_to_and_including_it(cast, referral):
    today = timezone.localdate()
    _save(cast, away_until=today.isoformat())
    assert _explanations(referral, cast.supporter_a_profile) == [f"Away until {today:%Y-%m-%d}"]
    # The day after it, they are offered again.
    suggestions = referral_suggestions(referral=referral, on=today + timedelta(days=1))
    assert cast.supporter_a_profile.pk in {c.supporter.pk for c in suggestions.eligible}


def test_a_full_caseload_takes_me_out(cast, referral):
    _save(cast, caseload_cap="1")
    referral_assigned(department=cast.department_c, supporter=cast.supporter_a_profile)
    assert _explanations(referral, cast.supporter_a_profile) == ["1 of 1 open cases"]
    _save(cast, caseload_cap="2")
    assert cast.supporter_a_profile.pk in _eligible_ids(referral)


def test_a_declared_conflict_takes_me_out_and_blocks_assignment(cast, referral):
    response = cast.client("supporter_a").post(DECLARE_URL, {"physician": referral.physician.pk})
    assert response.status_code == 302
    assert list(cast.supporter_a_profile.conflicts.all()) == [referral.physician]
    assert _explanations(referral, cast.supporter_a_profile) == [
        "Declared a conflict with the physician"
    ]
    with pytest.raises(services.ReferralError, match="declared a conflict"):
        services.referral_assign(
            actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile
        )
    audit = AuditEvent.objects.get(action="supporter.conflict_declare")
    assert audit.detail == {"physician_id": referral.physician.pk}


def test_withdrawing_a_conflict_makes_me_eligible_again(cast, referral):
    services.supporter_conflict_declare(
        actor=None, supporter=cast.supporter_a_profile, physician=referral.physician
    )
    response = cast.client("supporter_a").post(_withdraw_url(referral.physician))
    assert response.status_code == 302
    assert not cast.supporter_a_profile.conflicts.exists()
    assert cast.supporter_a_profile.pk in _eligible_ids(referral)


def test_withdrawing_a_conflict_i_never_declared_is_not_found(cast):
    other = PhysicianFactory(department=cast.department_a)
    services.supporter_conflict_declare(
        actor=None, supporter=cast.supporter_b_profile, physician=other
    )
    assert cast.client("supporter_a").post(_withdraw_url(other)).status_code == 404
    assert cast.supporter_b_profile.conflicts.filter(pk=other.pk).exists()


@pytest.mark.parametrize("value", ["", "999999", "SELF", "abc"])
def test_a_conflict_needs_a_colleague_from_the_roster_other_than_me(cast, value):
    if value == "SELF":
        value = cast.supporter_a_profile.physician.pk
    response = cast.client("supporter_a").post(DECLARE_URL, {"physician": value})
    assert response.status_code == 400
    errors = response.context["conflict_form"].errors["physician"]
    assert any("search results" in e or "not on the roster" in e for e in errors)
    assert not cast.supporter_a_profile.conflicts.exists()


def test_the_conflict_search_finds_colleagues_by_name_but_not_me_or_those_declared(cast):
    PhysicianFactory(department=cast.department_b, name="Quincy Adeyemi")
    declared = PhysicianFactory(department=cast.department_a, name="Quentin Adeyemi")
    services.supporter_conflict_declare(
        actor=None, supporter=cast.supporter_a_profile, physician=declared
    )
    cast.supporter_a_profile.physician.name = "Quill Adeyemi"
    cast.supporter_a_profile.physician.save()
    response = cast.client("supporter_a").get(URL, {"q": "adeyemi"})
    assert [p.name for p in response.context["results"]] == ["Quincy Adeyemi"]
    page = response.content.decode()
    assert "Quentin Adeyemi" in page  # listed among the declared conflicts
    assert cast.client("supporter_a").get(URL, {"q": "a"}).context["results"] == []


def test_my_cases_says_how_i_am_offered_new_cases(cast):
    away = timezone.localdate() + timedelta(days=3)
    _save(cast, accepting_referrals="no", away_until=away.isoformat(), caseload_cap="2")
    page = cast.client("supporter_a").get(reverse("interactions:case_list")).content.decode()
    assert "Taking new cases: <strong>no</strong>" in page
    assert f"away until {away:%Y-%m-%d}" in page and "at most 2 open cases" in page
