"""What every figure of the report is called and what it means, in words a department chief
reads without the specification at hand.

One mapping, ``FIGURES``, from a figure's path in the report (``reach.successful_interactions``;
list entries as ``*``: ``maintenance.by_year.*.physician_years``) to its label and a one-sentence
definition. Every renderer that shows a figure to people takes its name from here: the
dashboards' tables, cards and charts, the PDF and the XLSX workbook. The JSON and the tidy CSV
keep the code names of the contract (docs/metrics.md), which is what programs read.

``GLOSSARY`` holds the terms the definitions lean on (period, physician-years, hidden counts).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .selectors import DURATION_BANDS

V = TypeVar("V")


class PerLanguage(Mapping[str, V]):
    """A mapping whose texts are in the active language: ``build`` writes it (with gettext)
    once per language, on first use, so the names are never frozen at import."""

    def __init__(self, build: Callable[[], dict[str, V]]):
        self._build = cache(lambda language: build())

    def _current(self) -> dict[str, V]:
        return self._build(get_language())

    def __getitem__(self, key: str) -> V:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


@dataclass(frozen=True)
class Figure:
    """A figure's label and its one-sentence definition; ``short`` names it where the context
    already says what is counted (a chart's bar, a table's column)."""

    label: str
    definition: str
    short: str = ""

    @property
    def brief(self) -> str:
        return self.short or self.label


def _dimension_labels() -> dict[str, str]:
    return {
        "reach": _("Reach"),
        "effectiveness": _("Effectiveness"),
        "adoption": _("Adoption"),
        "implementation": _("Implementation"),
        "maintenance": _("Maintenance"),
        "by_department": _("By department"),
        "supplementary": _("Supplementary"),
    }


def _dimension_questions() -> dict[str, str]:
    return {
        "reach": _("Who the program reaches"),
        "effectiveness": _("What physicians say about it"),
        "adoption": _("Where the program runs and who delivers it"),
        "implementation": _("How it is delivered"),
        "maintenance": _("Whether it lasts"),
    }


DIMENSION_LABELS: Mapping[str, str] = PerLanguage(_dimension_labels)
DIMENSION_QUESTIONS: Mapping[str, str] = PerLanguage(_dimension_questions)
"""The question each RE-AIM dimension answers, under its name on the summary."""


def _answer(
    block: str, positive: str, question: str, people: str, survey: str, *, likert: bool
) -> dict[str, Figure]:
    """The three figures of one survey question: the positive answers, respondents, share.
    ``people`` (capitalised) answered ``survey``."""
    names = {"question": question, "people": people, "survey": survey}
    if likert:
        label = _("%(question)s: agreed or strongly agreed")
        definition = _(
            "%(people)s who agreed or strongly agreed with this statement in %(survey)s in the "
            "period."
        )
        short = _("Agreed or strongly agreed")
        share = _("%(question)s: share who agreed or strongly agreed")
        share_definition = _("Those who agreed or strongly agreed out of those who answered.")
    else:
        label = _("%(question)s: answered yes")
        definition = _("%(people)s who answered yes to this question of %(survey)s in the period.")
        short = _("Answered yes")
        share = _("%(question)s: share who answered yes")
        share_definition = _("Those who answered yes out of those who answered.")
    return {
        f"{block}.{positive}": Figure(label % names, definition % names, short=short),
        f"{block}.respondents": Figure(
            _("%(question)s: people who answered") % names,
            _("%(people)s who answered this question of %(survey)s in the period.") % names,
            short=_("Answered"),
        ),
        f"{block}.proportion": Figure(share % names, share_definition, short=question),
    }


def _statements(block: str, questions: dict[str, str], who: tuple[str, str]) -> dict[str, Figure]:
    """The figures of every agree/disagree statement of one survey."""
    figures: dict[str, Figure] = {}
    for item, question in questions.items():
        figures.update(_answer(f"{block}.{item}", "agree", question, *who, likert=True))
    return figures


def _distribution(
    prefix: str, n: Figure, median: Figure, p25: Figure, p75: Figure, mean: Figure | None = None
) -> dict[str, Figure]:
    """The figures of a distribution: how many values, the median, the quartiles, the mean."""
    figures = {f"{prefix}.n": n, f"{prefix}.median": median}
    figures.update({f"{prefix}.p25": p25, f"{prefix}.p75": p75})
    if mean is not None:
        figures[f"{prefix}.mean"] = mean
    return figures


def _band_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)s minutes or more") % {"low": low}
    if low == 0:
        return _("Under %(high)s minutes") % {"high": high}
    return _("%(low)s to %(last)s minutes") % {"low": low, "last": high - 1}


def _window_figures() -> dict[str, Figure]:
    return {
        "successful_interactions": Figure(
            _("Support conversations"),
            _("Conversations with a peer supporter that took place in this window."),
        ),
        "physician_years": Figure(
            _("Physician-years"),
            _(
                "The time physicians of launched departments were on the roster in this window, "
                "in years."
            ),
        ),
        "interactions_per_100_physician_years": Figure(
            _("Conversations per 100 physician-years"),
            _(
                "Support conversations for every 100 years that physicians were on the roster in "
                "this "
                "window."
            ),
        ),
        "from": Figure(_("First day"), _("The first day of this window.")),
        "to": Figure(_("Last day"), _("The last day of this window.")),
    }


def _windows(windows: dict[str, Figure], prefix: str, names: tuple[str, ...]) -> dict[str, Figure]:
    return {f"{prefix}.*.{name}": windows[name] for name in names}


def _figures() -> dict[str, Figure]:
    recipient_questions = {
        "helpful": _("Found the conversation helpful"),
        "wellbeing_improved": _("Well-being improved after it"),
        "negative_emotions_decreased": _("Negative emotions about the event decreased"),
        "stigma_decreased": _("Feel less stigma about asking for support"),
        "comfortable_discussing": _("Felt comfortable discussing the event"),
        "culture_improved": _("Program improves how the department responds"),
    }
    supporter_questions = {
        "training_useful": _("Training was useful for the role"),
        "culture_shift": _("Peer support is shifting the culture"),
        "confidence": _("Confident reaching out to a colleague"),
    }
    recipients = (_("Supported colleagues"), _("the feedback survey sent after support"))
    supporters = (_("Peer supporters"), _("the survey after their training"))
    evaluation = (_("Physicians"), _("the program evaluation survey"))
    windows = _window_figures()
    had_interaction = _("Talked with a peer supporter")
    return {
        # -- Reach --
        "reach.successful_interactions": Figure(
            _("Support conversations"),
            _(
                "Conversations between a trained peer supporter and a colleague that took place in "
                "the period."
            ),
        ),
        "reach.interactions_logged": Figure(
            _("Contacts logged, including attempts"),
            _(
                "Every contact supporters logged in the period, whether or not a conversation "
                "took place."
            ),
        ),
        "reach.unique_physicians_supported": Figure(
            _("Physicians supported"),
            _("Different physicians who had at least one support conversation in the period."),
        ),
        "reach.eligible_physicians": Figure(
            _("Physicians who could be supported"),
            _("Physicians on the roster in the period whose department was taking part."),
        ),
        "reach.proportion_supported": Figure(
            _("Share of physicians supported"),
            _("Physicians supported out of the physicians who could be supported."),
        ),
        "reach.physician_years": Figure(
            _("Physician-years"),
            _(
                "The time physicians of launched departments were on the roster in the period, in "
                "years: ten physicians for half a year make five."
            ),
        ),
        "reach.interactions_per_100_physician_years": Figure(
            _("Conversations per 100 physician-years"),
            _(
                "Support conversations for every 100 years that physicians were on the roster, so "
                "departments and periods of different sizes compare fairly."
            ),
        ),
        "reach.by_source.self": Figure(
            _("Conversations after a physician asked for themself"),
            _("Support conversations that began with a physician asking for support for themself."),
            short=_("Asked for themself"),
        ),
        "reach.by_source.third_party": Figure(
            _("Conversations after a colleague asked"),
            _("Support conversations that began with a colleague asking on a physician's behalf."),
            short=_("A colleague asked"),
        ),
        "reach.by_source.event": Figure(
            _("Conversations after a difficult event"),
            _("Support conversations that began with outreach after a known difficult event."),
            short=_("After a difficult event"),
        ),
        "reach.by_source.proactive": Figure(
            _("Conversations a supporter started unasked"),
            _("Support conversations a supporter logged without any request."),
            short=_("Supporter reached out"),
        ),
        **_answer(
            "reach.survey_had_interaction",
            "yes",
            had_interaction,
            *evaluation,
            likert=False,
        ),
        # -- Effectiveness --
        **_answer(
            "effectiveness.would_recommend",
            "yes",
            _("Would recommend the program"),
            *evaluation,
            likert=False,
        ),
        **_statements("effectiveness.recipient_feedback", recipient_questions, recipients),
        **_answer(
            "effectiveness.recipient_feedback.would_recommend",
            "yes",
            _("Would recommend it to a colleague"),
            *recipients,
            likert=False,
        ),
        **_statements("effectiveness.supporter_training", supporter_questions, supporters),
        "effectiveness.wellbeing.respondents": Figure(
            _("Well-being survey: people who answered"),
            _(
                "Physicians who answered all five questions of the WHO-5 well-being survey in "
                "the period."
            ),
        ),
        "effectiveness.wellbeing.mean_index": Figure(
            _("Average well-being score (0 to 100)"),
            _("The average WHO-5 well-being score of those who answered; higher is better."),
        ),
        "effectiveness.wellbeing.poor_wellbeing": Figure(
            _("Well-being survey: poor well-being"),
            _(
                "Those who answered whose well-being score was below 52, the usual sign of poor "
                "well-being."
            ),
        ),
        "effectiveness.wellbeing.proportion_poor": Figure(
            _("Share with poor well-being"),
            _("Those with a score below 52 out of those who answered the well-being survey."),
        ),
        # -- Adoption --
        "adoption.departments_total": Figure(
            _("Departments"), _("The departments this report covers, taking part or not.")
        ),
        "adoption.departments_adopted": Figure(
            _("Departments taking part"),
            _("Departments that had launched the program and not left it during the period."),
        ),
        "adoption.proportion_departments": Figure(
            _("Share of departments taking part"),
            _("Departments taking part out of all departments this report covers."),
        ),
        "adoption.physicians_total": Figure(
            _("Physicians on the roster"),
            _("Physicians on the roster of these departments at some time in the period."),
        ),
        "adoption.physicians_in_adopting_departments": Figure(
            _("Physicians in departments taking part"),
            _(
                "Physicians on the roster of a department taking part; the same as the physicians "
                "who could be supported."
            ),
        ),
        "adoption.proportion_physicians_covered": Figure(
            _("Share of physicians covered"),
            _("Physicians in departments taking part out of all physicians on the roster."),
        ),
        "adoption.supporters_trained": Figure(
            _("Trained peer supporters"),
            _(
                "Physicians of these departments who had completed the initial peer supporter "
                "training by the end of the period."
            ),
        ),
        "adoption.supporters_trained_in_period": Figure(
            _("Peer supporters trained in the period"),
            _("Trained peer supporters who completed their initial training during the period."),
        ),
        "adoption.supporters_active": Figure(
            _("Active peer supporters"),
            _("Trained peer supporters who had at least one support conversation in the period."),
        ),
        "adoption.supporters_per_100_physicians": Figure(
            _("Peer supporters per 100 physicians"),
            _("Trained peer supporters for every 100 physicians who could be supported."),
        ),
        # -- Implementation --
        **_distribution(
            "implementation.duration_minutes",
            n=Figure(
                _("Conversations timed"),
                _("Support conversations in the period, each with its length recorded."),
            ),
            median=Figure(
                _("Median conversation length (minutes)"),
                _(
                    "The middle value: half of the support conversations lasted less, half lasted "
                    "more."
                ),
            ),
            p25=Figure(
                _("Conversation length, lower quarter (minutes)"),
                _("A quarter of the support conversations lasted this long or less."),
            ),
            p75=Figure(
                _("Conversation length, upper quarter (minutes)"),
                _("A quarter of the support conversations lasted this long or more."),
            ),
            mean=Figure(
                _("Average conversation length (minutes)"),
                _("The total conversation length divided by the number of support conversations."),
            ),
        ),
        "implementation.total_support_hours": Figure(
            _("Hours of support given"),
            _("The total length of all support conversations in the period, in hours."),
        ),
        "implementation.escalated": Figure(
            _("Conversations pointing to professional help"),
            _(
                "Support conversations after which the supporter pointed the colleague to "
                "professional help."
            ),
        ),
        "implementation.escalation_rate": Figure(
            _("Share pointed to professional help"),
            _("Conversations pointing to professional help out of all support conversations."),
        ),
        "implementation.referrals.received": Figure(
            _("Requests for support received"),
            _("Requests for peer support (referrals) received in the period."),
        ),
        "implementation.referrals.by_source.self": Figure(
            _("Requests from physicians for themselves"),
            _("Requests a physician made for themself."),
            short=_("For themself"),
        ),
        "implementation.referrals.by_source.third_party": Figure(
            _("Requests from colleagues"),
            _("Requests a colleague made on a physician's behalf."),
            short=_("From a colleague"),
        ),
        "implementation.referrals.by_source.event": Figure(
            _("Requests after a difficult event"),
            _("Outreach the coordinators started after a known difficult event."),
            short=_("After a difficult event"),
        ),
        "implementation.referrals.contacted": Figure(
            _("Requests with a first contact"),
            _("Requests received in the period in which the supporter has reached the colleague."),
        ),
        **_distribution(
            "implementation.referrals.hours_to_first_contact",
            n=Figure(
                _("Requests timed to first contact"),
                _(
                    "Requests received in the period that had a first contact, whose waiting times "
                    "these figures describe."
                ),
            ),
            median=Figure(
                _("Median time to first contact (hours)"),
                _(
                    "The middle value: half of the requests contacted waited less, half waited "
                    "more."
                ),
            ),
            p25=Figure(
                _("Time to first contact, lower quarter (hours)"),
                _("A quarter of the requests contacted waited this long or less."),
            ),
            p75=Figure(
                _("Time to first contact, upper quarter (hours)"),
                _("A quarter of the requests contacted waited this long or more."),
            ),
        ),
        "implementation.referrals.within_deadline": Figure(
            _("Requests contacted in time"),
            _(
                "Requests in which the colleague was first contacted within the program's deadline "
                "(24 hours unless the program set another)."
            ),
        ),
        "implementation.referrals.proportion_within_deadline": Figure(
            _("Share of requests contacted in time"),
            _("Requests contacted within the deadline out of all requests received."),
        ),
        "implementation.referrals.outcomes.supported": Figure(
            _("Requests closed as supported"),
            _("Requests that ended with the colleague supported."),
            short=_("Supported"),
        ),
        "implementation.referrals.outcomes.declined": Figure(
            _("Requests the colleague declined"),
            _("Requests in which the colleague did not want support."),
            short=_("Declined"),
        ),
        "implementation.referrals.outcomes.unreachable": Figure(
            _("Requests closed as unreachable"),
            _("Requests closed because the colleague could not be reached."),
            short=_("Unreachable"),
        ),
        "implementation.referrals.outcomes.referred_out": Figure(
            _("Requests handed to professional care"),
            _("Requests handed on to professional care instead of peer support."),
            short=_("Handed to professional care"),
        ),
        "implementation.referrals.outcomes.open": Figure(
            _("Requests still open"),
            _("Requests received in the period that are not closed yet."),
            short=_("Still open"),
        ),
        "implementation.referrals.acceptance_rate": Figure(
            _("Share of offers accepted"),
            _("Colleagues supported out of those who were supported or declined."),
        ),
        # -- Maintenance --
        **_windows(
            windows,
            "maintenance.by_year",
            ("from", "to", "successful_interactions", "physician_years"),
        ),
        "maintenance.by_year.*.interactions_per_100_physician_years": windows[
            "interactions_per_100_physician_years"
        ],
        **_windows(windows, "maintenance.by_quarter", ("from", "to", "successful_interactions")),
        "maintenance.trend_ratio": Figure(
            _("Change in the rate, last year against the first"),
            _(
                "Conversations per 100 physician-years in the last 12 months of the period "
                "divided by "
                "the same in its first 12 months; above 1 means the program grew."
            ),
        ),
        "maintenance.departments_sustained": Figure(
            _("Departments still active"),
            _(
                "Departments that launched at least a year before the end of the period and had a "
                "support conversation in its last six months."
            ),
        ),
        "maintenance.departments_eligible_for_sustainment": Figure(
            _("Departments running for a year or more"),
            _(
                "Departments that launched at least a year before the end of the period and are "
                "still taking part."
            ),
        ),
        "maintenance.supporters_retained": Figure(
            _("Peer supporters still active"),
            _(
                "Peer supporters trained at least a year before the end of the period who had a "
                "support conversation in its last twelve months."
            ),
        ),
        "maintenance.supporters_eligible_for_retention": Figure(
            _("Peer supporters trained a year ago or more"),
            _(
                "Peer supporters who completed their initial training at least a year before the "
                "end "
                "of the period."
            ),
        ),
        "maintenance.supporters_training_current": Figure(
            _("Peer supporters with current training"),
            _(
                "Trained peer supporters whose latest course (initial or refresher) is recent "
                "enough "
                "by the program's rule (two years unless it set another)."
            ),
        ),
        # -- By department --
        "by_department.*.site": Figure(_("Site"), _("The hospital the department belongs to.")),
        "by_department.*.department": Figure(_("Department"), _("The department's name.")),
        "by_department.*.launched_on": Figure(
            _("Launched on"), _("The day the department launched the program (empty if not yet).")
        ),
        "by_department.*.adopted": Figure(
            _("Taking part"),
            _("Whether the department was taking part in the program in the period."),
        ),
        "by_department.*.physicians": Figure(
            _("Physicians on the roster"),
            _("The department's physicians on the roster at some time in the period."),
        ),
        "by_department.*.successful_interactions": Figure(
            _("Support conversations"),
            _("Support conversations with the department's physicians in the period."),
        ),
        "by_department.*.unique_physicians_supported": Figure(
            _("Physicians supported"),
            _(
                "Different physicians of the department who had a support conversation in the "
                "period."
            ),
        ),
        "by_department.*.physician_years": Figure(
            _("Physician-years"),
            _("The time the department's physicians were on the roster in the period, in years."),
        ),
        "by_department.*.interactions_per_100_physician_years": Figure(
            _("Conversations per 100 physician-years"),
            _(
                "The department's support conversations for every 100 years its physicians were on "
                "the roster."
            ),
        ),
        "by_department.*.median_duration_minutes": Figure(
            _("Median conversation length (minutes)"),
            _("The middle length of the department's support conversations."),
        ),
        "by_department.*.supporters_trained": Figure(
            _("Trained peer supporters"),
            _("The department's physicians who had completed the initial peer supporter training."),
        ),
        **{
            f"by_department.*.{path.partition('.')[2]}": figure
            for path, figure in _answer(
                "reach.survey_had_interaction",
                "yes",
                had_interaction,
                _("The department's physicians"),
                evaluation[1],
                likert=False,
            ).items()
        },
        # -- Supplementary: the numbers behind the charts --
        **_windows(
            windows,
            "supplementary.quarterly_trend",
            ("from", "to", "successful_interactions", "physician_years"),
        ),
        "supplementary.quarterly_trend.*.interactions_per_100_physician_years": windows[
            "interactions_per_100_physician_years"
        ],
        **{
            f"supplementary.duration_histogram.{band}": Figure(
                _("Conversations of %(band)s") % {"band": _band_label(low, high).lower()},
                _("Support conversations in the period that lasted %(band)s.")
                % {"band": _band_label(low, high).lower()},
                short=_band_label(low, high),
            )
            for band, low, high in DURATION_BANDS
        },
    }


def _glossary() -> dict[str, Figure]:
    return {
        "period": Figure(
            _("Period"),
            _("The days the report covers, the first and the last included."),
        ),
        "scope": Figure(
            _("Scope"),
            _(
                "The departments the report covers: the whole program, one site or chosen "
                "departments; a conversation, request or survey answer counts for the supported "
                "physician's department."
            ),
        ),
        "taking_part": Figure(
            _("Taking part"),
            _(
                "A department takes part in a period when it launched the program on or before the "
                "period's last day and had not left it before the first."
            ),
        ),
        "physician_years": Figure(
            _("Physician-years"),
            _(
                "One physician on the roster for a whole year; rates per 100 physician-years "
                "compare "
                "departments and periods of different sizes fairly."
            ),
        ),
        "hidden": Figure(
            _("Hidden small counts"),
            _(
                "In reports for sharing and on department leads' dashboards, any count of care "
                "from 1 "
                "to just below the threshold is hidden, with what would reveal it; zeros and the "
                "counts of "
                "departments, roster and trained supporters are always shown."
            ),
        ),
        "not_available": Figure(
            _("Not available"),
            _(
                "A share or rate with nothing to divide by, such as a share of survey answers when "
                "nobody answered."
            ),
        ),
        "previous_period": Figure(
            _("Previous period"),
            _(
                "The period of the same length (as many calendar months when this one is whole "
                "months, as many days otherwise) that ends the day before this one starts, used "
                "for "
                "the changes on the summary."
            ),
        ),
    }


FIGURES: Mapping[str, Figure] = PerLanguage(_figures)
GLOSSARY: Mapping[str, Figure] = PerLanguage(_glossary)

_INDEX = re.compile(r"(?<=\.)\d+(?=\.|$)")


def figure_key(path: str) -> str:
    """The key of ``FIGURES`` for a concrete path: list indices become ``*``
    (``maintenance.by_year.2.physician_years`` -> ``maintenance.by_year.*.physician_years``)."""
    return _INDEX.sub("*", path)


def figure_for(path: str) -> Figure | None:
    """The label and definition of the figure at ``path`` (None for a figure not described)."""
    return FIGURES.get(figure_key(path))


def label_for(path: str) -> str:
    """The figure's label; a figure not described yet reads as its words, never its code."""
    figure = figure_for(path)
    if figure is not None:
        return figure.label
    leaf = figure_key(path).rpartition(".")[2]
    return leaf.replace("_", " ").capitalize()


def short_label_for(path: str) -> str:
    figure = figure_for(path)
    return figure.brief if figure is not None else label_for(path)


def definition_for(path: str) -> str:
    figure = figure_for(path)
    return figure.definition if figure is not None else ""


def figures_by_dimension() -> list[tuple[str, list[Figure]]]:
    """The figures in the order of the report, one group per dimension (the appendix and the
    workbook's last sheet), each figure once."""
    groups: dict[str, list[Figure]] = {}
    for key, figure in FIGURES.items():
        entries = groups.setdefault(DIMENSION_LABELS[key.partition(".")[0]], [])
        if figure not in entries:
            entries.append(figure)
    return list(groups.items())
