"""The report's summary: one headline figure per RE-AIM dimension, each against the previous
period of the same length, and the period's PRISM notes counted by tag (the top of the program
dashboard and the PDF's first page).

The previous period is a second report of the same scope and threshold (its headline figures
alone when nothing is suppressed); nothing here computes a number the report does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from post_program.models import FIRST_DAY

from ..labels import DIMENSION_LABELS, DIMENSION_QUESTIONS, definition_for, label_for
from ..metrics import Window, add_months
from ..models import PrismTag
from ..numbers import number_text
from ..report import SECTIONS, HeadlineReport, ReAimReport
from .display import display_number, is_percent, tagged_phrase
from .tidy import lookup


def _whole_months(period: Window) -> int | None:
    """How many calendar months ``period`` spans when it runs from a month's first day to a
    month's last day (None otherwise)."""
    if period.start.day != 1 or (period.end + timedelta(days=1)).day != 1:
        return None
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def previous_period(period: Window) -> Window | None:
    """The period of the same length that ends the day before ``period`` starts.

    A period of whole calendar months (a quarter, a year) is compared with the same number of
    months before it, so a quarter is compared with the quarter before: whole quarters are what
    department leads may see, and a window shifted by a day or two would let a small count be
    recomputed by subtraction. Any other period is compared with as many days before it. The
    previous period is clipped to ``FIRST_DAY``; None when the period starts on that day.
    """
    end = period.start - timedelta(days=1)
    if end < FIRST_DAY:
        return None
    months = _whole_months(period)
    if months is not None:
        start = add_months(period.start, -months)
    else:
        start = end - (period.end - period.start)
    return Window(max(start, FIRST_DAY), end)


def previous_report(report: ReAimReport) -> ReAimReport | None:
    """The same report (scope, threshold, settings) for the previous period, or None: its
    headline figures alone when nothing is suppressed, else the whole report (whether a
    figure is hidden depends on the others)."""
    period = previous_period(report.period)
    if period is None:
        return None
    if report.threshold is None:
        return HeadlineReport(
            period=period,
            scope=report.scope,
            generated_at=report.generated_at,
            refresher_months=report.refresher_months,
            deadline_hours=report.deadline_hours,
        )
    return replace(report, period=period)  # a new object: nothing computed is carried over


@dataclass(frozen=True)
class Headline:
    """A dimension's headline figure and the figures that explain it: ``of`` is the count the
    value is part of, ``share`` a proportion shown beside a count."""

    dimension: str
    path: str
    of: str
    phrase: str
    """How the card says what the figure is counted from (gettext_noop: translated when shown);
    ``{whole}`` is ``of`` as shown, ``{part}`` and ``{share}`` the figures of those names."""
    part: str | None = None
    share: str | None = None


HEADLINES = (
    Headline(
        "reach",
        "reach.unique_physicians_supported",
        of="reach.eligible_physicians",
        phrase=gettext_noop("of {whole} physicians who could be supported ({share})"),
        share="reach.proportion_supported",
    ),
    Headline(
        "effectiveness",
        "effectiveness.would_recommend.proportion",
        part="effectiveness.would_recommend.yes",
        of="effectiveness.would_recommend.respondents",
        phrase=gettext_noop("{part} of {whole} physicians who answered"),
    ),
    Headline(
        "adoption",
        "adoption.departments_adopted",
        of="adoption.departments_total",
        phrase=gettext_noop("of {whole} departments ({share})"),
        share="adoption.proportion_departments",
    ),
    Headline(
        "implementation",
        "implementation.referrals.proportion_within_deadline",
        part="implementation.referrals.within_deadline",
        of="implementation.referrals.received",
        phrase=gettext_noop("{part} of {whole} requests received"),
    ),
    Headline(
        "maintenance",
        "maintenance.departments_sustained",
        of="maintenance.departments_eligible_for_sustainment",
        phrase=gettext_noop("of {whole} departments running for a year or more"),
    ),
)
assert tuple(h.dimension for h in HEADLINES) == SECTIONS


def _shown(report: ReAimReport, path: str) -> str:
    value = lookup(report.data, path)
    hidden = value is None and lookup(report.exact, path) is not None
    return display_number(path, value, suppressed=hidden)


def _detail(report: ReAimReport, headline: Headline) -> tuple[str, dict[str, tuple[str, str]]]:
    """``{part} of {whole} requests received`` or ``of {whole} departments ({share})`` in the
    active language, and the figures it names: (path, shown number) by name."""
    numbers = {"whole": (headline.of, _shown(report, headline.of))}
    if headline.part is not None:
        numbers["part"] = (headline.part, _shown(report, headline.part))
    if headline.share is not None:
        numbers["share"] = (headline.share, _shown(report, headline.share))
    return _(headline.phrase), numbers


def _change(report: ReAimReport, previous: ReAimReport | None, path: str) -> dict[str, str] | None:
    """How the figure moved since the previous period (named where the summary starts): a
    direction (up, down, same, none) and a sentence."""
    if previous is None:
        return {"direction": "none", "text": _("No previous period to compare with.")}
    now, before = lookup(report.data, path), lookup(previous.data, path)
    if now is None or before is None:
        was_hidden = (now is None and lookup(report.exact, path) is not None) or (
            before is None and lookup(previous.exact, path) is not None
        )
        text = (
            _("No comparison: a small count is hidden.")
            if was_hidden
            else _("No comparison: the figure cannot be worked out for one of the two periods.")
        )
        return {"direction": "none", "text": text}
    difference = now - before
    if is_percent(path):
        amount = _("%(points)s percentage points") % {
            "points": number_text(abs(difference) * 100, 1)
        }
    elif isinstance(difference, int):
        amount = number_text(abs(difference))
    else:
        amount = number_text(abs(difference), 2)
    names = {"amount": amount, "before": display_number(path, before)}
    if abs(difference) < 1e-9:
        return {"direction": "same", "text": _("Same as the previous period (%(before)s).") % names}
    if difference > 0:
        return {"direction": "up", "text": _("Up %(amount)s from %(before)s.") % names}
    return {"direction": "down", "text": _("Down %(amount)s from %(before)s.") % names}


def summary_cards(
    report: ReAimReport, previous: ReAimReport | None = None, *, compare: bool = True
) -> list[dict[str, Any]]:
    """The five dimensions' headline figures; with ``compare``, each with its change against
    ``previous`` (None: there is no previous period)."""
    cards = []
    for headline in HEADLINES:
        phrase, numbers = _detail(report, headline)
        cards.append(
            {
                "dimension": headline.dimension,
                "dimension_label": DIMENSION_LABELS[headline.dimension],
                "question": DIMENSION_QUESTIONS[headline.dimension],
                "path": headline.path,
                "label": label_for(headline.path),
                "value": _shown(report, headline.path),
                "detail": phrase.format(**{name: shown for name, (_, shown) in numbers.items()}),
                "detail_html": tagged_phrase(phrase, numbers),
                "definition": definition_for(headline.path),
                "change": _change(report, previous, headline.path) if compare else None,
            }
        )
    return cards


def figure_card(report: ReAimReport, previous: ReAimReport | None, path: str) -> dict[str, Any]:
    """One figure of the report with its label, its definition and its change against
    ``previous``, as the summary shows its headlines (a home page's further figures)."""
    return {
        "path": path,
        "label": label_for(path),
        "value": _shown(report, path),
        "definition": definition_for(path),
        "change": _change(report, previous, path),
    }


def prism_tag_counts(report: ReAimReport) -> list[dict[str, Any]]:
    """The period's PRISM notes counted by tag: barriers, facilitators, context."""
    notes = report.prism_notes
    return [
        {"tag": label, "count": sum(1 for note in notes if note["tag"] == value)}
        for value, label in PrismTag.choices
    ]


def previous_period_words(previous: ReAimReport | None) -> str:
    if previous is None:
        return _("no previous period")
    return _("%(start)s to %(end)s") % {"start": _iso(previous.start), "end": _iso(previous.end)}


def _iso(day: date) -> str:
    return day.isoformat()
