"""Journeys 1 and 2 in Chromium: a physician refers a colleague found on the roster, a
coordinator assigns a supporter from the explained suggestions, and the supporter's email holds
only a link, which leads them to the referral to accept."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from interactions.models import Referral, Status
from tests.factories import (
    PASSWORD,
    PhysicianFactory,
    UserFactory,
)

from .conftest import ACCESSIBILITY, new_page, signed_in
from .programs import north_hospital, trained_supporter

NOTE = "Had a very hard night shift."


@pytest.fixture
def program(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    settings.FIRST_CONTACT_DEADLINE_HOURS = 24
    hospital = north_hospital()
    emergency, surgery = hospital.emergency, hospital.second
    coordinator = hospital.coordinator
    rita = UserFactory(email="rita@example.org", name="Rita Requester")
    PhysicianFactory(department=emergency, name=rita.name, email=rita.email, user=rita)
    colleague = PhysicianFactory(department=emergency, name="Colin Colleague")
    PhysicianFactory(department=surgery, name="Colette Elsewhere")
    sam = UserFactory(email="sam@example.org", name="Sam Supporter")
    supporter = trained_supporter(department=surgery, user=sam)
    return {
        "coordinator": coordinator,
        "rita": rita,
        "colleague": colleague,
        "sam": sam,
        "supporter": supporter,
    }


def _as(browser, live_server, user):
    return signed_in(browser, live_server, user, PASSWORD)


def test_refer_a_colleague_assign_from_suggestions_and_the_supporter_gets_a_link(
    browser, live_server, program
):
    # 1. The physician asks for support for a colleague found by name on the roster.
    context, page = _as(browser, live_server, program["rita"])
    page.get_by_role("link", name="Request peer support").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Request peer support"
    page.get_by_label("A colleague").check()
    page.get_by_label("Find your colleague by name").fill("Col")
    page.get_by_label(re.compile("Colin Colleague")).check()
    assert page.get_by_text("Colette Elsewhere").is_visible()  # name and department only
    page.get_by_label("What happened (category)").select_option(
        label="Death or serious harm of a patient"
    )
    page.get_by_label("Short note (optional)").fill(NOTE)
    # "Urgent: safety concern" shows where to get help at once; back to routine hides it.
    crisis = page.locator("#crisis-now")
    assert crisis.is_hidden()
    page.get_by_label("Urgent: safety concern").check()
    assert crisis.is_visible() and "do not wait" in crisis.inner_text()
    page.get_by_label("Within a day is fine").check()
    assert crisis.is_hidden()
    page.get_by_role("button", name="Send request").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Your request was received"
    referral = Referral.objects.get(physician=program["colleague"])
    due = timezone.localtime(referral.first_contact_due_at)
    assert due.strftime("%H:%M") in page.get_by_role("main").inner_text()
    page.get_by_role("link", name="My requests").first.click()
    assert "Received: the peer support team is on it" in page.get_by_role("table").inner_text()
    context.close()

    # The site's coordinators were told, with a link and nothing else.
    (new_referral_email,) = mail.outbox
    assert new_referral_email.to == [program["coordinator"].email]
    assert "Colin" not in new_referral_email.body and "Rita" not in new_referral_email.body
    mail.outbox.clear()

    # 2. The coordinator finds it at the top of the queue with its deadline and opens it.
    context, page = _as(browser, live_server, program["coordinator"])
    page.get_by_role("link", name="Referral queue").first.click()
    first_row = page.get_by_role("table").locator("tbody tr").first
    assert "Colin Colleague" in first_row.inner_text()
    assert date_format(due, "SHORT_DATETIME_FORMAT") in first_row.inner_text()
    first_row.get_by_role("link", name="Colin Colleague").click()
    assert NOTE in page.get_by_role("main").inner_text()
    assert "must not be named" in page.get_by_role("main").inner_text()

    # The suggestion explains itself: rules passed, caseload, last assignment, training.
    suggestions = page.locator("#suggestions")
    row = suggestions.locator("tbody tr", has_text="Sam Supporter")
    text = row.inner_text()
    assert "Not the physician themself" in text and "No conflict" in text
    assert "0 of 3 open cases" in text and "Never assigned" in text
    assert "Training current until" in text
    row.get_by_label("Sam Supporter").check()
    page.get_by_role("button", name="Assign").click()
    assert "Assigned to Sam Supporter" in page.get_by_role("status").first.inner_text()
    context.close()

    # 3. The supporter's email holds only a link; it leads to the referral, to accept.
    (assigned_email,) = mail.outbox
    assert assigned_email.to == [program["sam"].email]
    body = assigned_email.subject + assigned_email.body
    for secret in ("Colin", "Colleague", "Rita", NOTE, "Emergency", referral.referral_id):
        assert secret not in body
    (link,) = re.findall(r"https?://\S+", assigned_email.body)
    assert link == f"{live_server.url}/referrals/{referral.pk}/"

    context, page = _as(browser, live_server, program["sam"])
    page.goto(link)
    main = page.get_by_role("main").inner_text()
    assert "Colin Colleague" in main
    assert "Rita" not in main and "The colleague who asked did not consent to be named" in main
    page.get_by_role("button", name="Accept").click()
    assert "You accepted this referral" in page.get_by_role("status").first.inner_text()
    context.close()
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.assigned_to == program["supporter"]


def _tab_to(page, target, *, limit: int = 60) -> None:
    """Press Tab until ``target`` (a locator) has the focus, as a keyboard user moves."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never took the focus from the keyboard")


def test_journey_1_by_keyboard_alone(browser, live_server, program):
    """A physician signs in, asks for support for a colleague found by name and sends the
    request, with the keyboard only: no click anywhere."""
    context, page = new_page(browser, live_server)
    page.goto("/accounts/login/")
    _tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(program["rita"].email)
    _tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/home/"))
    ACCESSIBILITY.signed_in_as(page, program["rita"].email)

    _tab_to(page, page.get_by_role("link", name="Request peer support").first)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Request peer support", level=1).wait_for()
    # The radio group takes the focus on its chosen option; the arrow key moves the choice.
    _tab_to(page, page.get_by_label("Myself"))
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("A colleague").is_checked()
    _tab_to(page, page.get_by_label("Find your colleague by name"))
    page.keyboard.type("Col")
    colin = page.get_by_label(re.compile("Colin Colleague"))
    colin.wait_for()
    # The names found are a radio group: Tab enters it, the arrow keys choose.
    _tab_to(page, page.locator("input[type=radio][name=colleague]").first)
    for _ in range(5):
        if colin.is_checked():
            break
        page.keyboard.press("ArrowDown")
    assert colin.is_checked()
    category = page.get_by_label("What happened (category)")
    _tab_to(page, category)
    page.keyboard.type("Death")
    assert category.evaluate("select => select.selectedOptions[0].text").startswith("Death")
    _tab_to(page, page.get_by_label("Short note (optional)"))
    page.keyboard.type(NOTE)
    _tab_to(page, page.get_by_role("button", name="Send request"))
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your request was received", level=1).wait_for()
    referral = Referral.objects.get(physician=program["colleague"])
    assert (referral.note, referral.reason) == (NOTE, "patient_death")
    context.close()


def test_a_coordinator_records_a_nurse_s_phone_call_about_a_colleague(
    browser, live_server, program
):
    context, page = _as(browser, live_server, program["coordinator"])
    page.get_by_role("link", name="Referral queue").first.click()
    page.get_by_role("link", name="Record a request taken by phone").click()
    page.get_by_role("heading", name="Record a request taken by phone or email").wait_for()
    page.get_by_label("By phone").check()
    page.get_by_label("Who asked?").select_option(label="A nurse")
    page.get_by_label("How to reach the caller (optional)").fill("ward 7, ext. 4471")
    page.get_by_label("The physician's department").select_option(
        label="North Hospital / Emergency Medicine"
    )
    # The department's roster arrives in place (htmx) once the department is chosen.
    roster = page.get_by_label("The physician, on the roster")
    page.locator("#call-physician option", has_text="Colin Colleague").wait_for(state="attached")
    roster.select_option(label="Colin Colleague")
    page.get_by_label("What happened (category)").select_option(
        label="Death or serious harm of a patient"
    )
    page.get_by_role("button", name="Record the request").click()
    page.get_by_role("heading", name=re.compile("^Referral ")).wait_for()
    main = page.get_by_role("main").inner_text()
    assert "Request recorded as referral" in main
    assert "A nurse, who called or wrote to the program" in main
    assert "ward 7, ext. 4471" in main
    referral = Referral.objects.get(physician=program["colleague"])
    assert (referral.caller_role, referral.referrer) == ("nurse", None)
    context.close()
