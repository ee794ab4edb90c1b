"""Reads of referrals, scoped by who asks (through `post_program.permissions`).

The suggestion engine lives here too: it ranks the supporters a coordinator may assign and says,
for each, which matching rule of product.md it passed or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.db.models import BooleanField, Count, Exists, Max, OuterRef, Q, QuerySet, Value
from django.utils import timezone

from post_program.models import Department, PeerSupporter, Physician
from post_program.permissions import referrals_visible_to, roles_for
from training.selectors import training_current_until

from .models import (
    HELD_STATUSES,
    Assignment,
    DepartmentPreference,
    EventKind,
    Referral,
    ReferralEvent,
    Source,
    Status,
    Urgency,
)

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


@dataclass(frozen=True)
class MyRequest:
    referral: Referral
    requested_at: datetime
    for_self: bool

    @property
    def progress(self) -> str:
        """What the requester may know: where the request stands, not how it ended."""
        return {
            Status.NEW: "Received: finding a peer supporter",
            Status.ASSIGNED: "A peer supporter has been asked",
            Status.ACCEPTED: "A peer supporter will reach out",
            Status.CONTACTED: "A peer supporter has been in touch",
            Status.CLOSED: "Closed",
        }[self.referral.status]


def my_requests(*, user) -> list[MyRequest]:
    """What the user asked for (first, or joining an open referral), newest first."""
    own_physician_id = roles_for(user).physician.pk if roles_for(user).physician else None
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
    return referral.events.select_related("actor", "supporter__physician").order_by("at", "pk")


def supporter_cases(*, supporter: PeerSupporter) -> QuerySet[Referral]:
    """Referrals a supporter holds or held, open ones first, by deadline."""
    return (
        Referral.objects.filter(assigned_to=supporter)
        .select_related("physician", "department__site")
        .alias(closed=Q(status=Status.CLOSED))
        .order_by("closed", "first_contact_due_at", "pk")
    )


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


def _candidate_pool(referral: Referral) -> QuerySet[PeerSupporter]:
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
    """Rank the supporters for a referral by the matching rules of product.md.

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
    referral: Referral, supporter: PeerSupporter, candidate: Candidate, on: date
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
