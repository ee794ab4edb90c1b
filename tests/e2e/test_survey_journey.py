"""Surveys as a new user meets them, in Chromium: the director launches a program evaluation
for two departments, a physician answers from the emailed link without signing in (on a phone
sized screen), a reminder reaches only the colleague who has not answered, and the results page
shows the response rate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from post_program.models import RoleAssignment
from surveys import services
from surveys.models import Campaign, Response
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    PhysicianFactory,
    RoleAssignmentFactory,
    SiteFactory,
    UserFactory,
)
from tests.surveys.factories import builtin_instruments, tokens_in

from .conftest import new_page, sign_in


@pytest.fixture
def program(transactional_db):
    builtin_instruments()  # an earlier transactional test may have emptied the tables
    north = SiteFactory(name="North Hospital")
    south = SiteFactory(name="South Hospital")
    emergency = DepartmentFactory(site=north, name="Emergency Medicine")
    surgery = DepartmentFactory(site=north, name="Surgery")
    pediatrics = DepartmentFactory(site=south, name="Pediatrics")
    director = UserFactory(email="director@example.org", name="Director Person")
    RoleAssignmentFactory(user=director, role=RoleAssignment.Role.DIRECTOR)
    return {
        "director": director,
        "ana": PhysicianFactory(department=emergency, name="Ana Answer", email="ana@example.org"),
        "ben": PhysicianFactory(department=surgery, name="Ben Busy", email="ben@example.org"),
        "cara": PhysicianFactory(department=pediatrics, email="cara@example.org"),
    }


def _answer_link(recipient: str) -> str:
    message = next(m for m in mail.outbox if m.to == [recipient])
    (token,) = tokens_in([message])
    return f"/surveys/answer/{token}/"


def _choose(page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def test_launch_answer_remind_and_read_the_response_rate(browser, live_server, program, settings):
    mail.outbox.clear()

    # 1. The director launches a program evaluation for two departments.
    director, page = new_page(browser, live_server)
    sign_in(page, program["director"].email, PASSWORD)
    page.get_by_role("link", name="Launch a survey campaign").click()
    page.get_by_label("Name").fill("Program evaluation, spring")
    page.get_by_label("Instrument").select_option(label="Program evaluation (version 1)")
    page.get_by_label("Everyone on the roster of the departments below").check()
    page.get_by_label("North Hospital / Emergency Medicine").check()
    page.get_by_label("North Hospital / Surgery").check()
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_load_state()
    assert page.get_by_text("Campaign created and invitations sent.").is_visible()
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.OPEN
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "ben@example.org"]

    # 2. Ana answers from the emailed link on her phone, without signing in.
    phone, answer = new_page(
        browser, live_server, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    link = _answer_link("ana@example.org")
    answer.goto(link)
    assert answer.get_by_role("heading", name="Program evaluation").is_visible()
    assert answer.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _choose(answer, "did you know that your department has a peer support program", "Yes")
    _choose(answer, "have you talked with a peer supporter", "No")
    # She forgets two questions: the page says which.
    answer.get_by_role("button", name="Send my answers").click()
    answer.wait_for_load_state()
    assert answer.get_by_text("Please check 2 answers").is_visible()
    _choose(answer, "Would you recommend the peer support program", "Yes")
    _choose(answer, "improved how my department responds", "Agree")
    answer.get_by_role("button", name="Send my answers").click()
    answer.wait_for_load_state()
    assert answer.get_by_role("heading", name="your answers were received").is_visible()
    # The same link cannot be used again.
    answer.goto(link)
    assert answer.get_by_role("heading", name="already been answered").is_visible()
    phone.close()
    # The answers wait to be settled with others; the periodic job settles them.
    settings.SURVEY_SETTLE_MIN = 1
    assert services.responses_settle() == 1
    response = Response.objects.get()
    assert response.department.name == "Emergency Medicine"

    # 3. A week later the reminder job reaches only Ben, who has not answered.
    mail.outbox.clear()
    assert services.reminders_send_due(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]
    assert mail.outbox[0].subject == (
        "Your answers to a short, anonymous survey of the peer support program are still welcome"
    )

    # 4. The director reads the response rate on the results page.
    page.goto("/surveys/")
    page.get_by_role("link", name="Program evaluation, spring").click()
    page.wait_for_load_state()
    stats = page.get_by_role("region", name="Response rate")
    assert stats.get_by_text("50.0%").is_visible()
    rates = page.get_by_role("table", name="Response rate by department")
    assert rates.get_by_role("row", name="North Hospital / Surgery 1 0 0.0%").is_visible()
    director.close()
