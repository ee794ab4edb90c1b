"""Retention: cases closed more than RETENTION_DAYS ago lose their notes, names, contact
details and referrer, each link to the supported physician becomes a keyed pseudonym, and every
report figure stays exactly the same."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from interactions import services, tasks
from interactions.models import (
    EventKind,
    Interaction,
    Notification,
    Referral,
    physician_pseudonym,
)
from post_program.celery import app as celery_app
from post_program.models import AuditEvent
from reporting.report import PROGRAM_SCOPE, ReAimReport, period_parse, scope_for
from tests.factories import PhysicianFactory

from .factories import interaction_logged, referral_new, trained

pytestmark = pytest.mark.django_db

NOTE = "Looked shaken after the code on ward 5."
FOLLOW_UP = "Text her on Sunday"
COLLEAGUE = "Dr. Fenella Unlisted"


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.RETENTION_DAYS = 90


def _case(cast, *, days_ago: int, supporter, physician=None, outcome="supported", **extra):
    """A case received `days_ago` days ago, worked and closed five days later."""
    received = timezone.now() - timedelta(days=days_ago)
    referral = referral_new(
        department=extra.pop("department", physician.department if physician else None),
        physician=physician,
        requester=cast.physician,
        note=NOTE,
        at=received,
        **extra,
    )
    services.referral_assign(
        actor=cast.coordinator,
        referral=referral,
        supporter=supporter,
        at=received + timedelta(hours=1),
        notify=True,
    )
    services.referral_accept(
        actor=None, referral=referral, supporter=supporter, at=received + timedelta(hours=2)
    )
    services.outreach_record(
        actor=None,
        referral=referral,
        supporter=supporter,
        attempted_at=received + timedelta(hours=3),
        method="phone",
        reached=True,
    )
    if outcome == "supported":
        for day, minutes, escalated in ((1, 55, False), (3, 70, True)):
            interaction_logged(
                supporter=supporter,
                referral=referral,
                occurred_on=timezone.localdate(received + timedelta(days=day)),
                duration_minutes=minutes,
                escalated=escalated,
                escalated_to="eap" if escalated else "",
                follow_up_planned=True,
                follow_up_note=FOLLOW_UP,
            )
    services.case_close(
        actor=None,
        referral=referral,
        supporter=supporter,
        outcome=outcome,
        at=received + timedelta(days=5),
    )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def history(cast):
    """Old cases (due for retention) and recent ones, sharing physicians, at both sites, with
    proactive interactions old and new, and one case still open."""
    trained(cast.supporter_a_profile, cast.supporter_b_profile, days_ago=400)
    a, b = cast.supporter_a_profile, cast.supporter_b_profile
    twice = PhysicianFactory(department=cast.department_a, name="Theodora Twice")
    once = PhysicianFactory(department=cast.department_c, name="Osric Once")
    south = PhysicianFactory(department=cast.department_b, name="Sabine South")
    old = [
        _case(cast, days_ago=200, supporter=a, physician=twice, referrer_may_be_named=True),
        _case(cast, days_ago=150, supporter=a, physician=once),
        _case(cast, days_ago=120, supporter=b, physician=south),
        _case(
            cast,
            days_ago=110,
            supporter=a,
            department=cast.department_c,
            named_colleague=COLLEAGUE,
        ),
        _case(
            cast,
            days_ago=100,
            supporter=a,
            physician=None,
            department=cast.department_a,
            named_colleague="Dr. Someone",
            outcome="declined",
        ),
    ]
    recent = [
        _case(cast, days_ago=30, supporter=a, physician=twice),
        _case(
            cast, days_ago=20, supporter=b, physician=PhysicianFactory(department=cast.department_b)
        ),
    ]
    still_open = referral_new(
        department=cast.department_a,
        requester=cast.physician,
        note=NOTE,
        at=timezone.now() - timedelta(days=300),
    )
    old_proactive = interaction_logged(
        supporter=a,
        physician=twice,
        occurred_on=timezone.localdate() - timedelta(days=180),
        follow_up_note=FOLLOW_UP,
    )
    new_proactive = interaction_logged(
        supporter=b,
        physician=south,
        occurred_on=timezone.localdate() - timedelta(days=10),
        follow_up_note=FOLLOW_UP,
    )
    interaction_logged(
        supporter=b,
        department=cast.department_b,
        occurred_on=timezone.localdate() - timedelta(days=95),
        successful=False,
        duration_minutes=0,
        topics=[],
    )
    return {
        "old": old,
        "recent": recent,
        "open": still_open,
        "twice": twice,
        "old_proactive": old_proactive,
        "new_proactive": new_proactive,
    }


def _unique_supported() -> int:
    return Interaction.objects.filter(successful=True).aggregate(
        n=Count("physician_pseudonym", filter=~Q(physician_pseudonym=""), distinct=True)
    )["n"]


def _reports(cast) -> dict:
    today = timezone.localdate()
    periods = [
        (today - timedelta(days=365), today),
        (today - timedelta(days=90), today),
        (today - timedelta(days=210), today - timedelta(days=95)),
        (date(2020, 1, 1), today),
    ]
    scopes = {
        "program": PROGRAM_SCOPE,
        "north": scope_for(site=cast.north),
        "south": scope_for(site=cast.south),
        "a": scope_for(departments=[cast.department_a]),
        "a+c": scope_for(departments=[cast.department_a, cast.department_c]),
    }
    figures = {}
    for start, end in periods:
        for name, scope in scopes.items():
            for threshold in (None, 11):
                report = ReAimReport(
                    period=period_parse(start, end), scope=scope, threshold=threshold
                )
                data = dict(report.data)
                data.pop("generated_at")
                figures[(start, end, name, threshold)] = data
    return figures


# --- what is removed, what stays ---------------------------------------------------------------


def test_every_report_figure_is_the_same_before_and_after(cast, history):
    before = _reports(cast)
    everything = before[(date(2020, 1, 1), timezone.localdate(), "program", None)]
    assert everything["implementation"]["referrals"]["received"] == 8  # something to compare
    unique_before = _unique_supported()
    result = services.retention_purge()
    assert result.referrals == len(history["old"])
    assert _reports(cast) == before
    assert _unique_supported() == unique_before == 4  # twice, once, south, and the recent one


def test_old_cases_lose_notes_names_contact_details_and_referrer(cast, history):
    services.retention_purge()
    for referral in history["old"]:
        physician_id = referral.physician.physician_id if referral.physician_id else None
        referral.refresh_from_db()
        assert referral.deidentified_at is not None
        assert referral.physician is None and referral.referrer is None
        assert referral.note == "" and referral.named_colleague == ""
        assert referral.physician_pseudonym == (
            physician_pseudonym(physician_id) if physician_id else ""
        )
        requester_events = referral.events.filter(kind=EventKind.RECEIVED)
        assert not requester_events.filter(actor__isnull=False).exists()
        assert not Notification.objects.filter(referral=referral).exclude(to_email="").exists()
        # What reports count is untouched.
        assert referral.outcome and referral.first_contact_at and referral.department_id
        for interaction in referral.interactions.all():
            assert interaction.physician is None and interaction.follow_up_note == ""
            assert interaction.deidentified_at is not None
            assert interaction.follow_up_planned  # the structured fact stays


def test_recent_and_open_cases_are_left_alone(cast, history):
    services.retention_purge()
    for referral in [*history["recent"], history["open"]]:
        before_physician = referral.physician_id
        referral.refresh_from_db()
        assert referral.deidentified_at is None
        assert referral.physician_id == before_physician and referral.note == NOTE
        assert referral.referrer == cast.physician
    assert history["open"].is_open
    new = Interaction.objects.get(pk=history["new_proactive"].pk)
    assert new.physician is not None and new.follow_up_note == FOLLOW_UP


def test_old_proactive_interactions_are_de_identified_too(cast, history):
    services.retention_purge()
    old = Interaction.objects.get(pk=history["old_proactive"].pk)
    assert old.physician is None and old.follow_up_note == ""
    assert old.physician_pseudonym == physician_pseudonym(history["twice"].physician_id)


def test_one_physician_keeps_one_pseudonym_across_referrals_and_interactions(cast, history):
    services.retention_purge()
    twice = physician_pseudonym(history["twice"].physician_id)
    first = Referral.objects.get(pk=history["old"][0].pk)
    assert first.physician_pseudonym == twice
    linked_later = Interaction.objects.filter(referral=history["recent"][0])
    assert {i.physician_pseudonym for i in linked_later} == {twice}
    assert set(
        Interaction.objects.filter(referral=first).values_list("physician_pseudonym", flat=True)
    ) == {twice}


def test_the_pseudonym_is_keyed(cast, settings):
    physician = PhysicianFactory(department=cast.department_a)
    first = physician_pseudonym(physician.physician_id)
    assert len(first) == 64 and physician.physician_id not in first
    settings.PSEUDONYM_KEY = "another-key"
    assert physician_pseudonym(physician.physician_id) != first


def test_names_and_notes_are_nowhere_on_the_pages_after_retention(cast, history):
    services.retention_purge()
    referral = history["old"][3]
    page = cast.client("coordinator").get(
        reverse("interactions:referral_detail", args=[referral.pk])
    )
    text = page.content.decode()
    assert "De-identified after retention" in text
    assert COLLEAGUE not in text and NOTE not in text
    listed = cast.client("supporter_a").get(reverse("interactions:interaction_list"))
    text = listed.content.decode()
    assert "De-identified after retention" in text
    assert "Osric Once" not in text  # only supported in a case now de-identified
    notes = [i.follow_up_note for i in listed.context["page"] if i.deidentified_at]
    assert notes and not any(notes)


def test_running_again_finds_nothing_and_the_audit_trail_only_forgets_requesters(cast, history):
    audit_before = list(AuditEvent.objects.order_by("pk").values())
    first = services.retention_purge()
    assert first.referrals == 5 and first.interactions == 10
    audit_after = list(AuditEvent.objects.order_by("pk").values())
    # Existing rows keep everything; only the requester's requests of old cases lose him.
    old_cases = {str(r.pk) for r in history["old"]}
    assert audit_after[: len(audit_before)] == [
        {**row, "actor_id": None}
        if row["action"] == "referral.request" and row["object_id"] in old_cases
        else row
        for row in audit_before
    ]
    assert first.audit_actors == len(old_cases)
    added = audit_after[len(audit_before) :]
    assert {row["action"] for row in added} == {"retention.purge", "audit.actor_forget"}
    purged_ids = {r.referral_id for r in history["old"]}
    assert set().union(*(set(row["detail"].get("referral_ids", [])) for row in added)) == purged_ids
    second = services.retention_purge()
    assert (second.referrals, second.interactions) == (0, 0)
    assert AuditEvent.objects.count() == len(audit_after)


def test_small_batches_purge_the_same(cast, history):
    before = _unique_supported()
    result = services.retention_purge(batch_size=2)
    assert result.referrals == 5
    assert not Referral.objects.filter(
        status="closed",
        closed_at__lt=services.retention_cutoff(),
        deidentified_at__isnull=True,
    ).exists()
    assert _unique_supported() == before


# --- the command and the daily job -------------------------------------------------------------


def test_the_command_says_what_it_de_identified(cast, history):
    dry = StringIO()
    call_command("purge_expired", "--dry-run", stdout=dry)
    assert "5 case(s) and 2 interaction(s) without a referral" in dry.getvalue()
    assert not Referral.objects.filter(deidentified_at__isnull=False).exists()
    out = StringIO()
    call_command("purge_expired", stdout=out)
    text = out.getvalue()
    assert "(retention: 90 days)" in text
    for line in (
        "5 case(s) de-identified",
        "10 interaction(s) de-identified",
        "10 link(s) to the supported physician replaced by a pseudonym",
        "2 colleague name(s) removed",
        "5 referrer link(s) removed",
        "5 referral note(s) removed",
        "9 follow-up note(s) removed",
    ):
        assert line in text, line
    for secret in (NOTE, COLLEAGUE, FOLLOW_UP, "Theodora"):
        assert secret not in text
    again = StringIO()
    call_command("purge_expired", stdout=again)
    assert "Nothing to de-identify" in again.getvalue()


def test_the_retention_days_setting_decides(cast, history, settings):
    settings.RETENTION_DAYS = 365
    assert services.retention_purge().referrals == 0
    settings.RETENTION_DAYS = 10
    assert services.retention_purge().referrals == 7


def test_a_daily_job_runs_the_purge(cast, history):
    (entry,) = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "interactions.tasks.retention_purge"
    ]
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {15}
    counts = tasks.retention_purge.delay().get()
    assert counts["referrals"] == 5
