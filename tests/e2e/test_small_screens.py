"""The pages people open on a phone fit one: the request form, the supporter's case page, the
interaction form and the survey, at 390 x 844 CSS pixels. On each, in each state the test
leaves it in (empty, with its errors shown, after an answer), the page does not scroll
sideways, every form control lies inside the screen's width (a table's own sideways-scrolling
box, which the keyboard can reach, is the one exception), and the page's primary action can be
scrolled to and pressed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from interactions import services
from post_program.models import RoleAssignment
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    PeerSupporterFactory,
    PhysicianFactory,
    RoleAssignmentFactory,
    SiteFactory,
    UserFactory,
)
from tests.surveys.factories import make_campaign, make_invitation
from training.models import CourseKind, TrainingCompletion

from .conftest import new_page, sign_in

PHONE = {"width": 390, "height": 844}

# What does not fit a screen `width` pixels wide: the page's own width, and each form control
# shown outside the screen. Controls inside a table's scrolling box (.table-responsive) may lie
# beyond it: that box scrolls by itself and is reachable by keyboard (scroll-regions.js).
LAYOUT_PROBLEMS = """(width) => {
  const problems = [];
  const page = document.scrollingElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page}px wide`);
  const controls = document.querySelectorAll("input, select, textarea, button, .btn");
  for (const control of controls) {
    if (control.type === "hidden" || control.closest(".table-responsive")) continue;
    const box = control.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (a collapsed menu)
    if (box.left < 0 || box.right > width) {
      const name = control.name || control.id || control.textContent.trim().slice(0, 40);
      problems.push(`${control.tagName.toLowerCase()} "${name}" spans ` +
                    `${Math.round(box.left)} to ${Math.round(box.right)}px`);
    }
  }
  return problems;
}"""


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS, PHONE["width"])


def assert_fits(page) -> None:
    assert layout_problems(page) == [], page.url


def assert_reachable(action) -> None:
    """The action can be scrolled to, lies inside the screen's width, and nothing covers it
    (Playwright's trial click waits until the action would receive the click itself)."""
    action.scroll_into_view_if_needed()
    box = action.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    action.click(trial=True, timeout=5_000)


def on_a_phone(browser, live_server, user=None):
    context, page = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    if user is not None:
        sign_in(page, user.email, PASSWORD)
    return context, page


@pytest.fixture
def program(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    north = SiteFactory(name="North Hospital")
    emergency = DepartmentFactory(site=north, name="Emergency Medicine")
    surgery = DepartmentFactory(site=north, name="Obstetrics and Gynecology")
    coordinator = UserFactory(email="coordinator@example.org", name="Casey Coordinator")
    RoleAssignmentFactory(user=coordinator, role=RoleAssignment.Role.COORDINATOR, site=north)
    rita = UserFactory(email="rita@example.org", name="Rita Requester")
    PhysicianFactory(department=emergency, name=rita.name, email=rita.email, user=rita)
    # A long name and address: they wrap, they do not widen the page.
    colleague = PhysicianFactory(
        department=emergency,
        name="Maximiliana Wolfeschlegelsteinhausen-Bergerdorff",
        email="maximiliana.wolfeschlegelsteinhausen-bergerdorff@northhospital.example.org",
    )
    sam = UserFactory(email="sam@example.org", name="Sam Supporter")
    supporter = PeerSupporterFactory(
        physician=PhysicianFactory(department=surgery, name=sam.name, email=sam.email, user=sam)
    )
    TrainingCompletion.objects.create(
        physician=supporter.physician,
        course=CourseKind.INITIAL,
        completed_on=timezone.localdate() - timedelta(days=60),
        source=TrainingCompletion.Source.IMPORT,
    )
    referral = services.referral_request(
        requester=None,
        source="self",
        department=emergency,
        physician=colleague,
        reason="patient_death",
        at=timezone.now() - timedelta(hours=2),
        notify=False,
    ).referral
    services.referral_assign(
        actor=coordinator,
        referral=referral,
        supporter=supporter,
        at=timezone.now() - timedelta(hours=1),
        notify=False,
    )
    return {"rita": rita, "sam": sam, "referral": referral, "colleague": colleague}


def test_the_request_form_fits_a_phone(browser, live_server, program):
    context, page = on_a_phone(browser, live_server, program["rita"])
    page.goto("/referrals/request/")
    assert page.get_by_role("heading", level=1).inner_text() == "Request peer support"
    assert_fits(page)
    # For a colleague: the roster search and its results fit too.
    page.get_by_label("A colleague").check()
    page.get_by_label("Find your colleague by name").fill("Maxi")
    page.get_by_label(re.compile("Maximiliana")).wait_for()
    assert_fits(page)
    # Sent without a category, it comes back with its errors, still on one screen's width.
    send = page.get_by_role("button", name="Send request")
    assert_reachable(send)
    send.click()
    page.locator("#error-summary").wait_for()
    assert_fits(page)
    assert_reachable(page.get_by_role("button", name="Send request"))
    context.close()


def test_the_supporters_case_page_and_the_interaction_form_fit_a_phone(
    browser, live_server, program
):
    referral = program["referral"]
    context, page = on_a_phone(browser, live_server, program["sam"])
    page.goto(f"/referrals/{referral.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Referral")
    assert_fits(page)
    accept = page.get_by_role("button", name="Accept")
    assert_reachable(accept)
    accept.click()
    page.get_by_text("You accepted this referral").wait_for()
    # The case work: its forms fit, and the outreach can be logged.
    assert_fits(page)
    work = page.locator("#case-work")
    work.get_by_label("How").select_option(label="Phone call")
    work.get_by_label("Yes").check()
    log_outreach = work.get_by_role("button", name="Log outreach")
    assert_reachable(log_outreach)
    log_outreach.click()
    page.get_by_text("First contact recorded at").wait_for()
    assert_fits(page)

    # The interaction form, empty and then with every error shown.
    page.get_by_role("link", name="Log an interaction").click()
    page.locator("#interaction-form").wait_for()
    assert_fits(page)
    log = page.get_by_role("button", name="Log interaction")
    assert_reachable(log)
    log.click()
    page.locator("#error-summary").wait_for()
    assert_fits(page)
    assert_reachable(page.get_by_role("button", name="Log interaction"))
    context.close()


def test_the_survey_fits_a_phone(browser, live_server, program):
    colleague = program["colleague"]
    campaign = make_campaign(code="recipient_feedback", departments=[colleague.department])
    _, token = make_invitation(campaign, colleague)
    context, page = on_a_phone(browser, live_server)  # answered without signing in
    page.goto(f"/surveys/answer/{token}/")
    page.get_by_role("button", name="Send my answers").wait_for()
    assert_fits(page)
    send = page.get_by_role("button", name="Send my answers")
    assert_reachable(send)
    send.click()
    page.locator("#error-summary").wait_for()
    assert_fits(page)
    assert_reachable(page.get_by_role("button", name="Send my answers"))
    context.close()


def test_the_check_finds_a_page_wider_than_the_phone(browser, live_server, program):
    """The check above is not vacuous: a control wider than the screen is reported, as is the
    page it widens."""
    context, page = on_a_phone(browser, live_server, program["rita"])
    page.goto("/referrals/request/")
    assert layout_problems(page) == []
    page.evaluate(
        """() => {
          const wide = document.createElement("input");
          wide.size = 120;  // about a thousand pixels: no stylesheet sets its width
          wide.name = "too-wide";
          wide.setAttribute("aria-label", "Too wide");
          document.querySelector("main").append(wide);
        }"""
    )
    problems = layout_problems(page)
    assert any(problem.startswith("the page is") for problem in problems), problems
    assert any('"too-wide"' in problem for problem in problems), problems
    page.evaluate("() => document.querySelector('[name=too-wide]').remove()")
    assert layout_problems(page) == []
    context.close()
