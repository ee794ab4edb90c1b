"""Long actions show that they are under way at once, in Chromium: preparing a report file and
checking an import grey out the button, which reads "Working…", and say what is being done,
before the server has answered; the form is sent once however often it is submitted."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD
from tests.reporting.conftest import program  # noqa: F401 - the shared small program

from .conftest import sign_in

# Installed in the page before the button is pressed: once the form is on its way (after the
# page's own handlers), note what the person sees, submit the form a second time, and tell the
# test. The request reaches the server only once the page has been looked at.
WATCH = """
(form) => {
  const look = () => {
    try {
      const button = form.querySelector('[type="submit"]');
      const status = form.querySelector('[role="status"]');
      const seen = {disabled: button.disabled, label: button.value || button.textContent,
                    status: status ? status.textContent : null};
      form.requestSubmit();
      window.__busySeen(seen);
    } catch (error) {
      window.__busySeen({error: String(error)});
    }
  };
  // Two turns later: after the page's own handlers have run theirs.
  form.addEventListener("submit", () => setTimeout(() => setTimeout(look, 0), 0), {once: true});
}
"""


class Watch:
    """What the page showed while its form was on the way, and the requests the form sent."""

    def __init__(self, page, path: str) -> None:
        self.seen: dict = {}
        self.requests: list[str] = []
        self._held: list = []
        page.expose_binding("__busySeen", self._seen)
        page.route(re.compile(rf"{re.escape(path)}$"), self._request)

    def _request(self, route) -> None:
        self.requests.append(route.request.method)
        if self.seen:
            route.fallback()
        else:
            self._held.append(route)  # the answer waits until the page has been looked at

    def _seen(self, _source, seen: dict) -> None:
        self.seen = seen
        self.release()

    def release(self) -> None:
        while self._held:
            self._held.pop().fallback()


@pytest.fixture
def press(page):
    """press(button, path, then): press the button, watching its form on the way to `path`,
    and wait for the page at `then` (a pattern) the answer leads to."""
    watches: list[Watch] = []

    def press(button: str, path: str, then: str) -> Watch:
        watches.append(Watch(page, path))
        page.locator("form", has=page.get_by_role("button", name=button)).evaluate(WATCH)
        page.get_by_role("button", name=button).click()
        page.wait_for_url(re.compile(then))
        return watches[-1]

    yield press
    for each in watches:  # a failing test leaves nothing held when its browser closes
        each.release()


def test_preparing_a_report_file_is_busy_at_once_and_sent_once(program, page, press):  # noqa: F811
    sign_in(page, "director@example.org", PASSWORD)
    page.goto("/reports/program/?period=custom&start=2020-01-01&end=2020-12-31")
    page.get_by_label("Format").select_option("pdf")
    watched = press("Prepare the file", "/reports/exports/new/", r"/reports/exports/\d+/$")
    assert watched.seen == {"disabled": True, "label": "Working…", "status": "Preparing the file…"}
    assert watched.requests == ["POST"]


def test_checking_an_import_is_busy_at_once_and_sent_once(program, page, press, tmp_path):  # noqa: F811
    sign_in(page, "director@example.org", PASSWORD)
    page.goto("/program/import/")
    upload = tmp_path / "physicians.csv"
    upload.write_text("physician_id,name,email,department_id\n")
    page.get_by_label("Files").set_input_files(upload)
    watched = press("Check these files", "/program/import/", r"/program/import/\d+/$")
    assert watched.seen == {"disabled": True, "label": "Working…", "status": "Checking the files…"}
    assert watched.requests == ["POST"]
