"""The pages people open on a phone fit one: the request form, the supporter's case page, the
interaction form and the survey, at 390 x 844 CSS pixels. On each, in each state the test
leaves it in (empty, with its errors shown, after an answer), the page does not scroll
sideways, every form control lies inside the screen's width (a table's own sideways-scrolling
box, which the keyboard can reach, is the one exception), and the page's primary action can be
scrolled to and pressed."""

from __future__ import annotations

import re

import pytest

from tests.factories import (
    PASSWORD,
    PhysicianFactory,
    UserFactory,
)
from tests.surveys.factories import make_campaign, make_invitation

from .conftest import new_page, sign_in
from .programs import assigned_referral, north_hospital, trained_supporter

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


def send_and_fit_its_errors(page, button: str) -> None:
    """The primary action, reachable, sent as the page is: the errors it brings back fit the
    screen too, and the action can still be reached below them."""
    action = page.get_by_role("button", name=button)
    assert_reachable(action)
    action.click()
    page.locator("#error-summary").wait_for()
    assert_fits(page)
    assert_reachable(page.get_by_role("button", name=button))


def on_a_phone(browser, live_server, user=None):
    context, page = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    if user is not None:
        sign_in(page, user.email, PASSWORD)
    return context, page


@pytest.fixture
def program(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    hospital = north_hospital(second="Obstetrics and Gynecology")
    emergency, surgery = hospital.emergency, hospital.second
    coordinator = hospital.coordinator
    rita = UserFactory(email="rita@example.org", name="Rita Requester")
    PhysicianFactory(department=emergency, name=rita.name, email=rita.email, user=rita)
    # A long name and address: they wrap, they do not widen the page.
    colleague = PhysicianFactory(
        department=emergency,
        name="Maximiliana Wolfeschlegelsteinhausen-Bergerdorff",
        email="maximiliana.wolfeschlegelsteinhausen-bergerdorff@northhospital.example.org",
    )
    sam = UserFactory(email="sam@example.org", name="Sam Supporter")
    supporter = trained_supporter(department=surgery, user=sam)
    referral = assigned_referral(coordinator=coordinator, supporter=supporter, physician=colleague)
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
    send_and_fit_its_errors(page, "Send request")
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
    send_and_fit_its_errors(page, "Log interaction")
    context.close()


def test_the_survey_fits_a_phone(browser, live_server, program):
    colleague = program["colleague"]
    campaign = make_campaign(code="recipient_feedback", departments=[colleague.department])
    _, token = make_invitation(campaign, colleague)
    context, page = on_a_phone(browser, live_server)  # answered without signing in
    page.goto(f"/surveys/answer/{token}/")
    page.get_by_role("button", name="Send my answers").wait_for()
    assert_fits(page)
    send_and_fit_its_errors(page, "Send my answers")
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
