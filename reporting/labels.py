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
from dataclasses import dataclass

from .selectors import DURATION_BANDS


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


DIMENSION_LABELS = {
    "reach": "Reach",
    "effectiveness": "Effectiveness",
    "adoption": "Adoption",
    "implementation": "Implementation",
    "maintenance": "Maintenance",
    "by_department": "By department",
    "supplementary": "Supplementary",
}

DIMENSION_QUESTIONS = {
    "reach": "Who the program reaches",
    "effectiveness": "What physicians say about it",
    "adoption": "Where the program runs and who delivers it",
    "implementation": "How it is delivered",
    "maintenance": "Whether it lasts",
}
"""The question each RE-AIM dimension answers, under its name on the summary."""


def _answer(
    block: str, positive: str, question: str, people: str, survey: str, *, likert: bool
) -> dict[str, Figure]:
    """The three figures of one survey question: the positive answers, respondents, share."""
    verb = "agreed or strongly agreed" if likert else "answered yes"
    what = "with this statement in" if likert else "to this question of"
    return {
        f"{block}.{positive}": Figure(
            f"{question}: {verb}",
            f"{people.capitalize()} who {verb} {what} {survey} in the period.",
            short=verb.capitalize(),
        ),
        f"{block}.respondents": Figure(
            f"{question}: people who answered",
            f"{people.capitalize()} who answered this question of {survey} in the period.",
            short="Answered",
        ),
        f"{block}.proportion": Figure(
            f"{question}: share who {verb}",
            f"Those who {verb} out of those who answered.",
            short=question,
        ),
    }


def _statements(block: str, questions: dict[str, str], who: tuple[str, str]) -> dict[str, Figure]:
    """The figures of every agree/disagree statement of one survey."""
    figures: dict[str, Figure] = {}
    for item, question in questions.items():
        figures.update(_answer(f"{block}.{item}", "agree", question, *who, likert=True))
    return figures


def _distribution(
    prefix: str, what: str, unit: str, counted: str, verb: str, n: Figure, *, mean: bool
) -> dict[str, Figure]:
    """The figures of a distribution: how many values, the median, the quartiles, the mean."""
    figures = {
        f"{prefix}.n": n,
        f"{prefix}.median": Figure(
            f"Median {what} ({unit})",
            f"The middle value: half of the {counted} {verb} less, half {verb} more.",
        ),
        f"{prefix}.p25": Figure(
            f"{what.capitalize()}, lower quarter ({unit})",
            f"A quarter of the {counted} {verb} this long or less.",
        ),
        f"{prefix}.p75": Figure(
            f"{what.capitalize()}, upper quarter ({unit})",
            f"A quarter of the {counted} {verb} this long or more.",
        ),
    }
    if mean:
        figures[f"{prefix}.mean"] = Figure(
            f"Average {what} ({unit})",
            f"The total {what} divided by the number of {counted}.",
        )
    return figures


def _band_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low} minutes or more"
    if low == 0:
        return f"Under {high} minutes"
    return f"{low} to {high - 1} minutes"


_RECIPIENT_QUESTIONS = {
    "helpful": "Found the conversation helpful",
    "wellbeing_improved": "Well-being improved after it",
    "negative_emotions_decreased": "Negative emotions about the event decreased",
    "stigma_decreased": "Feel less stigma about asking for support",
    "comfortable_discussing": "Felt comfortable discussing the event",
    "culture_improved": "Program improves how the department responds",
}
_SUPPORTER_QUESTIONS = {
    "training_useful": "Training was useful for the role",
    "culture_shift": "Peer support is shifting the culture",
    "confidence": "Confident reaching out to a colleague",
}
_RECIPIENTS = ("supported colleagues", "the feedback survey sent after support")
_SUPPORTERS = ("peer supporters", "the survey after their training")
_EVALUATION = ("physicians", "the program evaluation survey")

_WINDOW_FIGURES = {
    "successful_interactions": Figure(
        "Support conversations",
        "Conversations with a peer supporter that took place in this window.",
    ),
    "physician_years": Figure(
        "Physician-years",
        "The time physicians of launched departments were on the roster in this window, in years.",
    ),
    "interactions_per_100_physician_years": Figure(
        "Conversations per 100 physician-years",
        "Support conversations for every 100 years that physicians were on the roster in this "
        "window.",
    ),
    "from": Figure("First day", "The first day of this window."),
    "to": Figure("Last day", "The last day of this window."),
}


def _windows(prefix: str, names: tuple[str, ...]) -> dict[str, Figure]:
    return {f"{prefix}.*.{name}": _WINDOW_FIGURES[name] for name in names}


FIGURES: dict[str, Figure] = {
    # -- Reach --
    "reach.successful_interactions": Figure(
        "Support conversations",
        "Conversations between a trained peer supporter and a colleague that took place in "
        "the period.",
    ),
    "reach.interactions_logged": Figure(
        "Contacts logged, including attempts",
        "Every contact supporters logged in the period, whether or not a conversation took place.",
    ),
    "reach.unique_physicians_supported": Figure(
        "Physicians supported",
        "Different physicians who had at least one support conversation in the period.",
    ),
    "reach.eligible_physicians": Figure(
        "Physicians who could be supported",
        "Physicians on the roster in the period whose department was taking part.",
    ),
    "reach.proportion_supported": Figure(
        "Share of physicians supported",
        "Physicians supported out of the physicians who could be supported.",
    ),
    "reach.physician_years": Figure(
        "Physician-years",
        "The time physicians of launched departments were on the roster in the period, in "
        "years: ten physicians for half a year make five.",
    ),
    "reach.interactions_per_100_physician_years": Figure(
        "Conversations per 100 physician-years",
        "Support conversations for every 100 years that physicians were on the roster, so "
        "departments and periods of different sizes compare fairly.",
    ),
    "reach.by_source.self": Figure(
        "Conversations after a physician asked for themself",
        "Support conversations that began with a physician asking for support for themself.",
        short="Asked for themself",
    ),
    "reach.by_source.third_party": Figure(
        "Conversations after a colleague asked",
        "Support conversations that began with a colleague asking on a physician's behalf.",
        short="A colleague asked",
    ),
    "reach.by_source.event": Figure(
        "Conversations after a difficult event",
        "Support conversations that began with outreach after a known difficult event.",
        short="After a difficult event",
    ),
    "reach.by_source.proactive": Figure(
        "Conversations a supporter started unasked",
        "Support conversations a supporter logged without any request.",
        short="Supporter reached out",
    ),
    **_answer(
        "reach.survey_had_interaction",
        "yes",
        "Talked with a peer supporter",
        *_EVALUATION,
        likert=False,
    ),
    # -- Effectiveness --
    **_answer(
        "effectiveness.would_recommend",
        "yes",
        "Would recommend the program",
        *_EVALUATION,
        likert=False,
    ),
    **_statements("effectiveness.recipient_feedback", _RECIPIENT_QUESTIONS, _RECIPIENTS),
    **_answer(
        "effectiveness.recipient_feedback.would_recommend",
        "yes",
        "Would recommend it to a colleague",
        *_RECIPIENTS,
        likert=False,
    ),
    **_statements("effectiveness.supporter_training", _SUPPORTER_QUESTIONS, _SUPPORTERS),
    "effectiveness.wellbeing.respondents": Figure(
        "Well-being survey: people who answered",
        "Physicians who answered all five questions of the WHO-5 well-being survey in the period.",
    ),
    "effectiveness.wellbeing.mean_index": Figure(
        "Average well-being score (0 to 100)",
        "The average WHO-5 well-being score of those who answered; higher is better.",
    ),
    "effectiveness.wellbeing.poor_wellbeing": Figure(
        "Well-being survey: poor well-being",
        "Those who answered whose well-being score was below 52, the usual sign of poor "
        "well-being.",
    ),
    "effectiveness.wellbeing.proportion_poor": Figure(
        "Share with poor well-being",
        "Those with a score below 52 out of those who answered the well-being survey.",
    ),
    # -- Adoption --
    "adoption.departments_total": Figure(
        "Departments", "The departments this report covers, taking part or not."
    ),
    "adoption.departments_adopted": Figure(
        "Departments taking part",
        "Departments that had launched the program and not left it during the period.",
    ),
    "adoption.proportion_departments": Figure(
        "Share of departments taking part",
        "Departments taking part out of all departments this report covers.",
    ),
    "adoption.physicians_total": Figure(
        "Physicians on the roster",
        "Physicians on the roster of these departments at some time in the period.",
    ),
    "adoption.physicians_in_adopting_departments": Figure(
        "Physicians in departments taking part",
        "Physicians on the roster of a department taking part; the same as the physicians "
        "who could be supported.",
    ),
    "adoption.proportion_physicians_covered": Figure(
        "Share of physicians covered",
        "Physicians in departments taking part out of all physicians on the roster.",
    ),
    "adoption.supporters_trained": Figure(
        "Trained peer supporters",
        "Physicians of these departments who had completed the initial peer supporter "
        "training by the end of the period.",
    ),
    "adoption.supporters_trained_in_period": Figure(
        "Peer supporters trained in the period",
        "Trained peer supporters who completed their initial training during the period.",
    ),
    "adoption.supporters_active": Figure(
        "Active peer supporters",
        "Trained peer supporters who had at least one support conversation in the period.",
    ),
    "adoption.supporters_per_100_physicians": Figure(
        "Peer supporters per 100 physicians",
        "Trained peer supporters for every 100 physicians who could be supported.",
    ),
    # -- Implementation --
    **_distribution(
        "implementation.duration_minutes",
        "conversation length",
        "minutes",
        "support conversations",
        "lasted",
        Figure(
            "Conversations timed",
            "Support conversations in the period, each with its length recorded.",
        ),
        mean=True,
    ),
    "implementation.total_support_hours": Figure(
        "Hours of support given",
        "The total length of all support conversations in the period, in hours.",
    ),
    "implementation.escalated": Figure(
        "Conversations pointing to professional help",
        "Support conversations after which the supporter pointed the colleague to "
        "professional help.",
    ),
    "implementation.escalation_rate": Figure(
        "Share pointed to professional help",
        "Conversations pointing to professional help out of all support conversations.",
    ),
    "implementation.referrals.received": Figure(
        "Requests for support received",
        "Requests for peer support (referrals) received in the period.",
    ),
    "implementation.referrals.by_source.self": Figure(
        "Requests from physicians for themselves",
        "Requests a physician made for themself.",
        short="For themself",
    ),
    "implementation.referrals.by_source.third_party": Figure(
        "Requests from colleagues",
        "Requests a colleague made on a physician's behalf.",
        short="From a colleague",
    ),
    "implementation.referrals.by_source.event": Figure(
        "Requests after a difficult event",
        "Outreach the coordinators started after a known difficult event.",
        short="After a difficult event",
    ),
    "implementation.referrals.contacted": Figure(
        "Requests with a first contact",
        "Requests received in the period in which the supporter has reached the colleague.",
    ),
    **_distribution(
        "implementation.referrals.hours_to_first_contact",
        "time to first contact",
        "hours",
        "requests contacted",
        "waited",
        Figure(
            "Requests timed to first contact",
            "Requests received in the period that had a first contact, whose waiting times "
            "these figures describe.",
        ),
        mean=False,
    ),
    "implementation.referrals.within_deadline": Figure(
        "Requests contacted in time",
        "Requests in which the colleague was first contacted within the program's deadline "
        "(24 hours unless the program set another).",
    ),
    "implementation.referrals.proportion_within_deadline": Figure(
        "Share of requests contacted in time",
        "Requests contacted within the deadline out of all requests received.",
    ),
    "implementation.referrals.outcomes.supported": Figure(
        "Requests closed as supported",
        "Requests that ended with the colleague supported.",
        short="Supported",
    ),
    "implementation.referrals.outcomes.declined": Figure(
        "Requests the colleague declined",
        "Requests in which the colleague did not want support.",
        short="Declined",
    ),
    "implementation.referrals.outcomes.unreachable": Figure(
        "Requests closed as unreachable",
        "Requests closed because the colleague could not be reached.",
        short="Unreachable",
    ),
    "implementation.referrals.outcomes.referred_out": Figure(
        "Requests handed to professional care",
        "Requests handed on to professional care instead of peer support.",
        short="Handed to professional care",
    ),
    "implementation.referrals.outcomes.open": Figure(
        "Requests still open",
        "Requests received in the period that are not closed yet.",
        short="Still open",
    ),
    "implementation.referrals.acceptance_rate": Figure(
        "Share of offers accepted",
        "Colleagues supported out of those who were supported or declined.",
    ),
    # -- Maintenance --
    **_windows(
        "maintenance.by_year",
        ("from", "to", "successful_interactions", "physician_years"),
    ),
    "maintenance.by_year.*.interactions_per_100_physician_years": _WINDOW_FIGURES[
        "interactions_per_100_physician_years"
    ],
    **_windows("maintenance.by_quarter", ("from", "to", "successful_interactions")),
    "maintenance.trend_ratio": Figure(
        "Change in the rate, last year against the first",
        "Conversations per 100 physician-years in the last 12 months of the period divided by "
        "the same in its first 12 months; above 1 means the program grew.",
    ),
    "maintenance.departments_sustained": Figure(
        "Departments still active",
        "Departments that launched at least a year before the end of the period and had a "
        "support conversation in its last six months.",
    ),
    "maintenance.departments_eligible_for_sustainment": Figure(
        "Departments running for a year or more",
        "Departments that launched at least a year before the end of the period and are "
        "still taking part.",
    ),
    "maintenance.supporters_retained": Figure(
        "Peer supporters still active",
        "Peer supporters trained at least a year before the end of the period who had a "
        "support conversation in its last twelve months.",
    ),
    "maintenance.supporters_eligible_for_retention": Figure(
        "Peer supporters trained a year ago or more",
        "Peer supporters who completed their initial training at least a year before the end "
        "of the period.",
    ),
    "maintenance.supporters_training_current": Figure(
        "Peer supporters with current training",
        "Trained peer supporters whose latest course (initial or refresher) is recent enough "
        "by the program's rule (two years unless it set another).",
    ),
    # -- By department --
    "by_department.*.site": Figure("Site", "The hospital the department belongs to."),
    "by_department.*.department": Figure("Department", "The department's name."),
    "by_department.*.launched_on": Figure(
        "Launched on", "The day the department launched the program (empty if not yet)."
    ),
    "by_department.*.adopted": Figure(
        "Taking part", "Whether the department was taking part in the program in the period."
    ),
    "by_department.*.physicians": Figure(
        "Physicians on the roster",
        "The department's physicians on the roster at some time in the period.",
    ),
    "by_department.*.successful_interactions": Figure(
        "Support conversations",
        "Support conversations with the department's physicians in the period.",
    ),
    "by_department.*.unique_physicians_supported": Figure(
        "Physicians supported",
        "Different physicians of the department who had a support conversation in the period.",
    ),
    "by_department.*.physician_years": Figure(
        "Physician-years",
        "The time the department's physicians were on the roster in the period, in years.",
    ),
    "by_department.*.interactions_per_100_physician_years": Figure(
        "Conversations per 100 physician-years",
        "The department's support conversations for every 100 years its physicians were on "
        "the roster.",
    ),
    "by_department.*.median_duration_minutes": Figure(
        "Median conversation length (minutes)",
        "The middle length of the department's support conversations.",
    ),
    "by_department.*.supporters_trained": Figure(
        "Trained peer supporters",
        "The department's physicians who had completed the initial peer supporter training.",
    ),
    **{
        f"by_department.*.{path.partition('.')[2]}": figure
        for path, figure in _answer(
            "reach.survey_had_interaction",
            "yes",
            "Talked with a peer supporter",
            "the department's physicians",
            "the program evaluation survey",
            likert=False,
        ).items()
    },
    # -- Supplementary: the numbers behind the charts --
    **_windows(
        "supplementary.quarterly_trend",
        ("from", "to", "successful_interactions", "physician_years"),
    ),
    "supplementary.quarterly_trend.*.interactions_per_100_physician_years": _WINDOW_FIGURES[
        "interactions_per_100_physician_years"
    ],
    **{
        f"supplementary.duration_histogram.{band}": Figure(
            f"Conversations of {_band_label(low, high).lower()}",
            f"Support conversations in the period that lasted {_band_label(low, high).lower()}.",
            short=_band_label(low, high),
        )
        for band, low, high in DURATION_BANDS
    },
}


GLOSSARY: dict[str, Figure] = {
    "period": Figure(
        "Period",
        "The days the report covers, the first and the last included.",
    ),
    "scope": Figure(
        "Scope",
        "The departments the report covers: the whole program, one site or chosen "
        "departments; a conversation, request or survey answer counts for the supported "
        "physician's department.",
    ),
    "taking_part": Figure(
        "Taking part",
        "A department takes part in a period when it launched the program on or before the "
        "period's last day and had not left it before the first.",
    ),
    "physician_years": Figure(
        "Physician-years",
        "One physician on the roster for a whole year; rates per 100 physician-years compare "
        "departments and periods of different sizes fairly.",
    ),
    "hidden": Figure(
        "Hidden small counts",
        "In reports for sharing and on department leads' dashboards, any count of care from 1 "
        "to just below the threshold is hidden, with what would reveal it; zeros and the counts of "
        "departments, roster and trained supporters are always shown.",
    ),
    "not_available": Figure(
        "Not available",
        "A share or rate with nothing to divide by, such as a share of survey answers when "
        "nobody answered.",
    ),
    "previous_period": Figure(
        "Previous period",
        "The period of the same length (as many calendar months when this one is whole "
        "months, as many days otherwise) that ends the day before this one starts, used for "
        "the changes on the summary.",
    ),
}

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
