"""Each demo role signs in through the browser and lands on its own home page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from post_program.demo import DEMO_PASSWORD

from .conftest import sign_in

HOMES = [
    ("director@example.org", "/home/director/", "Program health"),
    ("coordinator@example.org", "/home/coordinator/", "Coordination"),
    ("lead@example.org", "/home/lead/", "My departments"),
    ("supporter@example.org", "/home/supporter/", "Peer supporter"),
    ("physician@example.org", "/home/physician/", "Peer support"),
]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", "--today", "2026-06-30", stdout=StringIO())


@pytest.mark.parametrize(("email", "path", "heading"), HOMES)
def test_demo_role_signs_in_to_its_home(demo, page, email, path, heading):
    sign_in(page, email, DEMO_PASSWORD)
    assert page.url.endswith(path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.get_by_role("complementary", name="Need help now").is_visible()


def test_wrong_password_keeps_the_visitor_out(demo, page):
    sign_in(page, "director@example.org", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.get_by_text("not correct").is_visible()
