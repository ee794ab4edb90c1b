"""Reads of the core models, scoped through `access`."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .access import departments_visible_to, physicians_visible_to
from .models import Department, PeerSupporter, Physician


def roster_list(*, user, query: str = "", department_id: int | None = None) -> QuerySet[Physician]:
    """Current and past roster entries the user may see, filtered by name, ID or email."""
    physicians = physicians_visible_to(user).select_related("department__site", "supporter")
    if department_id:
        physicians = physicians.filter(department_id=department_id)
    query = query.strip()
    if query:
        physicians = physicians.filter(
            Q(name__icontains=query) | Q(physician_id__iexact=query) | Q(email__iexact=query)
        )
    return physicians.order_by("name", "physician_id")


def department_summaries(*, user) -> QuerySet[Department]:
    """Visible departments with their current roster size and active supporters, in one query."""
    today = timezone.localdate()
    current = Q(physicians__ended_on__isnull=True) | Q(physicians__ended_on__gte=today)
    return departments_visible_to(user).annotate(
        roster_size=Count("physicians", filter=current, distinct=True),
        supporters_active=Count(
            "physicians__supporter",
            filter=current & Q(physicians__supporter__status=PeerSupporter.Status.ACTIVE),
            distinct=True,
        ),
    )


def program_overview() -> dict[str, int]:
    """Headline counts for the director's home page."""
    today = timezone.localdate()
    return {
        "sites": Department.objects.values("site").distinct().count(),
        "departments": Department.objects.count(),
        "departments_adopted": Department.objects.adopted_between(today, today).count(),
        "physicians": Physician.objects.employed_on(today).count(),
        "supporters_active": PeerSupporter.objects.active().count(),
    }
