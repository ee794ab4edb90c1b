"""The homes in Chromium: each leads with the work it names, and its links reach that work.
The supporter finds the case waiting for an answer on their home; the coordinator finds an
overdue request on theirs and opens it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from interactions import services
from tests.factories import PhysicianFactory

from .test_case_work_journey import _as, program  # noqa: F401  (the journey's program)


def test_the_supporter_and_the_coordinator_open_their_work_from_their_homes(
    browser,
    live_server,
    program,  # noqa: F811
):
    referral = program["referral"]
    context, page = _as(browser, live_server, program["sam"])
    waiting = page.locator("#waiting-cases")
    row = waiting.locator("tbody tr", has_text="Colin Colleague")
    assert "Accept or decline by" in row.inner_text()
    assert "Your next deadline" in page.locator("#next-deadline").inner_text()
    row.get_by_role("link", name="Colin Colleague").click()
    page.wait_for_url(f"**/referrals/{referral.pk}/")
    context.close()

    late = services.referral_request(
        requester=None,
        source="self",
        department=referral.department,
        physician=PhysicianFactory(department=referral.department, name="Olga Overdue"),
        reason="other",
        at=timezone.now() - timedelta(days=2),
        notify=False,
    ).referral
    context, page = _as(browser, live_server, program["coordinator"])
    overdue = page.locator("#overdue-referrals")
    assert "Overdue (1)" in overdue.inner_text()
    assert "Colin Colleague" not in overdue.inner_text()  # assigned and not yet due
    overdue.get_by_role("link", name="Olga Overdue").click()
    page.wait_for_url(f"**/referrals/{late.pk}/")
    context.close()
