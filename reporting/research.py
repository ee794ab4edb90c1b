"""The research export: the program's records of a period, de-identified, for R, Stata, SPSS
and REDCap (docs/research-exports.md).

One tidy file per unit: ``interactions`` (one row per interaction), ``referrals`` (one row per
referral), ``responses`` (one row per survey answer) and ``departments_by_period`` (one row per
department and calendar quarter, the report's ``by_department`` figures). Each unit declares
its variables once (``Variable``); every file format, the codebook and the REDCap data
dictionary are written from those declarations (``render/research.py``).

De-identification, as docs/confidentiality.md asks of every file that leaves the system:

* every identifier (interaction, referral, response, physician, supporter) is replaced by a
  keyed pseudonym under a key drawn for this export alone and never stored, so two exports
  cannot be joined on them; the physician's is computed from the program's keyed pseudonym
  (``interactions.models.physician_pseudonym``), so a physician de-identified by retention
  keeps the same one within the export;
* no name, email address, note or free-text answer is written;
* survey responses carry the month (or the quarter, for the surveys sent after a case or a
  course), and a department with fewer responses than the threshold in a survey and month is
  left out, with its complementary cell (``surveys.selectors.export_rows``);
* the departments' figures are the report's with the program's suppression threshold: small
  cells and what would reveal them are blank.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from django.db.models import TextChoices
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from interactions.models import (
    EscalationResource,
    Interaction,
    InteractionSource,
    Modality,
    Outcome,
    Source,
    Status,
    Topic,
    Urgency,
    physician_pseudonym,
)
from post_program import program_settings
from post_program.import_export import streamed
from post_program.models import Department
from surveys import selectors as survey_selectors
from surveys.models import Question, QuestionKind

from . import metrics, selectors
from .report import ReAimReport, ReportInputError, period_parse

PSEUDONYM_HEX_DIGITS = 16
MAX_YEARS = 10
"""The longest period of one export (its departments' figures hold one report per quarter)."""

CATEGORY = "category"
YESNO = "yesno"
INTEGER = "integer"
NUMBER = "number"
DATE = "date"
TEXT = "text"
KINDS = (CATEGORY, YESNO, INTEGER, NUMBER, DATE, TEXT)

YESNO_CODES = ((1, "Yes"), (0, "No"))
MAX_LABEL_LENGTH = 80  # Stata's limit for variable labels
NOT_APPLICABLE = "blank: not applicable"
SUPPRESSED = (
    "blank: suppressed (a count from 1 to K - 1, K the suppression threshold, or what would let "
    "one be recomputed, or a figure computed from one)"
)

# The definitions of docs/metrics.md that each variable feeds (the codebook's source column).
SOURCES = {
    "successful_interactions": "reach.successful_interactions: successful interactions with "
    "occurred_on in P, in scope",
    "interactions_logged": "reach.interactions_logged: all interactions (successful or not) "
    "with occurred_on in P, in scope",
    "unique_physicians": "reach.unique_physicians_supported: distinct non-empty "
    "supported-physician links among those successful interactions (pseudonymised links count "
    "the same)",
    "by_source": "reach.by_source: successful interactions by source",
    "duration": "implementation.duration_minutes: {n, median, p25, p75, mean} over successful "
    "interactions in P, in scope",
    "escalated": "implementation.escalated: successful interactions in P, in scope, with "
    "escalated = yes",
    "received": "implementation.referrals.received: referrals received in P, in scope",
    "referral_source": "implementation.referrals.by_source: {self, third_party, event} of those",
    "contacted": "implementation.referrals.contacted: of those, with a first contact",
    "contact_hours": "implementation.referrals.hours_to_first_contact: {n, median, p25, p75} of "
    "(first_contact_at - received_at) in hours over contacted ones",
    "within_deadline": "implementation.referrals.within_deadline: contacted within the deadline "
    "(setting FIRST_CONTACT_DEADLINE_HOURS, default 24)",
    "outcomes": "implementation.referrals.outcomes: {supported, declined, unreachable, "
    "referred_out, open}",
    "survey_items": "effectiveness and reach.survey_had_interaction: responses submitted in P, "
    "in scope, answering the item (yes for a yes/no item, agree = 4 or 5 for a Likert item)",
    "wellbeing": "effectiveness.wellbeing: WHO-5 index = 4 x sum of the five items, for "
    "responses that answered all five",
    "by_department": "by_department: one entry per department in scope (site, department, "
    "launched_on, adopted, physicians, successful_interactions, unique_physicians_supported, "
    "physician_years, interactions_per_100_physician_years, median_duration_minutes, "
    "supporters_trained, survey_had_interaction)",
    "adopted": "adoption.departments_adopted: departments in scope adopted in P",
    "physicians": "adoption.physicians_total: physicians employed in P, in scope",
    "physician_years": "reach.physician_years: sum over physicians in scope whose department "
    "has a launched_on, of the days in [max(start, started_on, launched_on), min(end, "
    "ended_on, department ended_on)] (inclusive; 0 where that range is empty) / 365.25",
    "rate": "reach.interactions_per_100_physician_years: successful_interactions / "
    "physician_years x 100",
    "supporters_trained": "adoption.supporters_trained: distinct physicians in scope whose "
    "first initial course was completed on or before end",
    "period": "maintenance.by_quarter: calendar quarters that overlap P, clipped to P",
    "pseudonym": "keyed pseudonym of this export (HMAC-SHA256 under a key drawn for the export "
    "and not kept): joins rows within the export, never across exports",
}


def research_period(start: str | date, end: str | date) -> metrics.Window:
    """The period of an export from two dates, both ends included, at most MAX_YEARS long."""
    period = period_parse(start, end)
    if period.end >= metrics.add_months(period.start, 12 * MAX_YEARS):
        raise ReportInputError(
            _(
                "a research export covers at most %(years)s years: choose a later start or an "
                "earlier end"
            )
            % {"years": MAX_YEARS}
        )
    return period


@dataclass(frozen=True)
class Variable:
    """One column of a unit's file, as the codebook, Stata, SPSS and REDCap describe it."""

    name: str
    label: str
    kind: str
    source: str
    missing: str = ""
    codes: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.label) > MAX_LABEL_LENGTH:
            raise ValueError(f"the label of {self.name!r} is longer than {MAX_LABEL_LENGTH}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} of variable {self.name!r}")
        if self.kind == YESNO and not self.codes:
            object.__setattr__(self, "codes", YESNO_CODES)

    @property
    def value_labels(self) -> dict[int | float, str]:
        """The codes and their labels, as pyreadstat takes them."""
        return dict(self.codes)


@dataclass(frozen=True)
class Unit:
    """A tidy file: its name, what one row is, its variables and its rows (coded values in
    variable order, streamed)."""

    name: str
    label: str
    variables: tuple[Variable, ...]
    rows: Callable[[], Iterator[tuple[Any, ...]]]


def coded(choices: type[TextChoices]) -> dict[str, int]:
    """The codes of a Django choice list: 1, 2, ... in its order."""
    return {value: index for index, value in enumerate(choices.values, start=1)}


def codes_of(choices: type[TextChoices]) -> tuple[tuple[int, str], ...]:
    """The codes and their labels; the labels in English, as the whole codebook is (files for
    researchers, the same whoever downloads them)."""
    with translation.override("en"):
        return tuple((index, str(label)) for index, label in enumerate(choices.labels, start=1))


def _code(codes: dict[str, int], value: str | None) -> int | None:
    return codes[value] if value else None


def _yes_no(value: bool | None) -> int | None:
    return None if value is None else int(value)


@dataclass
class ResearchExport:
    """The units of one export of ``period`` (program-wide). ``key`` is this export's own
    pseudonym key: drawn at random unless given, never stored."""

    period: metrics.Window
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    threshold: int = field(default_factory=lambda: program_settings.get().suppression_threshold)

    def pseudonym(self, kind: str, value: str) -> str:
        """The export's pseudonym of an identifier (``kind`` keeps kinds apart)."""
        digest = hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_HEX_DIGITS]

    def _pseudonym_or_none(self, kind: str, value: str | None) -> str | None:
        return self.pseudonym(kind, value) if value else None

    # -- departments --

    @cached_property
    def _departments(self) -> list[Department]:
        return list(Department.objects.select_related("site").order_by("site__name", "name"))

    def _department_codes(self) -> dict[tuple[str, str], int]:
        return {(d.site.name, d.name): index for index, d in enumerate(self._departments, start=1)}

    def _department_variable(self, missing: str = "") -> Variable:
        return Variable(
            "department",
            "Department (site/department)",
            CATEGORY,
            "the department of the row (the report's scope is by department)",
            missing,
            tuple((index, d.label) for index, d in enumerate(self._departments, start=1)),
        )

    def units(self) -> list[Unit]:
        departments = self._department_codes()
        return [
            self.interactions(departments),
            self.referrals(departments),
            self.responses(departments),
            self.departments_by_period(departments),
        ]

    # -- interactions --

    def interactions(self, departments: dict[tuple[str, str], int]) -> Unit:
        topics = list(Topic)
        variables = (
            Variable("interaction", "Interaction (pseudonym)", TEXT, SOURCES["pseudonym"]),
            Variable(
                "physician",
                "Supported physician (pseudonym)",
                TEXT,
                SOURCES["unique_physicians"],
                "blank: not linked to a roster entry",
            ),
            Variable("supporter", "Peer supporter (pseudonym)", TEXT, SOURCES["pseudonym"]),
            Variable(
                "referral",
                "Referral (pseudonym, as in referrals)",
                TEXT,
                SOURCES["pseudonym"],
                "blank: logged without a referral (proactive)",
            ),
            self._department_variable(),
            Variable(
                "occurred_on", "Date of the interaction", DATE, SOURCES["interactions_logged"]
            ),
            Variable("duration_minutes", "Duration (minutes)", INTEGER, SOURCES["duration"]),
            Variable(
                "successful", "Successful interaction", YESNO, SOURCES["successful_interactions"]
            ),
            Variable(
                "source",
                "Source",
                CATEGORY,
                SOURCES["by_source"],
                codes=codes_of(InteractionSource),
            ),
            Variable(
                "modality",
                "Modality",
                CATEGORY,
                SOURCES["interactions_logged"],
                "blank: not recorded",
                codes_of(Modality),
            ),
            Variable("escalated", "Pointed to professional help", YESNO, SOURCES["escalated"]),
            Variable(
                "escalated_to",
                "Resource pointed to",
                CATEGORY,
                SOURCES["escalated"],
                NOT_APPLICABLE + " (not escalated) or not recorded",
                codes_of(EscalationResource),
            ),
            *(
                Variable(
                    f"tp_{topic.value}",
                    f"Topic: {topic.label}",
                    YESNO,
                    "the interaction's topic categories (Topic)",
                )
                for topic in topics
            ),
            Variable(
                "follow_up_planned", "Follow-up planned", YESNO, SOURCES["interactions_logged"]
            ),
        )
        source_codes, modality_codes = coded(InteractionSource), coded(Modality)
        resource_codes = coded(EscalationResource)

        def rows() -> Iterator[tuple[Any, ...]]:
            interactions = (
                Interaction.objects.filter(
                    occurred_on__gte=self.period.start, occurred_on__lte=self.period.end
                )
                .order_by("pk")
                .values_list(
                    "interaction_id",
                    "physician_pseudonym",
                    "supporter__physician__physician_id",
                    "referral__referral_id",
                    "department__site__name",
                    "department__name",
                    "occurred_on",
                    "duration_minutes",
                    "successful",
                    "source",
                    "modality",
                    "escalated",
                    "escalated_to",
                    "topics",
                    "follow_up_planned",
                )
            )
            for row in streamed(interactions):
                (
                    interaction_id,
                    physician,
                    supporter,
                    referral,
                    site,
                    department,
                    occurred_on,
                    minutes,
                    successful,
                    source,
                    modality,
                    escalated,
                    escalated_to,
                    chosen,
                    follow_up,
                ) = row
                yield (
                    self.pseudonym("interaction", interaction_id),
                    self._pseudonym_or_none("physician", physician),
                    self._pseudonym_or_none("supporter", supporter),
                    self._pseudonym_or_none("referral", referral),
                    departments[(site, department)],
                    occurred_on,
                    minutes,
                    int(successful),
                    _code(source_codes, source),
                    _code(modality_codes, modality),
                    int(escalated),
                    _code(resource_codes, escalated_to),
                    *(int(topic.value in (chosen or ())) for topic in topics),
                    int(follow_up),
                )

        return Unit("interactions", "one row per interaction logged in the period", variables, rows)

    # -- referrals --

    def referrals(self, departments: dict[tuple[str, str], int]) -> Unit:
        variables = (
            Variable("referral", "Referral (pseudonym)", TEXT, SOURCES["pseudonym"]),
            Variable(
                "physician",
                "Referred physician (pseudonym, as in interactions)",
                TEXT,
                SOURCES["unique_physicians"],
                "blank: a colleague not on the roster",
            ),
            self._department_variable(),
            Variable("received_on", "Date received (program time zone)", DATE, SOURCES["received"]),
            Variable(
                "source", "Source", CATEGORY, SOURCES["referral_source"], codes=codes_of(Source)
            ),
            Variable("urgency", "Urgency", CATEGORY, SOURCES["received"], codes=codes_of(Urgency)),
            Variable(
                "status", "Status at export", CATEGORY, SOURCES["outcomes"], codes=codes_of(Status)
            ),
            Variable(
                "outcome",
                "Outcome",
                CATEGORY,
                SOURCES["outcomes"],
                NOT_APPLICABLE + " (still open)",
                codes_of(Outcome),
            ),
            Variable("contacted", "First contact made", YESNO, SOURCES["contacted"]),
            Variable(
                "contact_hours",
                "Hours from receipt to first contact",
                NUMBER,
                SOURCES["contact_hours"],
                NOT_APPLICABLE + " (no first contact)",
            ),
            Variable(
                "within_deadline",
                "First contact within the deadline",
                YESNO,
                SOURCES["within_deadline"],
            ),
        )
        source_codes, urgency_codes = coded(Source), coded(Urgency)
        status_codes, outcome_codes = coded(Status), coded(Outcome)
        deadline_hours = program_settings.get().first_contact_hours

        def rows() -> Iterator[tuple[Any, ...]]:
            referrals = (
                selectors.referrals_received(
                    start=self.period.start, end=self.period.end, department_ids=None
                )
                .order_by("pk")
                .values_list(
                    "referral_id",
                    "physician__physician_id",
                    "physician_pseudonym",
                    "department__site__name",
                    "department__name",
                    "received_at",
                    "source",
                    "urgency",
                    "status",
                    "outcome",
                    "first_contact_at",
                )
            )
            for row in streamed(referrals):
                (
                    referral_id,
                    physician_id,
                    stored,
                    site,
                    department,
                    received_at,
                    source,
                    urgency,
                    status,
                    outcome,
                    first_contact_at,
                ) = row
                program_pseudonym = physician_pseudonym(physician_id) if physician_id else stored
                hours = (
                    metrics.hours_between(received_at, first_contact_at)
                    if first_contact_at
                    else None
                )
                yield (
                    self.pseudonym("referral", referral_id),
                    self._pseudonym_or_none("physician", program_pseudonym),
                    departments[(site, department)],
                    timezone.localtime(received_at).date(),
                    _code(source_codes, source),
                    _code(urgency_codes, urgency),
                    _code(status_codes, status),
                    _code(outcome_codes, outcome),
                    int(first_contact_at is not None),
                    None if hours is None else round(hours, 4),
                    int(hours is not None and hours <= deadline_hours),
                )

        return Unit("referrals", "one row per referral received in the period", variables, rows)

    # -- survey responses --

    def responses(self, departments: dict[tuple[str, str], int]) -> Unit:
        responses = survey_selectors.responses_in(start=self.period.start, end=self.period.end)
        questions = list(
            Question.objects.filter(version__responses__in=responses)
            .exclude(kind=QuestionKind.TEXT)
            .values_list("version__instrument__code", "code")
            .distinct()
            .order_by("version__instrument__code", "code")
        )
        surveys = sorted({survey for survey, _ in questions})
        survey_codes = {survey: index for index, survey in enumerate(surveys, start=1)}
        question_codes = {q: index for index, q in enumerate(questions, start=1)}
        variables = (
            Variable("response", "Response (pseudonym)", TEXT, SOURCES["pseudonym"]),
            Variable(
                "survey",
                "Survey",
                CATEGORY,
                SOURCES["survey_items"],
                codes=tuple((index, survey) for survey, index in survey_codes.items()),
            ),
            Variable(
                "month",
                "Month of the response, its first day (a quarter for event surveys)",
                DATE,
                SOURCES["survey_items"],
            ),
            self._department_variable(
                "blank: a survey sent after a case or a course (no department kept), or a "
                "department with fewer responses than the threshold in that survey and month "
                "(or its complementary cell)"
            ),
            Variable(
                "question",
                "Question (survey.code)",
                CATEGORY,
                SOURCES["survey_items"],
                codes=tuple((index, f"{s}.{q}") for (s, q), index in question_codes.items()),
            ),
            Variable(
                "value",
                "Answer as a number (yes 1, no 0; agreement 1 to 5; ratings as given)",
                NUMBER,
                SOURCES["wellbeing"],
                "blank: a choice question",
            ),
            Variable(
                "choice",
                "Answer code of a choice question",
                TEXT,
                SOURCES["survey_items"],
                "blank: not a choice question",
            ),
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            answers = survey_selectors.export_rows(responses, threshold=self.threshold)
            next(answers)  # the header
            for public_id, survey, month, site, department, code, answer in answers:
                question = question_codes.get((survey, code))
                if question is None:  # a free-text answer: never exported
                    continue
                number = _answer_number(answer)
                yield (
                    self.pseudonym("response", public_id),
                    survey_codes[survey],
                    date.fromisoformat(month),
                    departments.get((site, department)) if department else None,
                    question,
                    number,
                    None if number is not None else answer,
                )

        return Unit("responses", "one row per survey answer in the period", variables, rows)

    # -- departments by period --

    def departments_by_period(self, departments: dict[tuple[str, str], int]) -> Unit:
        def count(name: str, label: str, source: str, kind: str = INTEGER) -> Variable:
            return Variable(name, label, kind, SOURCES[source], SUPPRESSED)

        variables = (
            Variable(
                "period_start",
                "First day of the period (a calendar quarter)",
                DATE,
                SOURCES["period"],
            ),
            Variable("period_end", "Last day of the period", DATE, SOURCES["period"]),
            self._department_variable(),
            Variable(
                "adopted", "Department adopted the program in the period", YESNO, SOURCES["adopted"]
            ),
            Variable("physicians", "Physicians employed", INTEGER, SOURCES["physicians"]),
            count("interactions", "Successful interactions", "successful_interactions"),
            count("physicians_supported", "Unique physicians supported", "unique_physicians"),
            Variable("physician_years", "Physician-years", NUMBER, SOURCES["physician_years"]),
            count(
                "rate_per_100_py", "Successful interactions per 100 physician-years", "rate", NUMBER
            ),
            count(
                "median_minutes",
                "Median duration of successful interactions (minutes)",
                "duration",
                NUMBER,
            ),
            Variable(
                "supporters_trained",
                "Trained peer supporters",
                INTEGER,
                SOURCES["supporters_trained"],
            ),
            count(
                "had_interaction_yes",
                "Survey: answered yes to having had an interaction",
                "survey_items",
            ),
            count("had_interaction_n", "Survey: respondents to that question", "survey_items"),
        )

        def rows() -> Iterator[tuple[Any, ...]]:
            for window in metrics.quarters(self.period.start, self.period.end):
                report = ReAimReport(period=window, threshold=self.threshold)
                for row in report.data["by_department"]:
                    survey = row["survey_had_interaction"]
                    yield (
                        window.start,
                        window.end,
                        departments[(row["site"], row["department"])],
                        _yes_no(row["adopted"]),
                        row["physicians"],
                        row["successful_interactions"],
                        row["unique_physicians_supported"],
                        row["physician_years"],
                        row["interactions_per_100_physician_years"],
                        row["median_duration_minutes"],
                        row["supporters_trained"],
                        survey["yes"],
                        survey["respondents"],
                    )

        return Unit(
            "departments_by_period",
            "one row per department and calendar quarter of the period (the report's figures)",
            variables,
            rows,
        )


def _answer_number(answer: str) -> int | None:
    """A yes/no or numeric answer as a number; None for a choice answer's code."""
    if answer in ("yes", "no"):
        return int(answer == "yes")
    try:
        return int(answer)
    except ValueError:
        return None
