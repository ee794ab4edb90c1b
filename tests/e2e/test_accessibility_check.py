"""The accessibility check itself: axe-core is installed and finds what it must find, under the
program's own Content-Security-Policy."""

from __future__ import annotations

import pytest

from .accessibility import AccessibilityCheck

# A page with two faults axe-core rates serious or critical: an image without a text
# alternative and grey text on white below the contrast of WCAG AA (served by the test itself,
# without the program's policy, so its inline style applies).
FAULTY = (
    '<!doctype html><html lang="en"><head><title>Faulty</title>'
    '<link rel="stylesheet" href="/static/css/post.css"></head>'
    '<body><main><h1>Faulty</h1><img src="/static/none.png">'
    '<p style="color: #bbb">Too pale to read</p></main></body></html>'
)


@pytest.fixture
def check(no_accessibility_violations):
    if not AccessibilityCheck.available():
        pytest.skip("axe-core is not installed: run `make test` (npm ci in tests/e2e/axe)")
    return no_accessibility_violations


def test_the_check_finds_serious_violations_on_the_page_the_test_leaves(check, page, live_server):
    page.route(
        f"{live_server.url}/faulty/",
        lambda route: route.fulfill(body=FAULTY, content_type="text/html"),
    )
    page.goto("/faulty/")
    page.goto("/accounts/login/")  # leaving the faulty page checks it
    found = {(v.url, v.rule) for v in check.violations}
    assert (f"{live_server.url}/faulty/", "image-alt") in found
    assert (f"{live_server.url}/faulty/", "color-contrast") in found
    check.violations.clear()


def test_the_login_page_passes_under_the_program_policy(check, page):
    page.goto("/accounts/login/")
    assert check.check_now(page) is None and not check.violations
    assert check.pages_checked
