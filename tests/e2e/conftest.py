"""Browser tests: Playwright driving Debian's Chromium against the live test server.

They never download a browser; without Chromium on the machine they are skipped with a message.
"""

from __future__ import annotations

import os
import shutil

import pytest

from .accessibility import AccessibilityCheck

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures and
# by the live server in the same process are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# What the browser refused under the Content-Security-Policy, on every page of the running test.
CSP_VIOLATIONS: list[str] = []


def _watch_policy(page) -> None:
    def console(message) -> None:
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{page.url}: {message.text}")

    page.on("console", console)


@pytest.fixture(autouse=True)
def no_policy_violations():
    """Every journey runs under the real Content-Security-Policy: the browser refused nothing
    (no inline script or style, no eval)."""
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS


# What axe-core found on every page of the running test (tests/e2e/accessibility.py).
ACCESSIBILITY = AccessibilityCheck()


@pytest.fixture(autouse=True)
def no_accessibility_violations():
    """Every page the test visits, in the state it leaves it, for whoever is signed in, has no
    serious or critical violation of WCAG 2.1 A or AA that axe-core finds."""
    ACCESSIBILITY.clear()
    yield ACCESSIBILITY
    assert not ACCESSIBILITY.violations, ACCESSIBILITY.report()


def new_page(browser, live_server, **options):
    """A fresh browser context (its own cookies; `options` for Playwright's new_context) and a
    page on the live server, under the policy and accessibility watch."""
    context = browser.new_context(base_url=live_server.url, **options)
    context.on("page", _watch_policy)
    ACCESSIBILITY.watch(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def page(browser, live_server):
    context, page = new_page(browser, live_server)
    yield page
    context.close()


def signed_in(browser, live_server, user, password: str):
    """A new context and page, signed in as `user` through the form."""
    context, page = new_page(browser, live_server)
    sign_in(page, user.email, password)
    return context, page


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the real form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    ACCESSIBILITY.signed_in_as(page, email)  # the sign-in page itself was seen by a visitor
    page.wait_for_load_state()
