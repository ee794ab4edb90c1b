"""Reads of training records. Other apps use these and not the models' internals.

The rule for "training current" is the one in `docs/metrics.md`: a supporter is current on day
D when their latest completed course (initial or refresher) on or before D is on or after
D - REFRESHER_MONTHS calendar months.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Exists, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from post_program import program_settings
from post_program.models import Department, PeerSupporter, Physician

from .models import CourseKind, Enrollment, TrainingCompletion, TrainingSession


def refresher_months() -> int:
    return program_settings.get().refresher_months


def current_cutoff(on: date) -> date:
    """The earliest completion date that still counts as current on `on`."""
    return on - relativedelta(months=refresher_months())


def current_until(completed_on: date, months: int | None = None) -> date:
    """The last day on which a course completed on `completed_on` keeps training current.

    That is the latest D with D - N months ≤ completed_on. `completed_on + N months` is such a
    day, but month-end clamping can let a few later days pass too (D - 1 month is Feb 29 for
    both Mar 30 and Mar 31), so step forward while the next day still qualifies. `months`:
    the refresher interval read before (the program's setting now, by default).
    """
    span = relativedelta(months=refresher_months() if months is None else months)
    until = completed_on + span
    while (until + timedelta(days=1)) - span <= completed_on:
        until += timedelta(days=1)
    return until


def supporters_training_current(
    queryset: QuerySet[PeerSupporter], *, on: date
) -> QuerySet[PeerSupporter]:
    """Keep the supporters whose training is current on `on` (one SQL filter).

    "Latest completion ≤ on is ≥ on - N months" is the same as "some completion lies in
    [on - N months, on]", which is an EXISTS the database answers from an index.
    """
    recent = TrainingCompletion.objects.filter(
        physician_id=OuterRef("physician_id"),
        completed_on__lte=on,
        completed_on__gte=current_cutoff(on),
    )
    return queryset.filter(Exists(recent))


def supporters_training_lapsed(
    queryset: QuerySet[PeerSupporter], *, on: date
) -> QuerySet[PeerSupporter]:
    """The complement of `supporters_training_current` within `queryset`."""
    recent = TrainingCompletion.objects.filter(
        physician_id=OuterRef("physician_id"),
        completed_on__lte=on,
        completed_on__gte=current_cutoff(on),
    )
    return queryset.exclude(Exists(recent))


def training_current_until(*, supporter_ids: Iterable[int]) -> dict[int, date | None]:
    """For each PeerSupporter id: the last day their training is current, from their latest
    completion (None if they never completed a course, or the id is unknown). One query."""
    ids = list(dict.fromkeys(supporter_ids))
    result: dict[int, date | None] = dict.fromkeys(ids)
    if not ids:
        return result
    rows = (
        PeerSupporter.objects.filter(pk__in=ids)
        .annotate(latest=Max("physician__training_completions__completed_on"))
        .values_list("pk", "latest")
    )
    for pk, latest in rows:
        result[pk] = current_until(latest) if latest is not None else None
    return result


def supporters_training_lapsing(*, on: date, within_days: int) -> QuerySet[PeerSupporter]:
    """Supporters (not retired) whose training is current on `on` and no longer current
    `within_days` later unless they take a course: their latest completion lies in
    [on - N months, on + within_days - N months). Annotated with `latest_completion`; the
    soonest to lapse first. One query."""
    later = on + timedelta(days=within_days)
    supporters = PeerSupporter.objects.exclude(status=PeerSupporter.Status.RETIRED)
    return (
        supporters_training_lapsed(supporters_training_current(supporters, on=on), on=later)
        .select_related("physician__department__site")
        .annotate(
            latest_completion=Max(
                "physician__training_completions__completed_on",
                filter=Q(physician__training_completions__completed_on__lte=on),
            )
        )
        .order_by("latest_completion", "physician__name", "pk")
    )


# --- Pages ----------------------------------------------------------------------------------


def sessions_upcoming(*, now: datetime | None = None) -> QuerySet[TrainingSession]:
    """Sessions that have not ended, soonest first, with seat and waitlist counts."""
    return (
        TrainingSession.objects.upcoming(now)
        .select_related("course", "facilitator")
        .with_counts()
        .order_by("starts_at", "pk")
    )


def sessions_past(*, now: datetime | None = None) -> QuerySet[TrainingSession]:
    """Sessions that have ended, latest first, with counts (for recording attendance late)."""
    return (
        TrainingSession.objects.filter(ends_at__lt=now or timezone.now())
        .select_related("course", "facilitator")
        .with_counts()
        .order_by("-starts_at", "-pk")
    )


def session_with_counts(*, pk: int) -> TrainingSession:
    return TrainingSession.objects.select_related("course", "facilitator").with_counts().get(pk=pk)


def session_enrollments(
    *, session: TrainingSession, visible: QuerySet[Enrollment]
) -> QuerySet[Enrollment]:
    """Live and past enrollments of a session among those the viewer may see: seats first,
    then the waitlist in order, then cancellations."""
    rank = Case(
        When(status__in=Enrollment.SEAT_STATUSES, then=Value(0)),
        When(status=Enrollment.Status.ABSENT, then=Value(0)),
        When(status=Enrollment.Status.WAITLISTED, then=Value(1)),
        default=Value(2),
    )
    return (
        visible.filter(session=session)
        .select_related("physician__department__site")
        .annotate(rank=rank)
        .order_by("rank", "signed_up_at", "pk")
    )


def physician_enrollments(*, physician: Physician) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(physician=physician)
        .select_related("session__course")
        .order_by("-session__starts_at", "-pk")
    )


def physician_completions(*, physician: Physician) -> QuerySet[TrainingCompletion]:
    return TrainingCompletion.objects.filter(physician=physician).order_by("-completed_on", "-pk")


def supporters_training_status(
    *, departments: QuerySet[Department], on: date
) -> QuerySet[PeerSupporter]:
    """Supporters (not retired) in `departments`, annotated with `latest_completion`,
    `initial_completed_on` and `is_current` (on `on`), lapsed first. One query."""
    recent = TrainingCompletion.objects.filter(
        physician_id=OuterRef("physician_id"),
        completed_on__lte=on,
        completed_on__gte=current_cutoff(on),
    )
    return (
        PeerSupporter.objects.filter(physician__department__in=departments.values("pk"))
        .exclude(status=PeerSupporter.Status.RETIRED)
        .select_related("physician__department__site")
        .annotate(
            latest_completion=Max(
                "physician__training_completions__completed_on",
                filter=Q(physician__training_completions__completed_on__lte=on),
            ),
            initial_completed_on=Min(
                "physician__training_completions__completed_on",
                filter=Q(physician__training_completions__course=CourseKind.INITIAL),
            ),
            is_current=Exists(recent),
        )
        .order_by("is_current", "latest_completion", "physician__name", "pk")
    )


def activation_candidates(*, departments: QuerySet[Department], on: date) -> QuerySet[Physician]:
    """Physicians on the roster in `departments` who completed the initial course and are not
    supporters (or retired ones): they may be activated. Annotated with
    `initial_completed_on`."""
    return (
        Physician.objects.employed_on(on)
        .filter(department__in=departments.values("pk"))
        .filter(
            Exists(
                TrainingCompletion.objects.filter(
                    physician_id=OuterRef("pk"), course=CourseKind.INITIAL, completed_on__lte=on
                )
            )
        )
        .exclude(supporter__status__in=[PeerSupporter.Status.ACTIVE, PeerSupporter.Status.PAUSED])
        .select_related("department__site", "supporter")
        .annotate(
            initial_completed_on=Max(
                "training_completions__completed_on",
                filter=Q(training_completions__course=CourseKind.INITIAL),
            )
        )
        .order_by("name", "physician_id")
    )
