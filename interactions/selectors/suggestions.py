"""The suggestion engine: it ranks the supporters a coordinator may assign and says, for each,
which matching rule of docs/confidentiality.md it passed or failed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext

from post_program.models import (
    AwayPeriod,
    ContactWindow,
    PeerSupporter,
)
from training.selectors import training_current_until

from ..models import (
    HELD_STATUSES,
    Assignment,
    DepartmentPreference,
    Referral,
)
from .casework import away_periods_prefetch

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


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
    # Rules that order the eligible and never exclude: one failed ranks the candidate lower.
    ranking: list[Check] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    @property
    def ranked_lower(self) -> list[Check]:
        return [check for check in self.ranking if not check.passed]

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


def referral_suggestions(
    *, referral: Referral, on: date | None = None, at: datetime | None = None
) -> Suggestions:
    """Rank the supporters for a referral by the matching rules of docs/confidentiality.md,
    as they stand at `at` (now by default) on the day `on` (the day of `at` by default).

    Hard rules, in order: never the physician themself; never a supporter with a declared
    conflict; the department wish (own, another, none); active, accepting and not away on the
    day; under the caseload cap; training current. Among those who pass: the supporter the
    requester asked for first; then those with no time away starting before first contact is
    due; then those whose contact hours (or none set) meet the time left until first contact
    is due; then fewer open cases, then longest since their last assignment (never first).
    A fixed number of queries, whatever the number of supporters.
    """
    now = at or timezone.now()
    on = on or timezone.localdate(now)
    supporters = list(
        _candidate_pool(referral).prefetch_related(away_periods_prefetch(on), "contact_windows")
    )
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
        candidate.ranking = _ranking(referral, supporter, on, now)
        candidates.append(candidate)
    eligible = sorted(
        (c for c in candidates if c.eligible),
        key=lambda c: (
            not c.requested,
            *(not check.passed for check in c.ranking),
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
            gettext("Same department, as asked")
            if same_department
            else gettext("Not in the same department"),
        )
    elif preference == DepartmentPreference.OTHER:
        department = Check(
            "department",
            not same_department,
            gettext("Another department, as asked")
            if not same_department
            else gettext("Same department"),
        )
    else:
        department = Check(
            "department",
            True,
            gettext("No department wish (same department)")
            if same_department
            else gettext("No department wish"),
        )
    ahead = supporter.away_periods_from(on)
    away = ahead[0] if ahead and ahead[0].starts_on <= on else None
    available = (
        supporter.status == PeerSupporter.Status.ACTIVE
        and supporter.accepting_referrals
        and away is None
    )
    if supporter.status != PeerSupporter.Status.ACTIVE:
        availability = gettext("%(status)s, not active") % {
            "status": supporter.get_status_display()
        }
    elif not supporter.accepting_referrals:
        availability = gettext("Not accepting referrals")
    elif away is not None:
        availability = gettext("Away %(first)s to %(last)s") % _days(away)
    else:
        availability = gettext("Active and accepting referrals")
    until = candidate.training_current_until
    trained = until is not None and until >= on
    if trained:
        training = gettext("Training current until %(day)s") % {"day": f"{until:%Y-%m-%d}"}
    elif until is None:
        training = gettext("No completed training on record")
    else:  # until: the last day it counted
        training = gettext("Training lapsed after %(day)s") % {"day": f"{until:%Y-%m-%d}"}
    is_self = referral.physician_id is not None and supporter.physician_id == referral.physician_id
    under_cap = candidate.open_cases < supporter.caseload_cap
    return [
        Check(
            "not_self",
            not is_self,
            gettext("Is the physician to be supported")
            if is_self
            else gettext("Not the physician themself"),
        ),
        Check(
            "no_conflict",
            not supporter.conflicted,
            gettext("Declared a conflict with the physician")
            if supporter.conflicted
            else gettext("No conflict"),
        ),
        department,
        Check("available", available, availability),
        Check(
            "caseload",
            under_cap,
            gettext("%(count)s of %(cap)s open cases")
            % {"count": candidate.open_cases, "cap": supporter.caseload_cap},
        ),
        Check("training", trained, training),
    ]


def _ranking(referral: Referral, supporter: PeerSupporter, on: date, now: datetime) -> list[Check]:
    """The rules that order the eligible: time away starting between the day and the
    first-contact deadline, and contact hours that leave no time before it."""
    due = timezone.localtime(referral.first_contact_due_at)
    ahead = supporter.away_periods_from(on)
    soon = next((p for p in ahead if on < p.starts_on <= due.date()), None)
    if soon is not None:
        said = gettext("Away %(first)s to %(last)s, starting before first contact is due")
        away = Check("away_soon", False, said % _days(soon))
    elif ahead:
        away = Check(
            "away_soon", True, gettext("Next away %(first)s to %(last)s") % _days(ahead[0])
        )
    else:
        away = Check("away_soon", True, gettext("No time away planned"))
    pattern = {"pattern": supporter.contact_pattern}
    if not pattern["pattern"]:
        hours = Check("contact_hours", True, gettext("No preferred contact hours"))
    elif _meets_contact_hours(supporter.contact_windows.all(), now, due):
        hours = Check("contact_hours", True, gettext("Prefers contact %(pattern)s") % pattern)
    else:
        said = gettext("Prefers contact %(pattern)s: none of it before first contact is due")
        hours = Check("contact_hours", False, said % pattern)
    return [away, hours]


def _days(period: AwayPeriod) -> dict[str, str]:
    """The first and last day of a time away, as its explanation names them."""
    return {"first": f"{period.starts_on:%Y-%m-%d}", "last": f"{period.ends_on:%Y-%m-%d}"}


def _meets_contact_hours(windows: Iterable[ContactWindow], start: datetime, end: datetime) -> bool:
    """Whether any weekly window (in the program's time zone) meets the time from `start` to
    `end`; once `end` has passed, whether one is open at `start`."""
    zone = timezone.get_current_timezone()
    start = timezone.localtime(start)
    end = max(timezone.localtime(end), start)
    by_day: dict[int, list[ContactWindow]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    day = start.date()
    last = min(end.date(), day + timedelta(days=7))  # a week holds every window
    while day <= last:
        for window in by_day.get(day.weekday(), []):
            opens = datetime.combine(day, window.starts_at, tzinfo=zone)
            closes = datetime.combine(day, window.ends_at, tzinfo=zone)
            if opens <= end and closes > start:
                return True
        day += timedelta(days=1)
    return False
