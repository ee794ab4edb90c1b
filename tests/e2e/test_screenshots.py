"""The pictures in README.md: each role's home, the request form, the queue, a case page, the
program dashboard and the survey, in the demo program, taken in Chromium into docs/screenshots/.

Taking them is asked for (`make screenshots`, which sets SCREENSHOTS=1): building the demo
program takes a while and the files change with the date, so an ordinary test run skips this
module. When it runs, every page it shows passes the same policy and accessibility checks as
the journeys."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from post_program.demo import ACCOUNTS, DEMO_PASSWORD
from post_program.models import Physician
from tests.surveys.factories import make_campaign, make_invitation

from .conftest import new_page, sign_in

pytestmark = pytest.mark.skipif(
    not os.environ.get("SCREENSHOTS"),
    reason="the README's screenshots are retaken on demand: make screenshots",
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The tallest picture kept: a longer page is cut here (the top says what it is).
MAX_HEIGHT = 2200


def save(page, name: str) -> Path:
    """The page, full length up to MAX_HEIGHT, as a small palette PNG with a stable name."""
    from PIL import Image

    page.wait_for_load_state("networkidle")
    image = Image.open(io.BytesIO(page.screenshot(full_page=True, animations="disabled")))
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    path = SCREENSHOTS / f"{name}.png"
    image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
        path, optimize=True
    )
    return path


@pytest.fixture
def demo(transactional_db, live_server, settings):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return {role: email for role, email, _ in ACCOUNTS}


def _as(browser, live_server, email, viewport=DESKTOP):
    context, page = new_page(browser, live_server, viewport=viewport)
    sign_in(page, email, DEMO_PASSWORD)
    return context, page


def test_take_the_readme_screenshots(browser, live_server, demo):
    taken = []
    for role in ("director", "coordinator", "lead", "supporter", "physician"):
        context, page = _as(browser, live_server, demo[role])
        page.goto(f"/home/{role}/")
        taken.append(save(page, f"home-{role}"))
        if role == "director":
            page.goto("/reports/program/")
            page.get_by_role("heading", name="Summary").wait_for()
            taken.append(save(page, "dashboard"))
        elif role == "coordinator":
            page.goto("/referrals/queue/")
            taken.append(save(page, "queue"))
        elif role == "supporter":
            page.goto("/referrals/cases/")
            page.locator("#open-cases tbody a").first.click()
            page.get_by_role("heading", level=1, name="Referral").wait_for()
            taken.append(save(page, "case-page"))
        elif role == "physician":
            page.goto("/referrals/request/")
            taken.append(save(page, "request-form"))
        context.close()

    # The survey, answered from its emailed link on a phone, without signing in.
    physician = Physician.objects.filter(user__isnull=True).order_by("pk").first()
    campaign = make_campaign(departments=[physician.department], name="Program evaluation")
    _, token = make_invitation(campaign, physician)
    context, page = new_page(browser, live_server, viewport=PHONE, is_mobile=True)
    page.goto(f"/surveys/answer/{token}/")
    page.get_by_role("button", name="Send my answers").wait_for()
    taken.append(save(page, "survey-phone"))
    context.close()

    for path in taken:
        assert path.stat().st_size < 400_000, f"{path.name} is too large to commit"
