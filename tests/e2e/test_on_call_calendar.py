"""A coordinator puts a supporter on call on the calendar page, in Chromium: a shift that ends
when it starts is refused with its reason, the corrected one shows in the week, and the
coordinator gets the private address of their own feed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from interactions.models import OnCallShift
from post_program.models import RoleAssignment
from tests import factories

from .conftest import signed_in


@pytest.fixture
def program(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    north = factories.SiteFactory(name="North Hospital")
    emergency = factories.DepartmentFactory(site=north, name="Emergency")
    coordinator = factories.UserFactory(email="cleo@example.org", name="Cleo Coordinator")
    factories.RoleAssignmentFactory(
        user=coordinator, role=RoleAssignment.Role.COORDINATOR, site=north
    )
    sam = factories.UserFactory(email="sam@example.org", name="Sam Supporter")
    physician = factories.PhysicianFactory(
        department=emergency, name=sam.name, email=sam.email, user=sam
    )
    factories.PeerSupporterFactory(physician=physician)
    return {"coordinator": coordinator, "sam": sam}


def _add_shift(page, *, day: str, starts: str, ends: str) -> None:
    form = page.locator("#shift-form")
    form.get_by_label("Person").select_option(label="Sam Supporter")
    form.get_by_label("Day").select_option(label=day)
    form.get_by_label("From").fill(starts)
    form.get_by_label("Until").fill(ends)
    form.get_by_role("button", name="Add weekly shift").click()


def test_a_coordinator_adds_a_shift_and_sees_it_in_the_week(browser, live_server, program):
    context, page = signed_in(browser, live_server, program["coordinator"], factories.PASSWORD)
    page.get_by_role("link", name="On call").first.click()
    page.get_by_role("heading", level=1, name="On-call calendar: North Hospital").wait_for()
    today = timezone.localdate()

    _add_shift(page, day=today.strftime("%A"), starts="08:00", ends="08:00")
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "A shift needs an end different from its start." in summary.inner_text()
    assert not OnCallShift.objects.exists()

    _add_shift(page, day=today.strftime("%A"), starts="08:00", ends="17:00")
    page.get_by_text("Weekly shift added.").wait_for()
    day = page.locator(f'#on-call-week li[data-day="{today.isoformat()}"]')
    assert (
        " ".join(day.first.inner_text().split())
        == "08:00\N{EN DASH}17:00 Sam Supporter (first call)"
    )
    pattern = page.locator("#on-call-pattern")
    assert "Sam Supporter" in pattern.inner_text()

    page.get_by_role("link", name="Subscribe to your own shifts").click()
    page.get_by_role("button", name="Get a feed address").click()
    address = page.get_by_label("Feed address")
    address.wait_for()
    assert address.input_value().startswith(f"{live_server.url}/on-call/feed/")
    context.close()
