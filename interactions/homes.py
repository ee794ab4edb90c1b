"""The homes of the roles that work cases: the coordinator's referrals that need attention and
the supporter's cases waiting on them. Each list shows what the referral queue and the case
list show to the same person (names only to those allowed to know them, never who asked), and
leaves the same audit row. The URLs keep the names the home dispatch of ``post_program``
redirects to (``home_coordinator``, ``home_supporter``).
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from post_program.access import require, roles_for

from . import selectors, services
from .access import can_view_coordinator_home, can_view_supporter_home
from .models import Status, Urgency

LISTED = 10
"""At most this many referrals in each list of the coordinator's home; the count says how many
there are and the queue shows them all."""


@require_GET
@require(can_view_coordinator_home)
def home_coordinator(request):
    now = timezone.now()
    queue = selectors.referral_queue(user=request.user, status="open", now=now)
    lists = {
        "overdue": list(queue.overdue(now)[:LISTED]),
        "urgent": list(queue.filter(urgency=Urgency.SAFETY)[:LISTED]),
        "unassigned": list(queue.filter(status=Status.NEW)[:LISTED]),
    }
    shown = {referral.pk: referral for rows in lists.values() for referral in rows}
    services.referrals_record_list(
        actor=request.user, page="home_coordinator", referrals=shown.values()
    )
    return render(
        request,
        "interactions/home_coordinator.html",
        {
            **lists,
            "home_role": "coordinator",
            "counts": selectors.queue_counts(user=request.user, now=now),
            "now": now,
        },
    )


@require_GET
@require(can_view_supporter_home)
def home_supporter(request):
    supporter = roles_for(request.user).supporter
    cases = list(selectors.supporter_open_cases(supporter=supporter))
    waiting = [case for case in cases if case.status in (Status.ASSIGNED, Status.ACCEPTED)]
    deadlines = [
        case.accept_due_at if case.status == Status.ASSIGNED else case.first_contact_due_at
        for case in waiting
    ]
    services.referrals_record_list(actor=request.user, page="home_supporter", referrals=waiting)
    return render(
        request,
        "interactions/home_supporter.html",
        {
            "home_role": "supporter",
            "supporter": supporter,
            "waiting": waiting,
            "open_count": len(cases),
            "next_deadline": min((d for d in deadlines if d is not None), default=None),
            "now": timezone.now(),
        },
    )
