"""Why each figure that misses its target misses it, as measured (docs/performance.md, "The
misses, measured"): written into bench/results.json beside the figure, so that the file says by
how much (the ratio) and why. A miss with no cause here is reported as unexplained."""

from __future__ import annotations

CAUSES = {
    "report, site, 5 years": (
        "The floor reads each table once in five statements; the report issues about 25 and "
        "its passes over the site's raw interactions (distinct physicians, the days outside "
        "whole months) read heap pages scattered through the table; 0.36 s at L."
    ),
    "report, department, 5 years": (
        "Fixed cost per statement: the report's 25 statements at 2-3 ms each (Django compiling "
        "it, a round trip, planning) against the floor's five index lookups; flat with size "
        "(k about 0), 66 ms at L."
    ),
    "program dashboard, 12 months, p95": (
        "Two reports: the period's (0.6-0.8 s at L, of which the distinct supported physicians, "
        "a hashed DISTINCT of 216,000 rows with a 64-character pseudonym, take about 0.3 s) and "
        "the previous period's headline figures (about 0.3 s, the same distinct count again), "
        "then the page; median 1.11 s."
    ),
    "program dashboard, 5 years, p95": (
        "The five-year report itself is 1.38 s at L (0.88 of its floor); the page adds the "
        "previous period's headline figures and the rendering of 400 departments' rows."
    ),
    "program dashboard, 12 months, queries": (
        "Not the size but the clock: once a minute a request renews the session (an UPDATE of "
        "django_session) and reads the program settings again when their cached copy has "
        "lapsed; measured at L, 37 statements after the warm-up and 39 after a 62 s pause."
    ),
    "referral submissions, for oneself (joining the open one)": (
        "The floor view makes 5 statements; joining an open referral makes 12 (its history "
        "event, the audit row, the lookups of the form's key and the open referral, the "
        "session), each a round trip in the request's transaction."
    ),
    "referral submissions, for a colleague (new referrals)": (
        "A new referral makes 17-18 statements: seven rows in seven tables in one transaction "
        "(the referral, its monthly rollup count, its history event, the audit row, the "
        "coordinators' notification and outbox email, the deadline reminder), the roster check, "
        "the coordinators' lookup and the session."
    ),
    "export_program, time": (
        "Python work per row, about 10 microseconds for each of 1.9 million rows: each cell "
        "turned into the import's text (dates, local times, yes/no, formula neutralisation), "
        "the csv writer and the database driver; \\copy does it in C but cannot write the same "
        "bytes."
    ),
    "import 100,000 interactions, time": (
        "Checking every row in Python as the import's messages require, and keeping the "
        "monthly rollups: about 3 s of Python (counting, sorting and sending 200,000 cells) "
        "and 3-5 s of the server's upserts, which the floor (COPY and one INSERT...SELECT) "
        "does not do."
    ),
}


def explained(figures: list[dict]) -> list[dict]:
    """``figures`` with ``why`` on each that missed its target (None: not explained)."""
    for figure in figures:
        if figure.get("met") is False:
            figure["why"] = CAUSES.get(figure["name"])
    return figures
