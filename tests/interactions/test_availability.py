"""A supporter's availability (new cases, time away, contact hours) and declared conflicts,
set on their page, and the suggestions and assignment rules honouring them."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from interactions import services
from interactions.selectors import referral_suggestions
from post_program.models import AuditEvent, AwayPeriod, ContactWindow
from tests.factories import PhysicianFactory

from .factories import referral_assigned, referral_new, trained

pytestmark = pytest.mark.django_db

URL = reverse("interactions:availability")
DECLARE_URL = reverse("interactions:conflict_declare")
AWAY_URL = reverse("interactions:away_period_add")
HOURS_URL = reverse("interactions:contact_window_add")


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
    data = {"accepting_referrals": "yes", "caseload_cap": "3", **changes}
    return cast.client("supporter_a").post(URL, data)


def test_the_page_shows_my_current_availability(cast):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 4
    supporter.accepting_referrals = False
    supporter.save()
    form = cast.client("supporter_a").get(URL).context["form"]
    assert form.initial == {"accepting_referrals": "no", "caseload_cap": 4}


def test_setting_availability_saves_it_and_is_audited(cast):
    response = _save(cast, accepting_referrals="no", caseload_cap="5")
    assert response.status_code == 302
    supporter = cast.supporter_a_profile
    supporter.refresh_from_db()
    assert (supporter.accepting_referrals, supporter.caseload_cap) == (False, 5)
    audit = AuditEvent.objects.get(action="supporter.availability")
    assert audit.actor == cast.supporter_a
    assert set(audit.detail["changed"]) == {"accepting_referrals", "caseload_cap"}
    cast.supporter_b_profile.refresh_from_db()
    assert cast.supporter_b_profile.caseload_cap == 3  # nobody else's


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"caseload_cap": "0"}, "caseload_cap", "from 1 to 50"),
        ({"caseload_cap": "51"}, "caseload_cap", "from 1 to 50"),
        ({"caseload_cap": "three"}, "caseload_cap", "from 1 to 50"),
        ({"caseload_cap": ""}, "caseload_cap", "how many open cases"),
        ({"accepting_referrals": ""}, "accepting_referrals", "taking new cases"),
        ({"accepting_referrals": "perhaps"}, "accepting_referrals", "taking new cases"),
    ],
)
def test_bad_availability_is_explained_and_nothing_changes(cast, change, field, message):
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


def test_time_away_takes_me_out_from_its_first_to_its_last_day(cast, referral):
    today = timezone.localdate()
    last = today + timedelta(days=2)
    _away(cast, today, last)
    assert _explanations(referral, cast.supporter_a_profile) == [
        f"Away {today:%Y-%m-%d} to {last:%Y-%m-%d}"
    ]
    on_last = referral_suggestions(referral=referral, on=last)
    assert cast.supporter_a_profile.pk not in {c.supporter.pk for c in on_last.eligible}
    # The day after it, they are offered again.
    suggestions = referral_suggestions(referral=referral, on=last + timedelta(days=1))
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
    today = timezone.localdate()
    back = today + timedelta(days=3)
    _save(cast, accepting_referrals="no", caseload_cap="2")
    _away(cast, today, back)
    _away(cast, today + timedelta(days=10), today + timedelta(days=12))
    page = cast.client("supporter_a").get(reverse("interactions:case_list")).content.decode()
    assert "Taking new cases: <strong>no</strong>" in page
    assert (
        f"away until {date_format(back, 'SHORT_DATE_FORMAT')}" in page
        and "at most 2 open cases" in page
    )


def test_time_away_still_to_come_is_not_said_as_now(cast):
    later = timezone.localdate() + timedelta(days=5)
    _away(cast, later, later)
    client = cast.client("supporter_a")
    assert "away until" not in client.get(reverse("interactions:case_list")).content.decode()
    assert "(away until" not in client.get(reverse("home_supporter")).content.decode()


# --- time away ---------------------------------------------------------------------------------


def _away(cast, starts_on: date, ends_on: date, member: str = "supporter_a"):
    data = {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()}
    return cast.client(member).post(AWAY_URL, data)


def _periods(supporter) -> list[tuple[date, date]]:
    return list(AwayPeriod.objects.filter(supporter=supporter).values_list("starts_on", "ends_on"))


def test_several_periods_away_future_ones_too_are_saved_and_audited(cast):
    today = timezone.localdate()
    now = (today, today + timedelta(days=1))
    later = (today + timedelta(days=30), today + timedelta(days=44))
    assert _away(cast, *later).status_code == 302
    assert _away(cast, *now).status_code == 302
    assert _periods(cast.supporter_a_profile) == [now, later]
    assert _periods(cast.supporter_b_profile) == []
    audits = AuditEvent.objects.filter(action="supporter.away_period_add").order_by("pk")
    assert [a.actor for a in audits] == [cast.supporter_a, cast.supporter_a]
    assert [a.object_id for a in audits] == [str(cast.supporter_a_profile.pk)] * 2
    assert [a.detail["away_period_id"] for a in audits] == list(
        AwayPeriod.objects.order_by("pk").values_list("pk", flat=True)
    )
    rows = cast.client("supporter_a").get(URL).context["away_periods"]
    assert [(p.starts_on, p.ends_on) for p in rows] == [now, later]


@pytest.mark.parametrize(
    ("starts", "ends", "field", "message"),
    [
        (5, 4, "ends_on", "The last day away cannot be before the first day."),
        (-1, 3, "starts_on", "That day has passed: start today or on a later day."),
        (12, 20, "starts_on", "These days overlap your time away"),
        (3, 10, "starts_on", "These days overlap your time away"),
        (10, 10, "starts_on", "These days overlap your time away"),
        (None, 3, "starts_on", "Enter the first day you are away."),
        ("soon", 3, "starts_on", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_a_bad_period_away_is_explained_and_nothing_changes(cast, starts, ends, field, message):
    today = timezone.localdate()
    taken = (today + timedelta(days=10), today + timedelta(days=14))
    services.supporter_away_period_add(
        actor=None, supporter=cast.supporter_a_profile, starts_on=taken[0], ends_on=taken[1]
    )
    data = {
        "starts_on": (today + timedelta(days=starts)).isoformat()
        if isinstance(starts, int)
        else starts or "",
        "ends_on": (today + timedelta(days=ends)).isoformat(),
    }
    response = cast.client("supporter_a").post(AWAY_URL, data)
    assert response.status_code == 400
    form = response.context["away_form"]
    assert any(error.startswith(message) for error in form.errors[field])
    assert response.context["sent_back"] is form
    assert _periods(cast.supporter_a_profile) == [taken]
    assert AuditEvent.objects.filter(action="supporter.away_period_add").count() == 1


def test_an_overlap_names_the_period_it_overlaps(cast):
    today = timezone.localdate()
    first, last = today + timedelta(days=10), today + timedelta(days=14)
    services.supporter_away_period_add(
        actor=None, supporter=cast.supporter_a_profile, starts_on=first, ends_on=last
    )
    with pytest.raises(services.CaseWorkError) as refused:
        services.supporter_away_period_add(
            actor=None, supporter=cast.supporter_a_profile, starts_on=last, ends_on=last
        )
    assert refused.value.errors == {
        "starts_on": f"These days overlap your time away {first:%Y-%m-%d} to {last:%Y-%m-%d}: "
        "remove that period first, or choose days outside it."
    }
    # Another supporter's period on the same days is theirs alone.
    services.supporter_away_period_add(
        actor=None, supporter=cast.supporter_b_profile, starts_on=first, ends_on=last
    )
    assert _periods(cast.supporter_b_profile) == [(first, last)]


def test_the_database_refuses_a_period_that_ends_before_it_starts(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        AwayPeriod.objects.create(
            supporter=cast.supporter_a_profile, starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1)
        )


def test_removing_time_away_offers_me_again_and_is_audited(cast, referral):
    today = timezone.localdate()
    _away(cast, today, today + timedelta(days=3))
    period = AwayPeriod.objects.get()
    assert cast.supporter_a_profile.pk not in _eligible_ids(referral)
    url = reverse("interactions:away_period_remove", args=[period.pk])
    assert cast.client("supporter_a").post(url).status_code == 302
    assert not AwayPeriod.objects.exists()
    assert cast.supporter_a_profile.pk in _eligible_ids(referral)
    audit = AuditEvent.objects.get(action="supporter.away_period_remove")
    assert (audit.actor, audit.detail) == (cast.supporter_a, {"away_period_id": period.pk})


def test_time_away_that_ended_is_kept_but_out_of_the_way(cast):
    today = timezone.localdate()
    ended = AwayPeriod.objects.create(
        supporter=cast.supporter_a_profile,
        starts_on=today - timedelta(days=9),
        ends_on=today - timedelta(days=2),
    )
    response = cast.client("supporter_a").get(URL)
    assert response.context["away_periods"] == []
    assert "No time away planned." in response.content.decode()
    url = reverse("interactions:away_period_remove", args=[ended.pk])
    assert cast.client("supporter_a").post(url).status_code == 404
    assert AwayPeriod.objects.filter(pk=ended.pk).exists()


def test_i_cannot_remove_another_supporter_s_time_away(cast):
    today = timezone.localdate()
    _away(cast, today, today, member="supporter_b")
    url = reverse("interactions:away_period_remove", args=[AwayPeriod.objects.get().pk])
    assert cast.client("supporter_a").post(url).status_code == 404
    assert _periods(cast.supporter_b_profile) == [(today, today)]


# --- contact hours -----------------------------------------------------------------------------


def _hours(cast, days, starts: str, ends: str, member: str = "supporter_a"):
    data = {"weekdays": [str(day) for day in days], "starts_at": starts, "ends_at": ends}
    return cast.client(member).post(HOURS_URL, data)


def _windows(supporter) -> list[tuple[int, time, time]]:
    return list(
        ContactWindow.objects.filter(supporter=supporter).values_list(
            "weekday", "starts_at", "ends_at"
        )
    )


def test_contact_hours_for_several_days_are_saved_audited_and_said_in_words(cast):
    assert _hours(cast, range(5), "08:00", "17:00").status_code == 302
    assert _hours(cast, [5], "10:00", "12:00").status_code == 302
    assert _hours(cast, [0], "18:30", "20:00").status_code == 302
    assert _windows(cast.supporter_a_profile) == [
        (0, time(8), time(17)),
        (0, time(18, 30), time(20)),
        *[(day, time(8), time(17)) for day in range(1, 5)],
        (5, time(10), time(12)),
    ]
    assert _windows(cast.supporter_b_profile) == []
    audit = AuditEvent.objects.filter(action="supporter.contact_windows_add").order_by("pk").first()
    assert audit is not None and audit.actor == cast.supporter_a
    assert len(audit.detail["contact_window_ids"]) == 5
    page = cast.client("supporter_a").get(URL).content.decode()
    assert (
        "You prefer contact Mon 08:00–17:00, 18:30–20:00; Tue–Fri 08:00–17:00; "
        "Sat 10:00–12:00." in page
    )


@pytest.mark.parametrize(
    ("days", "starts", "ends", "field", "message"),
    [
        ([2], "17:00", "09:00", "ends_at", "The end must be later than the start, the same day."),
        ([2], "09:00", "09:00", "ends_at", "The end must be later than the start, the same day."),
        ([1, 2], "16:00", "18:00", "starts_at", "These hours overlap hours you already set"),
        ([], "09:00", "10:00", "weekdays", "Choose at least one day."),
        (["7"], "09:00", "10:00", "weekdays", "Choose days of the week from the list."),
        ([3], "9 am", "10:00", "starts_at", "Enter a time as HH:MM"),
        ([3], "09:00", "", "ends_at", "Enter the time until which you can be contacted."),
    ],
)
def test_bad_contact_hours_are_explained_and_nothing_changes(
    cast, days, starts, ends, field, message
):
    services.supporter_contact_windows_add(
        actor=None,
        supporter=cast.supporter_a_profile,
        weekdays=[2],
        starts_at=time(8),
        ends_at=time(17),
    )
    response = _hours(cast, days, starts, ends)
    assert response.status_code == 400
    form = response.context["window_form"]
    assert any(error.startswith(message) for error in form.errors[field])
    assert _windows(cast.supporter_a_profile) == [(2, time(8), time(17))]
    assert AuditEvent.objects.filter(action="supporter.contact_windows_add").count() == 1


def test_an_overlap_of_hours_names_the_hours_it_overlaps(cast):
    supporter = cast.supporter_a_profile
    services.supporter_contact_windows_add(
        actor=None, supporter=supporter, weekdays=[0, 2], starts_at=time(8), ends_at=time(12)
    )
    with pytest.raises(services.CaseWorkError) as refused:
        services.supporter_contact_windows_add(
            actor=None, supporter=supporter, weekdays=[1, 2], starts_at=time(11), ends_at=time(13)
        )
    assert refused.value.errors == {
        "starts_at": "These hours overlap hours you already set (Wednesday 08:00–12:00): "
        "remove those first, or choose other hours."
    }
    # Hours that only touch are no overlap.
    services.supporter_contact_windows_add(
        actor=None, supporter=supporter, weekdays=[2], starts_at=time(12), ends_at=time(13)
    )
    assert len(_windows(supporter)) == 3


def test_removing_contact_hours_is_audited_and_only_my_own(cast):
    _hours(cast, [1], "08:00", "09:00")
    _hours(cast, [1], "08:00", "09:00", member="supporter_b")
    mine = ContactWindow.objects.get(supporter=cast.supporter_a_profile)
    theirs = ContactWindow.objects.get(supporter=cast.supporter_b_profile)
    client = cast.client("supporter_a")
    url = reverse("interactions:contact_window_remove", args=[theirs.pk])
    assert client.post(url).status_code == 404
    url = reverse("interactions:contact_window_remove", args=[mine.pk])
    assert client.post(url).status_code == 302
    assert list(ContactWindow.objects.all()) == [theirs]
    audit = AuditEvent.objects.get(action="supporter.contact_window_remove")
    assert (audit.actor, audit.detail) == (cast.supporter_a, {"contact_window_id": mine.pk})
