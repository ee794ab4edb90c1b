"""The director changes the first-contact deadline on the settings page, in Chromium: a value
that cannot be saved is refused with its reason, and the next request's deadline follows the
saved one."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interactions.models import Referral
from post_program.models import AuditEvent, RoleAssignment
from tests import factories

from .conftest import signed_in


@pytest.fixture
def program(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    settings.URGENT_FIRST_CONTACT_HOURS = 4
    north = factories.SiteFactory(name="North Hospital")
    emergency = factories.DepartmentFactory(site=north, name="Emergency")
    director = factories.UserFactory(email="dana@example.org", name="Dana Director")
    factories.RoleAssignmentFactory(user=director, role=RoleAssignment.Role.DIRECTOR)
    rita = factories.UserFactory(email="rita@example.org", name="Rita Requester")
    factories.PhysicianFactory(department=emergency, name=rita.name, email=rita.email, user=rita)
    return {"director": director, "rita": rita}


def test_the_director_changes_the_deadline_and_the_next_request_follows_it(
    browser, live_server, program
):
    context, page = signed_in(browser, live_server, program["director"], factories.PASSWORD)
    page.get_by_role("link", name="Settings").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Program settings"
    deadline = page.locator("#id_first_contact_hours")
    assert deadline.input_value() == "24"

    # An urgent deadline longer than the routine one is refused, with the reason.
    deadline.fill("3")
    page.get_by_role("button", name="Save settings").click()
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "An urgent request cannot wait longer than a routine one (3 hours)." in (
        summary.inner_text()
    )
    assert not AuditEvent.objects.filter(action="program.settings_update").exists()

    page.locator("#id_first_contact_hours").fill("36")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_text("Settings saved.").wait_for()
    context.close()

    context, page = signed_in(browser, live_server, program["rita"], factories.PASSWORD)
    page.get_by_role("link", name="Request peer support").first.click()
    page.get_by_label("Myself").check()
    page.get_by_label("What happened (category)").select_option(index=1)
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Your request was received").wait_for()
    referral = Referral.objects.get()
    assert referral.first_contact_due_at - referral.received_at == timedelta(hours=36)
    context.close()
