"""Journey 3 in Chromium: the supporter accepts a case from their home, logs an outreach that
reached the colleague and a 55-minute phone interaction, closes the case as supported, and the
coordinator sees it closed in their view of the site's cases, without the private note."""

from __future__ import annotations

import pytest

from interactions.models import Interaction, Outcome, Referral, Status
from tests.factories import (
    PASSWORD,
    PhysicianFactory,
    UserFactory,
)

from .conftest import signed_in
from .programs import assigned_referral, north_hospital, trained_supporter

PRIVATE_NOTE = "Call again on Friday after her night shift"


@pytest.fixture
def program(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    hospital = north_hospital()
    emergency, surgery = hospital.emergency, hospital.second
    coordinator = hospital.coordinator
    colleague = PhysicianFactory(department=emergency, name="Colin Colleague")
    sam = UserFactory(email="sam@example.org", name="Sam Supporter")
    supporter = trained_supporter(department=surgery, user=sam)
    referral = assigned_referral(coordinator=coordinator, supporter=supporter, physician=colleague)
    return {"coordinator": coordinator, "sam": sam, "referral": referral}


def _as(browser, live_server, user):
    return signed_in(browser, live_server, user, PASSWORD)


def _status(page) -> str:
    return page.get_by_role("status").first.inner_text()


def test_accept_reach_log_55_minutes_by_phone_close_and_the_coordinator_sees_it_closed(
    browser, live_server, program
):
    referral = program["referral"]

    # The supporter's home leads to their cases; the new one waits for an answer, with its
    # deadline.
    context, page = _as(browser, live_server, program["sam"])
    page.get_by_role("link", name="My cases").first.click()
    open_cases = page.locator("#open-cases")
    row = open_cases.locator("tbody tr", has_text="Colin Colleague")
    assert "Accept or decline by" in row.inner_text()
    row.get_by_role("link", name="Colin Colleague").click()
    page.get_by_role("button", name="Accept").click()
    assert "You accepted this referral" in _status(page)

    # A first outreach that reached him: when (now, prefilled), how, and reached.
    work = page.locator("#case-work")
    work.get_by_label("How").select_option(label="Phone call")
    work.get_by_label("Yes").check()
    work.get_by_role("button", name="Log outreach").click()
    assert "First contact recorded at" in _status(page)

    # The interaction: 55 minutes by phone, its topics, pointed to the EAP, a private note.
    page.get_by_role("link", name="Log an interaction").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Log an interaction"
    form = page.locator("#interaction-form")
    # Sent empty but for "professional help" without its resource, every missing answer says
    # what to do, radio groups included, beside its field and in the summary.
    form.get_by_label("I pointed them to professional help").check()
    form.get_by_role("button", name="Log interaction").click()
    form = page.locator("#interaction-form")
    summary = page.locator("#error-summary")
    summary.wait_for()  # the answer to the post has been drawn (is_visible does not wait)
    for message in (
        "Say whether a support conversation took place.",
        "Enter the duration in whole minutes.",
        "Choose how you talked.",
        "Say which professional help you pointed them to",
    ):
        assert form.get_by_text(message).is_visible(), message
        assert summary.get_by_text(message).is_visible(), message
    form.get_by_label("Yes").check()
    form.get_by_label("Duration in minutes").fill("55")
    form.get_by_label("Phone", exact=True).check()
    form.get_by_label("Adverse patient outcome").check()
    form.get_by_label("Burnout").check()
    form.get_by_label("I pointed them to professional help").check()
    form.get_by_label("Which resource").select_option(label="Employee assistance program (EAP)")
    form.get_by_label("A follow-up is planned").check()
    form.get_by_label("Private follow-up note (optional)").fill(PRIVATE_NOTE)
    form.get_by_role("button", name="Log interaction").click()
    assert "Interaction logged." in _status(page)
    record = page.locator("#case-interactions").inner_text()
    assert "55" in record and "Phone" in record and PRIVATE_NOTE in record

    # Closed as supported, back on the home of case work.
    page.locator("#case-work").get_by_label("Supported: we had a support conversation").check()
    page.get_by_role("button", name="Close case").click()
    assert "Case closed: Supported" in _status(page)
    assert "Colin Colleague" in page.locator("#closed-cases").inner_text()
    assert "You hold no open case." in page.locator("#open-cases").inner_text()
    context.close()

    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.outcome == Outcome.SUPPORTED
    assert referral.first_contact_at is not None
    interaction = Interaction.objects.get(referral=referral)
    assert (interaction.duration_minutes, interaction.modality) == (55, "phone")
    assert interaction.escalated and interaction.escalated_to == "eap"

    # The coordinator sees the case closed, with its outcome, in their sites' cases.
    context, page = _as(browser, live_server, program["coordinator"])
    page.get_by_role("link", name="Referral queue").first.click()
    page.get_by_label("Status").select_option(label="Closed")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("table").locator("tbody tr", has_text="Colin Colleague")
    text = row.inner_text()
    assert "Closed" in text and "Supported" in text and "Sam Supporter" in text
    row.get_by_role("link", name="Colin Colleague").click()
    main = page.get_by_role("main").inner_text()
    assert "Employee assistance program (EAP)" in main and "55" in main
    assert PRIVATE_NOTE not in main
    context.close()
    assert Referral.objects.get(pk=referral.pk).status == Status.CLOSED
