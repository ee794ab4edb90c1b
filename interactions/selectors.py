"""Reads of referrals, scoped by who asks (through `interactions.access`).

The suggestion engine lives here too: it ranks the supporters a coordinator may assign and says,
for each, which matching rule of docs/confidentiality.md it passed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMinute
from django.utils import timezone

from post_program.access import roles_for
from post_program.models import Department, PeerSupporter, Physician, User
from training.selectors import training_current_until

from .access import referrals_visible_to, supporters_visible_to
from .models import (
    HELD_STATUSES,
    Assignment,
    AssignmentState,
    DebriefRequest,
    DebriefTrigger,
    DepartmentPreference,
    EventKind,
    ExceptionKind,
    Interaction,
    OnCallException,
    OnCallFeed,
    OnCallShift,
    OutreachAttempt,
    Referral,
    ReferralEvent,
    RequestReceipt,
    Source,
    Status,
    Urgency,
    feed_token_digest,
    first_contact_deadline,
    receipt_digest,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# --- requesters --------------------------------------------------------------------------------


def roster_search(
    *, query: str, exclude: Physician | None = None, on: date | None = None, limit: int = 10
) -> list[Physician]:
    """Current roster entries whose name contains `query` (at least two characters), with
    their department: what the request form shows, and nothing more."""
    query = query.strip()
    if len(query) < 2:
        return []
    physicians = (
        Physician.objects.employed_on(on or timezone.localdate())
        .filter(name__icontains=query)
        .select_related("department__site")
        .only("name", "department__name", "department__site__name")
        .order_by("name", "pk")
    )
    if exclude is not None:
        physicians = physicians.exclude(pk=exclude.pk)
    return list(physicians[:limit])


COLLEAGUE_RECEIVED = "Received: the peer support team is on it"
COLLEAGUE_HANDLED = "Handled by the peer support team"


@dataclass(frozen=True)
class MyRequest:
    referral: Referral
    requested_at: datetime
    for_self: bool

    @property
    def progress(self) -> str:
        """What the requester may know.

        Asking for oneself, where the request stands (never how it ended). Asking for a
        colleague, only what this request caused, by its own clock: received, then handled once
        its first-contact deadline has passed. The colleague's case (whether one already
        existed, its stage, supporter or outcome) shows through nothing, so the form cannot be
        used to find out who is in peer support."""
        if not self.for_self:
            if timezone.now() < first_contact_deadline(self.requested_at):
                return COLLEAGUE_RECEIVED
            return COLLEAGUE_HANDLED
        progress: dict[str, str] = {
            Status.NEW: "Received: finding a peer supporter",
            Status.ASSIGNED: "A peer supporter has been asked",
            Status.ACCEPTED: "A peer supporter will reach out",
            Status.CONTACTED: "A peer supporter has been in touch",
            Status.CLOSED: "Closed",
        }
        return progress[self.referral.status]


def my_requests(*, user) -> list[MyRequest]:
    """What the user asked for (first, or joining an open referral), newest first."""
    own_physician = roles_for(user).physician
    own_physician_id = own_physician.pk if own_physician else None
    joined = ReferralEvent.objects.filter(
        referral=OuterRef("pk"), kind=EventKind.REQUESTED_AGAIN, actor=user
    )
    referrals = (
        Referral.objects.exclude(source=Source.EVENT)
        .annotate(
            joined_at=Max(
                "events__at",
                filter=Q(events__kind=EventKind.REQUESTED_AGAIN, events__actor=user),
            )
        )
        .filter(Q(referrer=user) | Exists(joined))
        .select_related("physician", "department__site")
    )
    requests = [
        MyRequest(
            referral=referral,
            requested_at=referral.received_at
            if referral.referrer_id == user.pk
            else referral.joined_at,
            for_self=referral.physician_id is not None
            and referral.physician_id == own_physician_id,
        )
        for referral in referrals
    ]
    requests.sort(key=lambda item: item.requested_at, reverse=True)
    return requests


def request_by_receipt(*, code: str) -> MyRequest | None:
    """The request a receipt code was given for, as its (anonymous) requester may follow it:
    what it caused, by its own clock, as for any request for a colleague."""
    receipt = (
        RequestReceipt.objects.filter(digest=receipt_digest(code))
        .select_related("referral__physician", "referral__department__site")
        .first()
    )
    if receipt is None:
        return None
    return MyRequest(referral=receipt.referral, requested_at=receipt.requested_at, for_self=False)


def supporter_directory(*, department_id: int | None = None) -> QuerySet[PeerSupporter]:
    supporters = (
        PeerSupporter.objects.active()
        .select_related("physician__department__site")
        .order_by("physician__name", "pk")
    )
    if department_id:
        supporters = supporters.filter(physician__department_id=department_id)
    return supporters


def directory_departments() -> QuerySet[Department]:
    """Departments that have at least one active supporter."""
    return (
        Department.objects.select_related("site")
        .filter(physicians__supporter__status=PeerSupporter.Status.ACTIVE)
        .distinct()
    )


# --- coordinators --------------------------------------------------------------------------------

QUEUE_STATUSES = {
    "open": [status.value for status in Status if status != Status.CLOSED],
    **{status.value: [status.value] for status in Status},
    "all": [status.value for status in Status],
}


def referral_queue(
    *,
    user,
    site_id: int | None = None,
    status: str = "open",
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[Referral]:
    """The coordinator's queue: referrals of their sites, urgent first, then by deadline."""
    referrals = (
        referrals_visible_to(user)
        .filter(department__site_id__in=roles_for(user).coordinator_site_ids)
        .filter(status__in=QUEUE_STATUSES.get(status, QUEUE_STATUSES["open"]))
        .select_related("physician", "department__site", "assigned_to__physician")
    )
    if site_id:
        referrals = referrals.filter(department__site_id=site_id)
    if overdue:
        referrals = referrals.overdue(now)
    urgent_first = Q(urgency=Urgency.SAFETY) & ~Q(status=Status.CLOSED)
    return referrals.alias(urgent=urgent_first).order_by("-urgent", "first_contact_due_at", "pk")


def queue_counts(*, user, site_id: int | None = None, now: datetime | None = None) -> dict:
    """How many referrals of the coordinator's sites are in each status, overdue and urgent
    (one query)."""
    referrals = Referral.objects.filter(
        department__site_id__in=roles_for(user).coordinator_site_ids
    )
    if site_id:
        referrals = referrals.filter(department__site_id=site_id)
    now = now or timezone.now()
    is_open = ~Q(status=Status.CLOSED)
    counts = referrals.aggregate(
        **{status.value: Count("pk", filter=Q(status=status)) for status in Status},
        overdue=Count(
            "pk", filter=is_open & Q(first_contact_at__isnull=True, first_contact_due_at__lt=now)
        ),
        urgent=Count("pk", filter=is_open & Q(urgency=Urgency.SAFETY)),
    )
    counts["open"] = sum(counts[status] for status in QUEUE_STATUSES["open"])
    return counts


def referral_history(*, referral: Referral) -> QuerySet[ReferralEvent]:
    """The referral's history in the order things happened. Times typed into a form (an
    outreach attempt, hence the first contact) are to the minute: within one minute, the order
    in which the steps were recorded (an acceptance at 10:00:35 came before the contact of the
    attempt entered as 10:00)."""
    return referral.events.select_related("actor", "supporter__physician").order_by(
        TruncMinute("at"), "pk"
    )


# --- case work ---------------------------------------------------------------------------------


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


def supporters_with_load(*, user) -> QuerySet[PeerSupporter]:
    """The supporters of a coordinator's sites, by name, each with their open debrief request
    (`debrief_id`, `debrief_requested_at`, `debrief_trigger`); loads come from
    `supporter_loads` for the page shown."""
    open_request = DebriefRequest.objects.filter(supporter=OuterRef("pk"), held_at__isnull=True)
    return (
        supporters_visible_to(user)
        .select_related("physician__department__site")
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


# --- suggestions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One matching rule and whether the candidate passed it, in words."""

    rule: str
    passed: bool
    explanation: str


@dataclass
class Candidate:
    supporter: PeerSupporter
    open_cases: int
    last_assigned_at: datetime | None
    training_current_until: date | None
    requested: bool
    checks: list[Check] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    @property
    def days_since_last_assignment(self) -> int | None:
        if self.last_assigned_at is None:
            return None
        return (timezone.now() - self.last_assigned_at).days


@dataclass
class Suggestions:
    eligible: list[Candidate]
    # Not suggested, with the rule that stopped them: the referral's department and the
    # supporter the requester asked for, so the coordinator sees why they are missing.
    excluded: list[Candidate]


class _PoolAnnotations(TypedDict):
    open_cases: int
    conflicted: bool


def _candidate_pool(
    referral: Referral,
) -> QuerySet[WithAnnotations[PeerSupporter, _PoolAnnotations]]:
    """Supporters worth explaining: every active one, plus anyone from the referral's
    department or asked for by name (who may be paused or away)."""
    pool = Q(status=PeerSupporter.Status.ACTIVE) | Q(
        physician__department_id=referral.department_id
    )
    if referral.requested_supporter_id:
        pool |= Q(pk=referral.requested_supporter_id)
    return (
        PeerSupporter.objects.filter(pool)
        .exclude(status=PeerSupporter.Status.RETIRED)
        .select_related("physician__department__site")
        .annotate(
            open_cases=Count("referrals", filter=Q(referrals__status__in=HELD_STATUSES)),
            conflicted=Exists(
                PeerSupporter.conflicts.through.objects.filter(
                    peersupporter_id=OuterRef("pk"), physician_id=referral.physician_id
                )
            )
            if referral.physician_id
            else Value(False, output_field=BooleanField()),
        )
    )


def referral_suggestions(*, referral: Referral, on: date | None = None) -> Suggestions:
    """Rank the supporters for a referral by the matching rules of docs/confidentiality.md.

    Hard rules, in order: never the physician themself; never a supporter with a declared
    conflict; the department wish (own, another, none); active, accepting and not away; under
    the caseload cap; training current. Among those who pass: the supporter the requester asked
    for first, then fewer open cases, then longest since their last assignment (never first).
    A fixed number of queries, whatever the number of supporters.
    """
    on = on or timezone.localdate()
    supporters = list(_candidate_pool(referral))
    last_assigned = dict(
        Assignment.objects.filter(supporter__in=[s.pk for s in supporters])
        .values("supporter")
        .annotate(last=Max("assigned_at"))
        .values_list("supporter", "last")
    )
    trained_until = training_current_until(supporter_ids=[s.pk for s in supporters])
    candidates = []
    for supporter in supporters:
        candidate = Candidate(
            supporter=supporter,
            open_cases=supporter.open_cases,
            last_assigned_at=last_assigned.get(supporter.pk),
            training_current_until=trained_until.get(supporter.pk),
            requested=supporter.pk == referral.requested_supporter_id,
        )
        candidate.checks = _checks(referral, supporter, candidate, on)
        candidates.append(candidate)
    eligible = sorted(
        (c for c in candidates if c.eligible),
        key=lambda c: (
            not c.requested,
            c.open_cases,
            c.last_assigned_at is not None,
            c.last_assigned_at or datetime.min.replace(tzinfo=UTC),
            c.supporter.physician.name,
            c.supporter.pk,
        ),
    )
    excluded = [
        c
        for c in candidates
        if not c.eligible
        and (c.requested or c.supporter.physician.department_id == referral.department_id)
    ]
    excluded.sort(key=lambda c: (not c.requested, c.supporter.physician.name, c.supporter.pk))
    return Suggestions(eligible=eligible, excluded=excluded)


def _checks(
    referral: Referral,
    supporter: WithAnnotations[PeerSupporter, _PoolAnnotations],
    candidate: Candidate,
    on: date,
) -> list[Check]:
    same_department = supporter.physician.department_id == referral.department_id
    preference = referral.department_preference
    if preference == DepartmentPreference.OWN:
        department = Check(
            "department",
            same_department,
            "Same department, as asked" if same_department else "Not in the same department",
        )
    elif preference == DepartmentPreference.OTHER:
        department = Check(
            "department",
            not same_department,
            "Another department, as asked" if not same_department else "Same department",
        )
    else:
        department = Check(
            "department",
            True,
            "No department wish" + (" (same department)" if same_department else ""),
        )
    away = supporter.away_until is not None and supporter.away_until >= on
    available = (
        supporter.status == PeerSupporter.Status.ACTIVE
        and supporter.accepting_referrals
        and not away
    )
    if available:
        availability = "Active and accepting referrals"
    elif supporter.status != PeerSupporter.Status.ACTIVE:
        availability = f"{supporter.get_status_display()}, not active"
    elif not supporter.accepting_referrals:
        availability = "Not accepting referrals"
    else:
        availability = f"Away until {supporter.away_until:%Y-%m-%d}"
    until = candidate.training_current_until
    trained = until is not None and until >= on
    if trained:
        training = f"Training current until {until:%Y-%m-%d}"
    elif until is None:
        training = "No completed training on record"
    else:
        training = f"Training lapsed after {until:%Y-%m-%d}"  # the last day it counted
    is_self = referral.physician_id is not None and supporter.physician_id == referral.physician_id
    under_cap = candidate.open_cases < supporter.caseload_cap
    return [
        Check(
            "not_self",
            not is_self,
            "Is the physician to be supported" if is_self else "Not the physician themself",
        ),
        Check(
            "no_conflict",
            not supporter.conflicted,
            "Declared a conflict with the physician" if supporter.conflicted else "No conflict",
        ),
        department,
        Check("available", available, availability),
        Check(
            "caseload",
            under_cap,
            f"{candidate.open_cases} of {supporter.caseload_cap} open cases",
        ),
        Check("training", trained, training),
    ]


# --- the on-call roster -------------------------------------------------------------------------


@dataclass(frozen=True)
class OnCallSpan:
    """One stretch of time in which `user_id` is on call at `site_id` at `position`."""

    site_id: int
    user_id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    covering: bool = False


def _weekly_spans(shifts, start: datetime, end: datetime) -> list[OnCallSpan]:
    """The weekly shifts laid out on the calendar between `start` and `end` (clipped to it), in
    the program's time zone; a shift that ends at or before its start ends the next day."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(start, zone).date() - timedelta(days=1)
    last = timezone.localtime(end, zone).date()
    spans: list[OnCallSpan] = []
    day = first
    while day <= last:
        for shift in shifts:
            if shift.weekday != day.weekday():
                continue
            starts_at = datetime.combine(day, shift.starts, tzinfo=zone)
            ends_day = day if shift.ends > shift.starts else day + timedelta(days=1)
            ends_at = datetime.combine(ends_day, shift.ends, tzinfo=zone)
            if starts_at < end and ends_at > start:
                spans.append(
                    OnCallSpan(
                        shift.site_id,
                        shift.user_id,
                        shift.position,
                        max(starts_at, start),
                        min(ends_at, end),
                    )
                )
        day += timedelta(days=1)
    return spans


def _without(span: OnCallSpan, off: list[tuple[datetime, datetime]]) -> list[OnCallSpan]:
    """`span` less the stretches in `off`."""
    pieces = [span]
    for off_start, off_end in off:
        kept: list[OnCallSpan] = []
        for piece in pieces:
            if off_end <= piece.starts_at or off_start >= piece.ends_at:
                kept.append(piece)
                continue
            if piece.starts_at < off_start:
                kept.append(replace(piece, ends_at=off_start))
            if off_end < piece.ends_at:
                kept.append(replace(piece, starts_at=off_end))
        pieces = kept
    return pieces


def on_call_spans(
    *, start: datetime, end: datetime, site_ids=None, user_id: int | None = None
) -> list[OnCallSpan]:
    """Who is on call when between `start` and `end`: the weekly pattern, less the times its
    people are off, plus covers; at the given sites (all if None) or for one person. Two
    queries however long the stretch; ordered by start, then position."""
    shifts = OnCallShift.objects.all()
    exceptions = OnCallException.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if site_ids is not None:
        shifts = shifts.filter(site_id__in=site_ids)
        exceptions = exceptions.filter(site_id__in=site_ids)
    if user_id is not None:
        shifts = shifts.filter(user_id=user_id)
        exceptions = exceptions.filter(user_id=user_id)
    off: dict[tuple[int, int], list[tuple[datetime, datetime]]] = {}
    spans: list[OnCallSpan] = []
    for exception in exceptions:
        if exception.kind == ExceptionKind.OFF:
            key = (exception.site_id, exception.user_id)
            off.setdefault(key, []).append((exception.starts_at, exception.ends_at))
        else:
            spans.append(
                OnCallSpan(
                    exception.site_id,
                    exception.user_id,
                    exception.position,
                    max(exception.starts_at, start),
                    min(exception.ends_at, end),
                    covering=True,
                )
            )
    for span in _weekly_spans(list(shifts), start, end):
        spans.extend(_without(span, off.get((span.site_id, span.user_id), [])))
    return sorted(spans, key=lambda span: (span.starts_at, span.position, span.user_id))


def on_call_at(*, site_id: int, at: datetime) -> list[int]:
    """The ids of the people on call at `site_id` at the moment `at`, in the order they are
    paged: by position, a cover before the weekly shift at the same position; each once. Only
    people whose account is active."""
    spans = on_call_spans(start=at, end=at + timedelta(microseconds=1), site_ids=[site_id])
    active = set(
        User.objects.filter(pk__in={span.user_id for span in spans}, is_active=True).values_list(
            "pk", flat=True
        )
    )
    ordered: list[int] = []
    for span in sorted(spans, key=lambda span: (span.position, not span.covering, span.user_id)):
        if span.user_id in active and span.user_id not in ordered:
            ordered.append(span.user_id)
    return ordered


def on_call_feed_owner(token: str) -> User | None:
    """Whose calendar feed `token` opens (an active account), or None."""
    feed = (
        OnCallFeed.objects.select_related("user")
        .filter(token_digest=feed_token_digest(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None
