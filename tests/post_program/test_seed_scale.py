"""`seed_scale`: a program of the requested size whose every row keeps the app's rules."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from datetime import date
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from interactions.models import (
    Assignment,
    Interaction,
    InteractionSource,
    Referral,
    Status,
    first_contact_deadline,
    physician_pseudonym,
)
from interactions.services import interaction_errors
from post_program.demo import DEMO_PASSWORD
from post_program.models import Department, PeerSupporter, Physician, RoleAssignment, Site, User
from post_program.scale import ACCOUNTS, L
from reporting.report import ReAimReport, period_parse
from surveys.models import Answer, Response
from surveys.services import EVENT_SURVEYS, answer_columns
from training.models import CourseKind, TrainingCompletion

END = date(2026, 6, 30)
START = date(2025, 7, 1)  # one year, so that the last cases are still open
SIZES = {
    "sites": 2,
    "departments": 8,
    "physicians": 400,
    "supporters": 16,
    "interactions": 900,
    "referrals": 300,
    "responses": 160,
}


def seed_scale(*extra: str) -> str:
    out = StringIO()
    call_command("seed_scale", "--end", END.isoformat(), *extra, stdout=out)
    return out.getvalue()


def sized() -> list[str]:
    sizes = [arg for name, value in SIZES.items() for arg in (f"--{name}", str(value))]
    return [*sizes, "--years", "1"]


@pytest.fixture
def seeded(db):
    # Nothing cached: a seeder that read the program's settings while its rows are written
    # would query in the middle of a COPY (where PostgreSQL waits for ever).
    cache.clear()
    return seed_scale(*sized())


def test_drawing_rows_may_not_query(db):
    from post_program.scale import ScaleContext, write

    def rows():
        yield (Site.objects.count() + 1, "Queried")

    with (
        pytest.raises(RuntimeError, match="drawing the rows of Site queried the database"),
        transaction.atomic(),
    ):
        write(ScaleContext.__new__(ScaleContext), Site, ["id", "name"], rows())
    assert not Site.objects.filter(name="Queried").exists()


def test_the_program_has_the_requested_size(seeded):
    assert {
        "sites": Site.objects.count(),
        "departments": Department.objects.count(),
        "physicians": Physician.objects.count(),
        "supporters": PeerSupporter.objects.count(),
        "interactions": Interaction.objects.count(),
        "referrals": Referral.objects.count(),
        "responses": Response.objects.count(),
    } == SIZES
    assert "interactions_interaction" in seeded and "director@scale.example.org" in seeded


def test_rows_added_later_get_fresh_ids(seeded):
    """The rows were written with their ids: the sequences moved past them."""
    site = Site.objects.create(name="Added later")
    department = Department.objects.create(site=site, name="Added later")
    physician = Physician.objects.create(physician_id="LATER", department=department)
    assert physician.pk > SIZES["physicians"]
    now = timezone.now()
    referral = Referral.objects.create(
        source="self",
        department=department,
        physician=physician,
        reason="other",
        received_at=now,
        first_contact_due_at=first_contact_deadline(now),
    )
    assert referral.pk > SIZES["referrals"]


def test_departments_launch_at_different_times_and_physicians_come_and_go(seeded):
    launches = set(Department.objects.values_list("launched_on", flat=True))
    assert len(launches) > 2
    assert Physician.objects.filter(started_on__isnull=False).exists()
    assert Physician.objects.filter(ended_on__isnull=False).exists()


def test_interactions_keep_the_rules_of_the_app(seeded):
    supporters = {s.pk: s for s in PeerSupporter.objects.select_related("physician")}
    physicians = {p.pk: p for p in Physician.objects.all()}
    departments = {d.pk: d for d in Department.objects.all()}
    referrals = {r.pk: r for r in Referral.objects.all()}
    sources = Counter()
    for interaction in Interaction.objects.all():
        supporter = supporters[interaction.supporter_id]
        department = departments[interaction.department_id]
        day = interaction.occurred_on
        assert department.is_adopted_on(day) and day < END, interaction
        assert supporter.activated_on <= day
        physician = physicians.get(interaction.physician_id)
        if physician is not None:
            assert physician.department_id == department.pk
            assert interaction.physician_pseudonym == physician_pseudonym(physician.physician_id)
            assert (physician.started_on or day) <= day <= (physician.ended_on or day)
        else:
            assert interaction.physician_pseudonym == ""
        referral = referrals.get(interaction.referral_id)
        if referral is not None:
            assert referral.source == interaction.source
            assert referral.department_id == department.pk
            assert referral.physician_id == interaction.physician_id
            assert referral.first_contact_at is not None
        else:
            assert interaction.source == InteractionSource.PROACTIVE
        assert not interaction_errors(
            supporter=supporter,
            occurred_on=day,
            duration_minutes=interaction.duration_minutes,
            successful=interaction.successful,
            escalated=interaction.escalated,
            escalated_to=interaction.escalated_to,
            topics=interaction.topics,
            modality=interaction.modality,
            referral=referral,
            physician=physician,
            today=END,
        )
        sources[interaction.source] += 1
    assert set(sources) == set(InteractionSource.values)
    successful = Interaction.objects.filter(successful=True)
    assert successful.count() > 0.8 * Interaction.objects.count()
    assert successful.filter(escalated=True).exists()
    durations = sorted(successful.values_list("duration_minutes", flat=True))
    assert 45 <= durations[len(durations) // 2] <= 75


def test_referrals_run_their_life_cycle_up_to_the_end(seeded):
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] > 0.9 * Referral.objects.count()
    assert set(statuses) > {Status.CLOSED, Status.CONTACTED}
    within_a_day = 0
    for referral in Referral.objects.all():
        assert START <= referral.received_at.date() < END
        if referral.first_contact_at is not None:
            assert referral.first_contact_at >= referral.received_at
            within_a_day += referral.first_contact_at <= referral.first_contact_due_at
        if referral.is_open and referral.status != Status.NEW:
            assert referral.assigned_to_id is not None
    assert within_a_day > 0.7 * Referral.objects.exclude(first_contact_at=None).count()
    waiting = Referral.objects.filter(status__in=[Status.ASSIGNED, Status.ACCEPTED])
    assert Assignment.objects.filter(referral__in=waiting).count() == waiting.count()


def test_survey_answers_fit_their_questions(seeded):
    for response in Response.objects.select_related("version__instrument"):
        assert response.submitted_on.day == 1
        survey = response.version.instrument.code
        assert (response.department_id is None) == (survey in EVENT_SURVEYS)
        answers = {a.question_id: a for a in response.answers.all()}
        questions = list(response.version.questions.all())
        assert set(answers) == {q.pk for q in questions}
        for question in questions:
            answer = answers[question.pk]
            value = answer.value_bool if answer.value_bool is not None else answer.value_int
            columns = answer_columns(question, value)
            assert columns == {k: getattr(answer, k) for k in columns}
    surveys = set(Response.objects.values_list("version__instrument__code", flat=True))
    assert surveys == {"program_evaluation", "recipient_feedback", "supporter_training"}
    assert Answer.objects.count() > 3 * Response.objects.count()


def test_every_supporter_was_trained_before_activation(seeded):
    first = {
        c.physician_id: c.completed_on
        for c in TrainingCompletion.objects.filter(course=CourseKind.INITIAL)
    }
    for supporter in PeerSupporter.objects.all():
        assert first[supporter.physician_id] < supporter.activated_on


def test_the_sign_in_accounts_hold_their_roles(seeded):
    for _, email, _ in ACCOUNTS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    assert User.objects.count() == len(ACCOUNTS)
    roles = set(RoleAssignment.objects.values_list("user__email", "role"))
    assert roles == {
        ("director@scale.example.org", "director"),
        ("coordinator@scale.example.org", "coordinator"),
        ("lead@scale.example.org", "lead"),
    }
    supporter = User.objects.get(email="supporter@scale.example.org")
    assert PeerSupporter.objects.filter(physician__user=supporter).exists()


def test_the_report_of_the_program_builds(seeded):
    data = ReAimReport(period=period_parse(START, END)).data
    successful = Interaction.objects.filter(successful=True).count()
    assert data["reach"]["successful_interactions"] == successful > 0
    assert data["implementation"]["referrals"]["received"] == SIZES["referrals"]
    assert data["adoption"]["departments_adopted"] > 0


def test_a_database_holding_a_program_is_refused(seeded):
    with pytest.raises(CommandError, match="already holds a program"):
        seed_scale(*sized())


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--scale", "0"), "--scale must be above 0"),
        (("--years", "0"), "--years at least 1"),
        (("--physicians", "-5"), "cannot be negative"),
        (("--end", "1902-06-30"), "the program's dates lie within 1900-01-01 and 2999-12-31"),
    ],
)
def test_bad_options_are_refused_and_write_nothing(db, arguments, message):
    with pytest.raises(CommandError, match=message):
        seed_scale("--scale", "0.001", *arguments)
    assert not Site.objects.exists()
    assert not Physician.objects.exists()


def test_scale_is_a_fraction_of_l(db):
    seed_scale("--scale", "0.001")
    expected = L.scaled(0.001)
    assert asdict(expected) == {
        "sites": 1,
        "departments": 1,
        "physicians": 100,
        "supporters": 4,
        "interactions": 1000,
        "referrals": 300,
        "responses": 100,
    }
    assert Physician.objects.count() == expected.physicians
    assert Interaction.objects.count() == expected.interactions
    assert Referral.objects.count() == expected.referrals
    # Five years: the first supporters renewed their training.
    assert TrainingCompletion.objects.filter(course=CourseKind.REFRESHER).exists()


def _fingerprint() -> dict[str, list]:
    return {
        "physicians": list(
            Physician.objects.order_by("physician_id").values_list(
                "physician_id", "name", "department__name", "started_on", "ended_on"
            )
        ),
        "referrals": list(
            Referral.objects.order_by("referral_id").values_list(
                "referral_id", "received_at", "status", "outcome", "physician__physician_id"
            )
        ),
        "interactions": list(
            Interaction.objects.order_by("interaction_id").values_list(
                "interaction_id", "occurred_on", "duration_minutes", "physician_pseudonym"
            )
        ),
        "responses": list(
            Response.objects.order_by("public_id").values_list("public_id", "submitted_on", "score")
        ),
    }


def test_the_same_seed_builds_the_same_program(transactional_db):
    seed_scale("--scale", "0.001", "--seed", "7")
    first = _fingerprint()
    call_command("flush", "--no-input", verbosity=0)
    seed_scale("--scale", "0.001", "--seed", "7")
    assert _fingerprint() == first
    call_command("flush", "--no-input", verbosity=0)
    seed_scale("--scale", "0.001", "--seed", "8")
    assert _fingerprint()["interactions"] != first["interactions"]
