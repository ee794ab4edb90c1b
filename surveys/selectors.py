"""Reads of the surveys app: campaign lists, results, the export, and the survey numbers the
reports need.

Public API for reporting (the report of docs/metrics.md reads survey answers through these,
never the models):

- `item_counts(survey=, question=, start=, end=, department_ids=)` -> `ItemCounts(positive,
  respondents)`: "yes" answers of a yes/no item or "agree" (4-5) answers of a Likert item, out
  of the responses submitted in [start, end] that answered it.
- `items_counts(items=[(survey, question), ...], ...)` -> {(survey, question): ItemCounts}: the
  same for many items in one query.
- `item_counts_by_department(...)` -> {department id: ItemCounts} for the same.
- `wellbeing_indices(start=, end=, department_ids=)` -> WHO-5 index (4 x sum) of every
  `wellbeing` response in the period that answered all five items.
- `responses_in(...)` and `export_rows(responses)` for the long format of survey_responses.csv.

`department_ids=None` is a program-wide scope (responses without a department count);
a collection of ids keeps only responses from those departments (docs/metrics.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.utils.translation import gettext

from post_program import program_settings
from post_program.distributions import median_of_counts
from post_program.models import Department
from post_program.suppression import is_small, suppress_counts
from post_program.tokens import token_digest

from .models import (
    LIKERT_AGREE_MIN,
    Answer,
    AnswerCount,
    Campaign,
    Instrument,
    Invitation,
    Question,
    QuestionKind,
    Response,
)
from .services import EVENT_SURVEYS, response_month

WHO5_CODES = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")
WHO5_POOR_BELOW = 52
EXPORT_HEADER = (
    "response_id",
    "survey",
    "submitted_on",
    "site",
    "department",
    "question",
    "answer",
)


# --- Answering -------------------------------------------------------------------------------


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link belongs to (None when the link is unknown)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("campaign__version__instrument")
        .filter(tokens__token_hash=token_digest(token))
        .first()
    )


def version_questions(version) -> list[Question]:
    return list(version.questions.order_by("position"))


# --- Lists -----------------------------------------------------------------------------------


def instrument_list() -> QuerySet[Instrument]:
    return Instrument.objects.annotate(
        version_count=Count("versions", distinct=True),
        campaign_count=Count("versions__campaigns", distinct=True),
    ).order_by("-builtin", "name")


def campaign_list(
    campaigns: QuerySet[Campaign], *, department_ids: Collection[int] | None
) -> QuerySet[Campaign]:
    """Campaigns with their invitation and answer counts, in one query.

    With `department_ids` the counts cover only invitations to those departments.
    """
    scope = Q()
    if department_ids is not None:
        scope = Q(invitations__department_id__in=department_ids)
    return campaigns.select_related("version__instrument").annotate(
        invited=Count("invitations", filter=scope),
        responded=Count("invitations", filter=scope & Q(invitations__used=True)),
    )


@dataclass(frozen=True)
class OpenCampaign:
    pk: int
    name: str
    closes_on: date | None
    invited: int
    responded: int
    response_rate: float | None


def open_campaigns_with_rates() -> list[OpenCampaign]:
    """The campaigns open now, with their invitations, answers and response rate (answers out
    of invitations, as a campaign's results page counts them), program-wide. One query."""
    campaigns = campaign_list(Campaign.objects.open(), department_ids=None).order_by(
        "closes_on", "pk"
    )
    rows = []
    for campaign in campaigns:
        invited, responded = getattr(campaign, "invited"), getattr(campaign, "responded")  # noqa: B009
        rows.append(
            OpenCampaign(
                campaign.pk,
                campaign.name,
                campaign.closes_on,
                invited,
                responded,
                _rate(responded, invited),
            )
        )
    return rows


# --- Suppression -----------------------------------------------------------------------------


# --- Results ---------------------------------------------------------------------------------


@dataclass
class Cell:
    code: str
    label: str
    count: int | None  # None = suppressed


@dataclass
class ItemResult:
    question: Question
    respondents: int | None
    suppressed: bool = False  # the whole item: fewer respondents than the threshold
    cells: list[Cell] = field(default_factory=list)
    positive_label: str = ""  # "agree" or "yes", in the reader's language
    positive: int | None = None
    proportion: float | None = None
    mean: float | None = None
    median: float | None = None

    @property
    def max_count(self) -> int:
        return max((cell.count or 0 for cell in self.cells), default=0)


@dataclass
class DepartmentRate:
    department: str
    invited: int
    responded: int | None
    rate: float | None


@dataclass
class CampaignResults:
    threshold: int
    invited: int
    responded: int | None
    response_rate: float | None
    respondents: int | None
    items: list[ItemResult]
    by_department: list[DepartmentRate]
    scoring: str
    score_mean: float | None = None
    score_respondents: int | None = None
    poor_wellbeing: int | None = None
    scope_note: str = ""


def _rate(part: int | None, whole: int | None) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def _item_result(question: Question, groups: dict, threshold: int, text_count: int) -> ItemResult:
    kind = question.kind
    if kind == QuestionKind.TEXT:
        respondents = text_count
        return ItemResult(
            question=question,
            respondents=None if is_small(respondents, threshold) else respondents,
            suppressed=is_small(respondents, threshold),
        )
    if kind == QuestionKind.YES_NO:
        counts = {"yes": groups.get(True, 0), "no": groups.get(False, 0)}
        labels = {"yes": gettext("Yes"), "no": gettext("No")}
        respondents = sum(counts.values())
    elif kind in (QuestionKind.LIKERT, QuestionKind.SCALE):
        counts = {str(value): groups.get(value, 0) for value, _ in question.scale_points}
        labels = {str(value): label for value, label in question.scale_points}
        respondents = sum(counts.values())
    elif kind == QuestionKind.SINGLE_CHOICE:
        counts = {code: groups.get(code, 0) for code, _ in question.choices}
        labels = dict(question.choices)
        respondents = sum(counts.values())
    elif kind == QuestionKind.MULTIPLE_CHOICE:
        counts = dict.fromkeys((code for code, _ in question.choices), 0)
        respondents = 0
        for joined, n in groups.items():
            respondents += n
            for code in joined.split(";"):
                if code in counts:
                    counts[code] += n
        labels = dict(question.choices)
    else:  # number
        respondents = sum(groups.values())
        result = ItemResult(question=question, respondents=respondents)
        if is_small(respondents, threshold):
            result.respondents, result.suppressed = None, True
        elif respondents:
            result.mean = sum(value * n for value, n in groups.items()) / respondents
            result.median = median_of_counts(groups)
        return result

    result = ItemResult(question=question, respondents=respondents)
    if is_small(respondents, threshold):
        result.respondents, result.suppressed = None, True
        result.cells = [Cell(code, labels[code], None) for code in counts]
        return result
    hidden = set(
        suppress_counts(
            counts, threshold, total_shown=kind != QuestionKind.MULTIPLE_CHOICE
        ).suppressed
    )
    result.cells = [
        Cell(code, labels[code], None if code in hidden else n) for code, n in counts.items()
    ]
    if kind == QuestionKind.YES_NO:
        parts = ["yes"]
        result.positive_label = gettext("yes")
    elif kind == QuestionKind.LIKERT:
        parts = [str(value) for value in range(LIKERT_AGREE_MIN, 6)]
        result.positive_label = gettext("agree")
    else:
        parts = []
    if parts:
        positive = sum(counts[code] for code in parts)
        # A positive count beside a hidden part would let that part be recomputed.
        if is_small(positive, threshold) or any(code in hidden for code in parts):
            result.positive = None
        else:
            result.positive = positive
            result.proportion = _rate(positive, respondents)
    return result


def campaign_results(
    campaign: Campaign,
    *,
    department_ids: Collection[int] | None = None,
    exact_response_rate: bool = False,
    threshold: int | None = None,
) -> CampaignResults:
    """A campaign's results: response rate, each item's distribution, the score and the WHO-5
    index, with every count under the threshold suppressed. A fixed handful of queries,
    whatever the number of responses.

    `department_ids` restricts everything to those departments (a lead's view);
    `exact_response_rate` shows invitation counts as they are (the director's view: how many
    answered says nothing about what they answered).
    """
    threshold = program_settings.get().suppression_threshold if threshold is None else threshold
    invitations = Invitation.objects.filter(campaign=campaign)
    responses = Response.objects.filter(campaign=campaign)
    answers = Answer.objects.filter(response__campaign=campaign)
    if department_ids is not None:
        invitations = invitations.filter(department_id__in=department_ids)
        responses = responses.filter(department_id__in=department_ids)
        answers = answers.filter(response__department_id__in=department_ids)

    per_department = list(
        invitations.values(
            "department_id",
            site=F("department__site__name"),
            name=F("department__name"),
        )
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(used=True)))
        .order_by("site", "name")
    )
    invited = sum(row["invited"] for row in per_department)
    responded = sum(row["responded"] for row in per_department)

    def shown(count: int) -> int | None:
        return count if exact_response_rate or not is_small(count, threshold) else None

    by_department = [
        DepartmentRate(
            department=f"{row['site']} / {row['name']}",
            invited=row["invited"],
            responded=shown(row["responded"]),
            rate=_rate(shown(row["responded"]), row["invited"]),
        )
        for row in per_department
    ]

    totals = responses.aggregate(
        n=Count("id"),
        score_n=Count("score"),
        score_mean=Avg("score"),
        poor=Count("id", filter=Q(score__lt=WHO5_POOR_BELOW)),
    )
    questions = list(campaign.version.questions.order_by("position"))
    groups: dict[int, dict] = defaultdict(dict)
    for row in (
        answers.exclude(question__kind=QuestionKind.TEXT)
        .values("question_id", "value_bool", "value_int", "value_text")
        .annotate(n=Count("id"))
        .order_by()
    ):
        value: bool | int | str
        if row["value_bool"] is not None:
            value = row["value_bool"]
        elif row["value_int"] is not None:
            value = row["value_int"]
        else:
            value = row["value_text"]
        groups[row["question_id"]][value] = row["n"]
    text_counts = dict(
        answers.filter(question__kind=QuestionKind.TEXT)
        .values("question_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("question_id", "n")
    )
    items = [
        _item_result(q, groups.get(q.pk, {}), threshold, text_counts.get(q.pk, 0))
        for q in questions
    ]

    score_n = totals["score_n"]
    score_hidden = is_small(score_n, threshold)
    poor = totals["poor"] if campaign.version.scoring == "who5" else None
    return CampaignResults(
        threshold=threshold,
        invited=invited,
        responded=shown(responded),
        response_rate=_rate(shown(responded), invited),
        respondents=None if is_small(totals["n"], threshold) else totals["n"],
        items=items,
        by_department=by_department,
        scoring=campaign.version.scoring,
        score_mean=None if score_hidden else totals["score_mean"],
        score_respondents=None if score_hidden else score_n,
        poor_wellbeing=None if score_hidden or is_small(poor, threshold) else poor,
    )


# --- Export ----------------------------------------------------------------------------------


def _small_department_cells(
    responses: QuerySet[Response], threshold: int | None
) -> set[tuple[str, date, int]]:
    """The (survey, month, department id) cells whose department an export leaves out: fewer
    responses than the threshold, with the complementary cell of their (survey, month)."""
    cells: dict[tuple[str, date], Counter[str]] = defaultdict(Counter)
    for survey, day, department_id in responses.filter(department__isnull=False).values_list(
        "version__instrument__code", "submitted_on", "department_id"
    ):
        if survey not in EVENT_SURVEYS:
            cells[(survey, response_month(day))][str(department_id)] += 1
    return {
        (survey, month, int(department_id))
        for (survey, month), counts in cells.items()
        for department_id in suppress_counts(counts, threshold).suppressed
    }


def _quarter_of(month: date) -> date:
    """The first day of the quarter of `month`."""
    return month.replace(month=month.month - (month.month - 1) % 3)


def export_rows(responses: QuerySet[Response], *, threshold: int | None) -> Iterator[tuple]:
    """The rows of survey_responses.csv (long format, one row per answer), header first.

    Every file that leaves the system gives a response's month (its first day), never its day,
    and no department for a survey sent after an event. With a `threshold` (shareable files)
    a (survey, month, department) cell with fewer responses loses its department too, with its
    complementary cell, and a survey sent after an event is dated by its quarter (in a quiet
    month its one response would otherwise point to the program's one case of that month).
    Ordered by the random response id, never by date or insertion order, so the file does not
    tell in which order people answered. Streamed.
    """
    yield EXPORT_HEADER
    hidden = _small_department_cells(responses, threshold) if threshold is not None else set()
    rows = (
        Answer.objects.filter(response__in=responses)
        .order_by("response__public_id", "question__position")
        .values_list(
            "response__public_id",
            "response__version__instrument__code",
            "response__submitted_on",
            "response__department_id",
            "response__department__site__name",
            "response__department__name",
            "question__code",
            "value_bool",
            "value_int",
            "value_text",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        public_id, survey, day, department_id, site, department, code, flag, number, text = row
        month = response_month(day)
        if survey in EVENT_SURVEYS and threshold is not None:
            month = _quarter_of(month)
        named = survey not in EVENT_SURVEYS and (survey, month, department_id) not in hidden
        if not named:
            site = department = ""
        if flag is not None:
            answer = "yes" if flag else "no"
        elif number is not None:
            answer = str(number)
        else:
            answer = text
        yield (public_id, survey, month.isoformat(), site or "", department or "", code, answer)


# --- Survey numbers for the reports ----------------------------------------------------------


@dataclass(frozen=True)
class ItemCounts:
    positive: int  # "yes" for a yes/no item, "agree" (4 or 5) for a Likert item
    respondents: int


def responses_in(
    *,
    survey: str | None = None,
    start: date,
    end: date,
    department_ids: Collection[int] | None = None,
) -> QuerySet[Response]:
    """Responses submitted in [start, end] (inclusive) in scope, of one instrument if given."""
    responses = Response.objects.submitted_between(start, end)
    if survey is not None:
        responses = responses.of_instrument(survey)
    if department_ids is not None:
        responses = responses.filter(department_id__in=department_ids)
    return responses


def _item_answers(
    *, start: date, end: date, department_ids: Collection[int] | None, items: Collection[tuple]
) -> QuerySet[AnswerCount]:
    """The answer counts of `items` ((survey, question) pairs) of the responses submitted in
    [start, end] in scope."""
    answers = AnswerCount.objects.filter(
        submitted_on__gte=start,
        submitted_on__lte=end,
        question__version__instrument__code__in={survey for survey, _ in items},
        question__code__in={question for _, question in items},
    )
    if department_ids is not None:
        answers = answers.filter(department_id__in=department_ids)
    return answers


def items_counts(
    *,
    items: Collection[tuple[str, str]],
    start: date,
    end: date,
    department_ids: Collection[int] | None = None,
) -> dict[tuple[str, str], ItemCounts]:
    """`item_counts` of each (survey, question) of `items`, counted by question in one query
    (and one more naming the questions); an item nobody answered counts 0 of 0."""
    rows = (
        _item_answers(start=start, end=end, department_ids=department_ids, items=items)
        .values("question_id")
        .annotate(respondents=Sum("respondents"), positive=Sum("positive"))
        .order_by()
    )
    counts = {row["question_id"]: row for row in rows}
    codes = Question.objects.filter(pk__in=counts).values_list(
        "pk", "version__instrument__code", "code"
    )
    found: dict[tuple[str, str], ItemCounts] = {}
    for pk, survey, code in codes:
        # Versions of an instrument each have their own questions: answers pool by code.
        before = found.get((survey, code), ItemCounts(0, 0))
        found[survey, code] = ItemCounts(
            before.positive + counts[pk]["positive"],
            before.respondents + counts[pk]["respondents"],
        )
    return {item: found.get(item, ItemCounts(0, 0)) for item in items}


def item_counts(
    *,
    survey: str,
    question: str,
    start: date,
    end: date,
    department_ids: Collection[int] | None = None,
) -> ItemCounts:
    """ "yes" (yes/no item) or "agree" (Likert item) answers and the respondents who answered
    `question` of `survey` in the period and scope."""
    item = (survey, question)
    return items_counts(items=[item], start=start, end=end, department_ids=department_ids)[item]


def item_counts_by_department(
    *,
    survey: str,
    question: str,
    start: date,
    end: date,
    department_ids: Collection[int] | None = None,
) -> dict[int | None, ItemCounts]:
    """`item_counts` per respondent department (None for responses without one). One query."""
    rows = (
        _item_answers(
            start=start, end=end, department_ids=department_ids, items=[(survey, question)]
        )
        .values("department_id")
        .annotate(respondents=Sum("respondents"), positive=Sum("positive"))
        .order_by()
    )
    return {row["department_id"]: ItemCounts(row["positive"], row["respondents"]) for row in rows}


def wellbeing_indices(
    *, start: date, end: date, department_ids: Collection[int] | None = None
) -> list[int]:
    """WHO-5 index (4 x sum of who5_1 … who5_5) of each `wellbeing` response in the period
    and scope that answered all five items. One query."""
    rows = (
        responses_in(survey="wellbeing", start=start, end=end, department_ids=department_ids)
        .annotate(
            items=Count("answers", filter=Q(answers__question__code__in=WHO5_CODES)),
            total=Sum("answers__value_int", filter=Q(answers__question__code__in=WHO5_CODES)),
        )
        .filter(items=len(WHO5_CODES))
        .values_list("total", flat=True)
    )
    return sorted(4 * total for total in rows)


def departments_of(campaign: Campaign) -> QuerySet[Department]:
    return campaign.departments.select_related("site").order_by("site__name", "name")
