"""The demo holds referrals in every status, outcome and source, made through the services, and
three years of interactions consistent with its referrals and supporters."""

from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Min
from django.utils import timezone

from interactions import services
from interactions.models import (
    AssignmentState,
    EventKind,
    Interaction,
    InteractionSource,
    Notification,
    Outcome,
    Referral,
    Reminder,
    Source,
    Status,
    Urgency,
    physician_pseudonym,
)
from interactions.selectors import debrief_offer, on_call_at, supporter_loads
from post_program.models import Physician, User
from training.models import TrainingCompletion
from training.selectors import current_cutoff


def _counts(field: str) -> dict[str, int]:
    return dict(Referral.objects.values_list(field).annotate(n=Count("pk")))


def test_every_status_outcome_and_source_is_there(demo_program):
    assert set(_counts("status")) == set(Status.values)
    outcomes = _counts("outcome")
    assert set(outcomes) - {""} == set(Outcome.values)
    assert outcomes[Outcome.SUPPORTED] > sum(
        n for outcome, n in outcomes.items() if outcome not in ("", Outcome.SUPPORTED)
    )
    assert set(_counts("source")) == set(Source.values)


def test_the_coordinator_s_queue_has_urgent_overdue_and_unlisted_colleagues(demo_program):
    coordinator = User.objects.get(email="coordinator@example.org")
    site_id = coordinator.role_assignments.get().site_id
    queue = Referral.objects.open().filter(department__site_id=site_id)
    assert queue.filter(urgency=Urgency.SAFETY).exists()
    assert queue.filter(physician__isnull=True).exclude(named_colleague="").exists()
    assert any(referral.is_overdue for referral in queue)
    assert queue.filter(source=Source.EVENT, status=Status.NEW).count() == 2


def test_the_demo_people_have_something_to_see(demo_program):
    supporter = Physician.objects.get(physician_id="DEMO-SUPPORTER").supporter
    held = set(Referral.objects.filter(assigned_to=supporter).values_list("status", flat=True))
    assert {Status.ASSIGNED, Status.ACCEPTED, Status.CLOSED} <= held
    physician = User.objects.get(email="physician@example.org")
    mine = Referral.objects.filter(referrer=physician)
    assert mine.filter(source=Source.SELF).exists() and mine.open().exists()


def test_the_history_is_complete_and_loading_sent_nothing(demo_program):
    declined = Referral.objects.filter(assignments__state=AssignmentState.DECLINED)
    assert declined.exists()
    for referral in Referral.objects.prefetch_related("events"):
        kinds = [event.kind for event in referral.events.all()]
        assert kinds[0] == EventKind.RECEIVED
        assert referral.events.all()[len(kinds) - 1].to_status == referral.status
    assert not Notification.objects.exists()
    assert not Reminder.objects.exists()
    assert Referral.objects.values("referral_id").distinct().count() == Referral.objects.count()


# --- the interaction log -----------------------------------------------------------------------


def test_three_years_of_interactions_shaped_like_the_reference_program(demo_program):
    successful = Interaction.objects.filter(successful=True)
    assert 250 <= successful.count() <= 380  # the reference program: 306 in three years
    minutes = sorted(successful.values_list("duration_minutes", flat=True))
    assert 50 <= statistics.median(minutes) <= 70
    escalated = successful.filter(escalated=True).count() / successful.count()
    assert 0.05 <= escalated <= 0.2
    assert Interaction.objects.filter(successful=False).exists()
    assert set(successful.values_list("source", flat=True)) == set(InteractionSource.values)
    days = successful.aggregate(first=Min("occurred_on"), last=Max("occurred_on"))
    assert days["first"] < date(2023, 12, 31) and days["last"] > date(2026, 5, 31)


def test_every_demo_interaction_meets_the_rules_and_its_case(demo_program):
    today = date(2026, 6, 30)
    completions: dict[int, list[date]] = {}
    for physician_id, completed_on in TrainingCompletion.objects.values_list(
        "physician_id", "completed_on"
    ):
        completions.setdefault(physician_id, []).append(completed_on)
    for interaction in Interaction.objects.select_related(
        "supporter__physician", "referral", "physician"
    ):
        assert not services.interaction_errors(
            supporter=interaction.supporter,
            occurred_on=interaction.occurred_on,
            duration_minutes=interaction.duration_minutes,
            successful=interaction.successful,
            escalated=interaction.escalated,
            escalated_to=interaction.escalated_to,
            topics=interaction.topics,
            modality=interaction.modality,
            referral=interaction.referral,
            physician=interaction.physician,
            today=today,
        )
        supporter = interaction.supporter
        day = interaction.occurred_on
        assert supporter.activated_on <= day
        # Training current that day: some course in the REFRESHER_MONTHS up to it.
        cutoff = current_cutoff(day)
        assert any(cutoff <= c <= day for c in completions[supporter.physician_id])
        if interaction.physician_id:
            assert interaction.physician_pseudonym == physician_pseudonym(
                interaction.physician.physician_id
            )
        referral = interaction.referral
        if referral is not None:
            assert referral.assigned_to_id == supporter.pk
            assert interaction.source == referral.source
            assert interaction.department_id == referral.department_id
            assert interaction.physician_id == referral.physician_id
            assert referral.first_contact_at is not None
            assert timezone.localdate(referral.first_contact_at) <= day
            if referral.closed_at:
                assert day <= timezone.localdate(referral.closed_at)


def test_cases_are_worked_as_the_pages_would_record_them(demo_program):
    supported = Referral.objects.filter(outcome__in=[Outcome.SUPPORTED, Outcome.REFERRED_OUT])
    assert not supported.exclude(interactions__successful=True).exists()
    referred_out = Referral.objects.filter(outcome=Outcome.REFERRED_OUT)
    assert referred_out.exists()
    assert not referred_out.exclude(interactions__escalated=True).exists()
    for referral in Referral.objects.filter(first_contact_at__isnull=False):
        first_reached = referral.outreach_attempts.filter(reached=True).order_by("attempted_at")
        assert first_reached.first().attempted_at == referral.first_contact_at
    unreachable = Referral.objects.filter(outcome=Outcome.UNREACHABLE)
    assert unreachable.exists()
    for referral in unreachable:
        assert referral.outreach_attempts.exists()
        assert not referral.outreach_attempts.filter(reached=True).exists()


def test_most_proactive_interactions_are_in_adopting_departments_while_adopted(demo_program):
    proactive = Interaction.objects.filter(source=InteractionSource.PROACTIVE).select_related(
        "department"
    )
    inside = [i for i in proactive if i.department.is_adopted_on(i.occurred_on)]
    assert len(inside) / proactive.count() >= 0.9
    assert proactive.filter(physician__isnull=False).count() > proactive.count() / 2


def test_the_demo_supporter_has_a_recent_load_and_is_offered_a_debrief(demo_program):
    supporter = Physician.objects.get(physician_id="DEMO-SUPPORTER").supporter
    load = supporter_loads(supporter_ids=[supporter.pk], today=date(2026, 6, 30))[supporter.pk]
    assert load.conversations_30 >= 2 and load.escalations_30 >= 1
    assert debrief_offer(supporter=supporter, today=date(2026, 6, 30)) == "escalation"


def test_someone_is_on_call_at_the_coordinator_s_site_at_every_hour_of_the_week(demo_program):
    """The urgent path can be tried in the demo: the coordinator is first call in weekdays'
    working hours, the demo supporter (a volunteer of the same site) at other times."""
    coordinator = User.objects.get(email="coordinator@example.org")
    supporter = User.objects.get(email="supporter@example.org")
    (site_id,) = coordinator.role_assignments.values_list("site_id", flat=True)
    monday = datetime(2026, 6, 29, tzinfo=timezone.get_current_timezone())
    first_calls = {}
    for hour in range(7 * 24):
        at = monday + timedelta(hours=hour, minutes=30)
        on_call = on_call_at(site_id=site_id, at=at)
        assert on_call, at
        first_calls[(at.weekday(), at.hour)] = on_call[0]
    assert first_calls[(0, 9)] == coordinator.pk
    assert first_calls[(0, 20)] == supporter.pk
    assert first_calls[(5, 9)] == supporter.pk
