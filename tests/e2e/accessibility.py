"""The accessibility check of every page the browser tests visit: axe-core's WCAG 2.1 A and AA
rules (tests/e2e/axe, installed by `make test` with `npm ci`), run in the page itself.

The page's Content-Security-Policy stays as the program sends it: axe-core is not added as a
<script> (the policy refuses inline scripts) but given to the browser as an init script, which
Chromium evaluates outside the page's policy, in each document before the program's scripts.
The results come back through a binding (again outside the policy).

Each document is checked once it has loaded, again after each swap htmx makes and each
<details> opened, and once more in the state the test leaves it in when it closes its
context. A navigation away from a document waits (held at the context's route) until that
document's checks are done, so no page goes unchecked however fast the test moves on. Only
serious and critical violations count.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = ["serious", "critical"]
BINDING = "__accessibilityReport"

# Runs in every top-level document of the program after axe-core: one check at a time (axe
# refuses overlapping runs), each announced to the binding when it starts and when it ends.
RUNNER = """
(() => {
  if (window.top !== window || !location.protocol.startsWith("http")) return;
  const options = {runOnly: {type: "tag", values: %(tags)s}, resultTypes: ["violations"]};
  const impacts = %(impacts)s;
  const doc = Math.random().toString(36).slice(2);
  const report = window.%(binding)s;
  let started = 0;
  let chain = new Promise(done => window.addEventListener("load", done, {once: true}));
  const check = () => {
    const number = ++started;
    report({doc, started: number});
    chain = chain
      .then(() => new Promise(done => setTimeout(done, 0)))  // after the page's own handlers
      .then(() => axe.run(document, options))
      .then(results => {
        const found = [];
        for (const rule of results.violations) {
          if (!impacts.includes(rule.impact)) continue;
          for (const node of rule.nodes) {
            found.push({rule: rule.id, impact: rule.impact, help: rule.help,
                        target: node.target.join(" "), html: node.html.slice(0, 300)});
          }
        }
        return found;
      })
      .catch(error => [{rule: "axe-error", impact: "critical", help: String(error),
                        target: "", html: ""}])
      .then(found => report({doc, finished: number, url: location.href, found}));
    return chain;
  };
  check();
  document.addEventListener("htmx:afterSettle", () => { check(); });
  document.addEventListener("toggle", () => { check(); }, true);
  window.__accessibilityCheck = check;
})();
"""


@dataclass(frozen=True)
class Violation:
    url: str
    who: str
    rule: str
    impact: str
    help: str
    target: str
    html: str


@dataclass
class _Document:
    started: int = 0
    finished: int = 0
    held: list = field(default_factory=list)  # navigations waiting for the checks to end


class AccessibilityCheck:
    """What axe-core found on the pages of one test, collected from every context watched."""

    def __init__(self) -> None:
        self.violations: list[Violation] = []
        self.pages_checked: set[str] = set()
        self._who: dict[int, str] = {}
        self._documents: dict[int, tuple[str, _Document]] = {}  # page -> its current document

    @staticmethod
    def available() -> bool:
        return AXE_SCRIPT.is_file()

    def clear(self) -> None:
        self.violations.clear()
        self.pages_checked.clear()

    def watch(self, context) -> None:
        """Check every document of `context`."""
        if not self.available():
            warnings.warn(
                "axe-core is not installed (run `make test`, which needs npm): "
                "the browser tests ran without the accessibility check",
                stacklevel=2,
            )
            return
        context.expose_binding(BINDING, self._report)
        context.add_init_script(path=str(AXE_SCRIPT))
        context.add_init_script(
            script=RUNNER
            % {"tags": json.dumps(WCAG_TAGS), "impacts": json.dumps(IMPACTS), "binding": BINDING}
        )
        context.route("**/*", self._hold_navigation)
        close = context.close

        def close_after_checking(*args, **kwargs):
            for page in context.pages:
                self.check_now(page)
            return close(*args, **kwargs)

        context.close = close_after_checking

    def signed_in_as(self, page, who: str) -> None:
        self._who[id(page.context)] = who

    def check_now(self, page) -> None:
        """Check `page` as it is now (its results arrive before this returns)."""
        if page.is_closed():
            return
        try:
            page.evaluate("() => window.__accessibilityCheck ? window.__accessibilityCheck() : 0")
        except PlaywrightError as error:
            # Closed while navigating: the next document is checked as it loads, not here.
            if "Execution context was destroyed" not in error.message:
                raise

    def _report(self, source, message: dict) -> None:
        page = source["page"]
        doc_id, doc = self._documents.get(id(page), ("", _Document()))
        if message["doc"] != doc_id:
            doc_id, doc = message["doc"], _Document()
            self._documents[id(page)] = (doc_id, doc)
        if "started" in message:
            doc.started = max(doc.started, message["started"])
            return
        doc.finished = message["finished"]
        self.pages_checked.add(message["url"])
        who = self._who.get(id(page.context), "a visitor")
        for item in message["found"]:
            violation = Violation(url=message["url"], who=who, **item)
            if violation not in self.violations:
                self.violations.append(violation)
        if doc.finished >= doc.started:
            held, doc.held = doc.held, []
            for route in held:
                route.fallback()

    def _hold_navigation(self, route, request) -> None:
        frame = request.frame
        if request.is_navigation_request() and frame.parent_frame is None:
            _doc_id, doc = self._documents.get(id(frame.page), ("", _Document()))
            if doc.finished < doc.started:
                doc.held.append(route)
                return
        route.fallback()

    def report(self) -> str:
        """The violations by page and rule, each with the elements at fault."""
        lines: list[str] = []
        heading = None
        for violation in sorted(self.violations, key=lambda v: (v.url, v.who, v.rule)):
            page_rule = (violation.url, violation.who, violation.rule)
            if page_rule != heading:
                heading = page_rule
                lines.append(
                    f"{violation.url} (as {violation.who}): {violation.rule} "
                    f"[{violation.impact}] {violation.help}"
                )
            lines.append(f"    at {violation.target}: {violation.html}")
        return "\n".join(lines)
