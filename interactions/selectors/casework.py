"""Reads of case work: a supporter's open and closed cases, the case record, interactions,
supporters' loads and the debriefs offered to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import (
    Count,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from post_program.models import (
    AwayPeriod,
    PeerSupporter,
)

from ..access import supporters_visible_to
from ..models import (
    HELD_STATUSES,
    Assignment,
    AssignmentState,
    DebriefRequest,
    DebriefTrigger,
    Interaction,
    OutreachAttempt,
    Referral,
    Status,
)
from .requests import roster_search

if TYPE_CHECKING:
    pass


def supporter_open_cases(*, supporter: PeerSupporter) -> QuerySet[Referral]:
    """The cases a supporter holds now, with what is due next: the answer to an assignment
    (`accept_due_at`), first contact (`first_contact_due_at`), and how far the work got
    (`last_outreach_at`, `interactions_logged`). Soonest deadline first; a fixed number of
    queries however many cases."""
    pending = Assignment.objects.filter(
        referral=OuterRef("pk"), supporter=supporter, state=AssignmentState.PENDING
    ).values("accept_due_at")[:1]
    last_outreach = (
        OutreachAttempt.objects.filter(referral=OuterRef("pk"))
        .order_by("-attempted_at")
        .values("attempted_at")[:1]
    )
    logged = (
        Interaction.objects.filter(referral=OuterRef("pk"))
        .order_by()
        .values("referral")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        Referral.objects.held_by(supporter.pk)
        .select_related("physician", "department__site")
        .annotate(
            accept_due_at=Subquery(pending),
            last_outreach_at=Subquery(last_outreach),
            interactions_logged=Coalesce(Subquery(logged), 0),
        )
        .order_by("first_contact_due_at", "pk")
    )


def supporter_closed_cases(*, supporter: PeerSupporter) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(assigned_to=supporter, status=Status.CLOSED)
        .select_related("physician", "department__site")
        .order_by("-closed_at", "-pk")
    )


@dataclass(frozen=True)
class CaseRecord:
    """The work done on one case: outreach attempts and interactions, oldest first."""

    attempts: list[OutreachAttempt]
    interactions: list[Interaction]

    @property
    def successful(self) -> int:
        return sum(interaction.successful for interaction in self.interactions)


def case_record(*, referral: Referral) -> CaseRecord:
    return CaseRecord(
        attempts=list(
            referral.outreach_attempts.select_related("supporter__physician").order_by(
                "attempted_at", "pk"
            )
        ),
        interactions=list(
            referral.interactions.select_related("supporter__physician").order_by(
                "occurred_on", "pk"
            )
        ),
    )


def supporter_interactions(*, supporter: PeerSupporter) -> QuerySet[Interaction]:
    """A supporter's own interaction log, newest first."""
    return (
        Interaction.objects.filter(supporter=supporter)
        .select_related("physician", "department__site", "referral")
        .order_by("-occurred_on", "-pk")
    )


@dataclass(frozen=True)
class Load:
    """How much support a supporter gave lately: counts only, nothing about whom."""

    open_cases: int = 0
    conversations_30: int = 0
    conversations_90: int = 0
    minutes_30: int = 0
    minutes_90: int = 0
    escalations_30: int = 0
    escalations_90: int = 0
    attempts_30: int = 0

    @property
    def hours_30(self) -> float:
        return round(self.minutes_30 / 60, 1)

    @property
    def hours_90(self) -> float:
        return round(self.minutes_90 / 60, 1)


def load_windows(today: date) -> tuple[date, date]:
    """First days of the last 30 and the last 90 days (today included)."""
    return today - timedelta(days=29), today - timedelta(days=89)


def supporter_loads(*, supporter_ids, today: date | None = None) -> dict[int, Load]:
    """Each supporter's load over the last 30 and 90 days (successful interactions, their
    minutes, escalations, unsuccessful attempts) and open cases. Two queries, whatever the
    number of supporters."""
    today = today or timezone.localdate()
    since_30, since_90 = load_windows(today)
    ids = list(supporter_ids)
    in_30 = Q(occurred_on__gte=since_30)
    conversations = Q(successful=True)
    rows = (
        Interaction.objects.filter(
            supporter_id__in=ids, occurred_on__gte=since_90, occurred_on__lte=today
        )
        .order_by()
        .values("supporter_id")
        .annotate(
            conversations_30=Count("pk", filter=conversations & in_30),
            conversations_90=Count("pk", filter=conversations),
            minutes_30=Coalesce(Sum("duration_minutes", filter=conversations & in_30), 0),
            minutes_90=Coalesce(Sum("duration_minutes", filter=conversations), 0),
            escalations_30=Count("pk", filter=Q(escalated=True) & in_30),
            escalations_90=Count("pk", filter=Q(escalated=True)),
            attempts_30=Count("pk", filter=Q(successful=False) & in_30),
        )
    )
    open_cases = dict(
        Referral.objects.filter(assigned_to_id__in=ids, status__in=HELD_STATUSES)
        .order_by()
        .values("assigned_to_id")
        .annotate(n=Count("pk"))
        .values_list("assigned_to_id", "n")
    )
    loads = {pk: Load(open_cases=open_cases.get(pk, 0)) for pk in ids}
    for row in rows:
        pk = row["supporter_id"]
        loads[pk] = Load(
            open_cases=open_cases.get(pk, 0),
            conversations_30=row["conversations_30"],
            conversations_90=row["conversations_90"],
            minutes_30=row["minutes_30"],
            minutes_90=row["minutes_90"],
            escalations_30=row["escalations_30"],
            escalations_90=row["escalations_90"],
            attempts_30=row["attempts_30"],
        )
    return loads


def debrief_offer(*, supporter: PeerSupporter, today: date | None = None) -> str | None:
    """Why the supporter should be offered a debrief now (a DebriefTrigger value), or None:
    an escalation in the last 30 days, or more than DEBRIEF_AFTER_INTERACTIONS successful
    interactions in them, not already followed by a request for a debrief."""
    today = today or timezone.localdate()
    since, _ = load_windows(today)
    requests = DebriefRequest.objects.filter(supporter=supporter).aggregate(
        last=Max("requested_at"), open=Count("pk", filter=Q(held_at__isnull=True))
    )
    if requests["open"]:
        return None
    last = requests["last"]
    recent = Interaction.objects.filter(
        supporter=supporter, occurred_on__gte=since, occurred_on__lte=today
    )
    escalations = recent.filter(escalated=True)
    if last is not None:
        escalations = escalations.filter(logged_at__gt=last)
    if escalations.exists():
        return DebriefTrigger.ESCALATION
    asked_lately = last is not None and timezone.localdate(last) >= since
    if not asked_lately and recent.filter(successful=True).count() > (
        settings.DEBRIEF_AFTER_INTERACTIONS
    ):
        return DebriefTrigger.LOAD
    return None


def open_debrief(*, supporter: PeerSupporter) -> DebriefRequest | None:
    return DebriefRequest.objects.filter(supporter=supporter, held_at__isnull=True).first()


def away_periods_prefetch(day: date) -> Prefetch:
    """Each supporter's periods away that have not ended by `day`, in one query for all."""
    return Prefetch("away_periods", queryset=AwayPeriod.objects.filter(ends_on__gte=day))


def supporters_with_load(*, user) -> QuerySet[PeerSupporter]:
    """The supporters of a coordinator's sites, by name, each with their open debrief request
    (`debrief_id`, `debrief_requested_at`, `debrief_trigger`) and their time away to come;
    loads come from `supporter_loads` for the page shown."""
    open_request = DebriefRequest.objects.filter(supporter=OuterRef("pk"), held_at__isnull=True)
    return (
        supporters_visible_to(user)
        .select_related("physician__department__site")
        .prefetch_related(away_periods_prefetch(timezone.localdate()))
        .annotate(
            debrief_id=Subquery(open_request.values("pk")[:1]),
            debrief_requested_at=Subquery(open_request.values("requested_at")[:1]),
            debrief_trigger=Subquery(open_request.values("trigger")[:1]),
        )
        .order_by("physician__name", "pk")
    )


def conflict_candidates(*, supporter: PeerSupporter, query: str, limit: int = 10):
    """Roster entries a supporter may declare a conflict with, by name."""
    return roster_search(query=query, exclude=supporter.physician, limit=limit)
