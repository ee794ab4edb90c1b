"""Training as a new user meets it, in Chromium: the director schedules a session, a lead
signs up two physicians, the facilitator records that one completed, a coordinator activates
them, and the referral suggestions offer the new supporter but not the one whose refresher
lapsed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from post_program.models import PeerSupporter, RoleAssignment
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    PeerSupporterFactory,
    PhysicianFactory,
    RoleAssignmentFactory,
    SiteFactory,
    UserFactory,
)
from tests.training.factories import CourseFactory, TrainingCompletionFactory
from training.models import CourseKind, TrainingSession
from training.selectors import supporters_training_current

from .conftest import signed_in


@pytest.fixture
def program(transactional_db, settings):
    settings.REFRESHER_MONTHS = 24
    settings.AUTO_ACTIVATE_SUPPORTERS = False
    north = SiteFactory(name="North Hospital")
    emergency = DepartmentFactory(site=north, name="Emergency Medicine")
    people = {}
    for role, extra in (
        ("director", {"role": RoleAssignment.Role.DIRECTOR}),
        ("coordinator", {"role": RoleAssignment.Role.COORDINATOR, "site": north}),
        ("lead", {"role": RoleAssignment.Role.LEAD, "department": emergency}),
    ):
        people[role] = UserFactory(email=f"{role}@example.org", name=f"{role.title()} Person")
        RoleAssignmentFactory(user=people[role], **extra)
    CourseFactory(name="Peer supporter initial training", kind=CourseKind.INITIAL)
    newcomer = PhysicianFactory(department=emergency, name="Nadia Newcomer")
    # A supporter trained three years ago who never took a refresher.
    lapsed = PeerSupporterFactory(
        physician__department=emergency,
        physician__name="Larry Lapsed",
        activated_on=timezone.localdate() - timedelta(days=3 * 365),
    )
    TrainingCompletionFactory(
        physician=lapsed.physician,
        course=CourseKind.INITIAL,
        completed_on=timezone.localdate() - timedelta(days=3 * 365 + 20),
    )
    rita = UserFactory(email="rita@example.org", name="Rita Requester")
    requester = PhysicianFactory(department=emergency, name=rita.name, email=rita.email, user=rita)
    colleague = PhysicianFactory(department=emergency, name="Colin Colleague")
    return {
        **people,
        "department": emergency,
        "newcomer": newcomer,
        "lapsed": lapsed,
        "requester": requester,
        "colleague": colleague,
    }


def _as(browser, live_server, user):
    return signed_in(browser, live_server, user, PASSWORD)


def _schedule_initial_training(page) -> None:
    """Fill the session form in for a week from now, and save."""
    starts = timezone.localtime() + timedelta(days=7)
    page.get_by_label("Course").select_option(label="Peer supporter initial training")
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT09:00"))
    page.get_by_label("Ends").fill(starts.strftime("%Y-%m-%dT17:00"))
    page.get_by_label("Location").fill("North Hospital, room 2")
    page.get_by_label("Facilitator").select_option(label="Director Person (director@example.org)")
    page.get_by_label("Capacity").fill("8")
    page.get_by_role("button", name="Save session").click()


def test_schedule_sign_up_complete_activate_and_the_gate(browser, live_server, program):
    # 1. The director schedules a session from the training calendar.
    context, page = _as(browser, live_server, program["director"])
    page.goto("/training/")
    page.get_by_role("link", name="Schedule a session").click()
    _schedule_initial_training(page)
    page.wait_for_load_state()
    assert page.get_by_text("The session is on the calendar.").is_visible()
    session = TrainingSession.objects.get()
    assert page.url.endswith(f"/training/sessions/{session.pk}/")
    context.close()

    # 2. The lead finds it on the calendar and signs up two physicians of the department.
    context, page = _as(browser, live_server, program["lead"])
    page.goto("/training/")
    page.get_by_role("link", name="Peer supporter initial training").click()
    for physician in (program["newcomer"], program["lapsed"].physician):
        page.get_by_role("combobox", name="Physician").select_option(value=physician.physician_id)
        page.get_by_role("button", name="Sign up").click()
        page.wait_for_load_state()
        assert page.get_by_text(f"{physician.name} is signed up.").is_visible()
    table = page.get_by_role("table", name="Sign-ups you may see")
    assert table.get_by_role("row", name="Nadia Newcomer").is_visible()
    assert table.get_by_role("row", name="Larry Lapsed").is_visible()
    context.close()

    # The day of the session comes (the clock moves on).
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=8),
        ends_at=timezone.now() - timedelta(hours=1),
    )

    # 3. The facilitator records that Nadia completed and Larry did not come.
    context, page = _as(browser, live_server, program["director"])
    page.goto(f"/training/sessions/{session.pk}/")
    page.get_by_role("link", name="Attendance and completion").click()
    page.get_by_label("Attendance of Nadia Newcomer").select_option(label="Completed")
    page.get_by_label("Attendance of Larry Lapsed").select_option(label="Absent")
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 completion recorded").is_visible()
    context.close()

    # 4. The coordinator of the site activates the newly trained physician.
    context, page = _as(browser, live_server, program["coordinator"])
    page.goto("/training/status/")
    ready = page.get_by_role("row", name="Nadia Newcomer")
    ready.get_by_role("button", name="Activate Nadia Newcomer as a supporter").click()
    page.wait_for_load_state()
    assert page.get_by_text("Nadia Newcomer is now an active peer supporter.").is_visible()
    lapsed_row = page.get_by_role("row", name="Larry Lapsed")
    assert lapsed_row.get_by_role("cell", name=re.compile(r"^Lapsed after")).is_visible()

    # 5. The gate: current training for Nadia, not for Larry.
    newcomer = PeerSupporter.objects.get(physician=program["newcomer"])
    current = supporters_training_current(PeerSupporter.objects.all(), on=timezone.localdate())
    assert list(current) == [newcomer]

    # ... and in the referral suggestions the coordinator sees for a colleague's referral.
    from interactions.models import Reason, Source
    from interactions.services import referral_request

    referral = referral_request(
        requester=program["requester"].user,
        source=Source.THIRD_PARTY,
        department=program["department"],
        physician=program["colleague"],
        reason=Reason.ADVERSE_EVENT,
        notify=False,
    ).referral
    page.goto(f"/referrals/{referral.pk}/")
    suggestions = page.get_by_role("table", name="who pass every rule")
    assert suggestions.get_by_text("Nadia Newcomer").is_visible()
    assert suggestions.get_by_text("Larry Lapsed").count() == 0
    page.get_by_text("Not suggested").click()
    assert page.get_by_text("Training lapsed after").is_visible()
    context.close()


def test_the_director_signs_up_by_name_and_the_session_form_summarises_its_errors(
    browser, live_server, program, monkeypatch
):
    from training import forms as training_forms

    # The director's roster is long: the sign-up asks for a name, not an ID.
    monkeypatch.setattr(training_forms, "SELECT_LIMIT", 1)
    context, page = _as(browser, live_server, program["director"])
    page.goto("/training/sessions/new/")
    # Sent empty, the form says what is missing in a summary (focused) and next to each field,
    # without the browser's own bubbles.
    page.get_by_role("button", name="Save session").click()
    summary = page.locator("#error-summary")
    # Focused by its script once the page has loaded: wait for that, rather than race it.
    expect(summary).to_be_focused(timeout=5_000)
    assert "Please check" in summary.inner_text()
    summary.get_by_role("link", name="Course").click()
    assert page.locator("#div_id_course").get_by_text("This field is required.").is_visible()
    _schedule_initial_training(page)
    assert page.get_by_text("The session is on the calendar.").is_visible()

    newcomer = program["newcomer"]
    page.get_by_label("Find a physician by name").fill("nadia")
    page.get_by_role("button", name="Find").click()
    physician = page.get_by_role("combobox", name="Physician")
    assert physician.locator("option", has_text="Larry Lapsed").count() == 0
    physician.select_option(value=newcomer.physician_id)
    page.get_by_role("button", name="Sign up").click()
    assert page.get_by_text("Nadia Newcomer is signed up.").is_visible()
    assert "nadia" not in page.url.lower()
    context.close()


def test_the_director_records_a_completion_for_a_physician_found_by_name(
    browser, live_server, program, monkeypatch
):
    from training import forms as training_forms
    from training.models import TrainingCompletion

    monkeypatch.setattr(training_forms, "SELECT_LIMIT", 1)
    context, page = _as(browser, live_server, program["director"])
    page.goto("/training/completions/new/")
    assert page.get_by_label("Physician ID").count() == 0
    # Sent without a physician: the summary says so, and nothing is recorded.
    page.get_by_label("Completed on").fill("2024-03-01")
    page.get_by_role("button", name="Record completion").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "Choose the physician who completed the course." in summary.inner_text()
    # Found by name (Enter in the search box finds), chosen, recorded.
    page.get_by_label("Find a physician by name").fill("nadia")
    page.get_by_label("Find a physician by name").press("Enter")
    physician = page.get_by_role("combobox", name="Physician")
    physician.locator("option", has_text="Nadia Newcomer").wait_for(state="attached")
    assert physician.locator("option", has_text="Larry Lapsed").count() == 0
    assert page.get_by_label("Completed on").input_value() == "2024-03-01"
    physician.select_option(value=program["newcomer"].physician_id)
    page.get_by_role("button", name="Record completion").click()
    page.get_by_text("The completion is recorded.").wait_for()
    assert "nadia" not in page.url.lower()
    context.close()
    completion = TrainingCompletion.objects.get(physician=program["newcomer"])
    assert completion.completed_on.isoformat() == "2024-03-01"
