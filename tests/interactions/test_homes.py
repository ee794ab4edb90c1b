"""The coordinator's and the supporter's homes: what needs them, only theirs, never who asked,
an audit row for the names shown, and a query count that does not grow with the cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from post_program.models import AuditEvent

from .factories import referral_assigned, referral_in_status, referral_new

pytestmark = pytest.mark.django_db


def _page(cast, member: str, name: str) -> str:
    response = cast.client(member).get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_coordinator_home_leads_with_overdue_urgent_and_unassigned_referrals(cast):
    late = timezone.now() - timedelta(days=2)
    overdue = referral_new(department=cast.department_a, at=late, requester=cast.physician)
    urgent = referral_assigned(
        department=cast.department_c, supporter=cast.supporter_a_profile, urgency="safety"
    )
    waiting = referral_new(department=cast.department_c)
    settled = referral_in_status(
        "contacted", department=cast.department_a, supporter=cast.supporter_a_profile
    )
    elsewhere = referral_new(department=cast.department_b, at=late)  # South: not theirs

    html = _page(cast, "coordinator", "home_coordinator")
    overdue_list = _section(html, "overdue-referrals")
    assert overdue.physician.name in overdue_list
    assert reverse("interactions:referral_detail", args=[overdue.pk]) in overdue_list
    assert "Overdue (1)" in overdue_list
    urgent_list = _section(html, "urgent-referrals")
    assert urgent.physician.name in urgent_list and overdue.physician.name not in urgent_list
    unassigned = _section(html, "unassigned-referrals")
    assert waiting.physician.name in unassigned and overdue.physician.name in unassigned
    assert urgent.physician.name not in unassigned
    assert "Waiting for a supporter (2)" in unassigned
    # Only their sites' cases, only what needs them, and never who asked.
    assert elsewhere.physician.name not in html
    assert settled.physician.name not in html
    assert cast.physician.name not in html
    # The names shown leave an audit row, as the queue's do.
    event = AuditEvent.objects.filter(action="referral.list").latest("pk")
    assert event.detail["page"] == "home_coordinator"
    assert sorted(event.detail["referral_ids"]) == sorted(
        r.referral_id for r in (overdue, urgent, waiting)
    )


def test_supporter_home_shows_their_cases_waiting_and_the_next_deadline(cast):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 10
    supporter.save()
    to_accept = referral_assigned(
        department=cast.department_a, supporter=supporter, requester=cast.physician
    )
    to_contact = referral_in_status("accepted", department=cast.department_c, supporter=supporter)
    reached = referral_in_status("contacted", department=cast.department_a, supporter=supporter)
    someone_elses = referral_assigned(
        department=cast.department_b, supporter=cast.supporter_b_profile
    )

    html = _page(cast, "supporter_a", "home_supporter")
    waiting = _section(html, "waiting-cases")
    assert to_accept.physician.name in waiting and "Accept or decline by" in waiting
    assert to_contact.physician.name in waiting and "First contact due" in waiting
    assert reached.physician.name not in waiting  # nothing waits: the work goes on
    assert "You hold 3 open cases" in waiting
    assert someone_elses.physician.name not in html
    assert cast.physician.name not in html  # the colleague who asked is not named
    deadlines = [
        to_accept.assignments.get().accept_due_at,
        to_contact.first_contact_due_at,
    ]
    soonest = date_format(timezone.localtime(min(deadlines)), "SHORT_DATETIME_FORMAT")
    assert "Your next deadline: <time" in html
    assert soonest in _section_text(html, "next-deadline")


def _section_text(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</p>", start)]


def test_supporter_home_says_when_the_next_deadline_has_passed(cast):
    late = timezone.now() - timedelta(days=3)
    referral_in_status(
        "accepted", department=cast.department_a, supporter=cast.supporter_a_profile, at=late
    )
    html = _page(cast, "supporter_a", "home_supporter")
    assert "already passed: act on it first" in _section_text(html, "next-deadline")


def test_supporter_home_with_nothing_waiting_says_so(cast):
    html = _page(cast, "supporter_a", "home_supporter")
    assert "Nothing is waiting on you." in html
    assert "No case waits for your answer or your first contact." in html


def test_homes_keep_their_query_budgets(cast, django_assert_max_num_queries):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 50
    supporter.save()
    late = timezone.now() - timedelta(days=2)

    def add(n: int) -> None:
        for _ in range(n):
            referral_new(department=cast.department_a, at=late)
            referral_assigned(department=cast.department_c, supporter=supporter, urgency="safety")
            referral_in_status("accepted", department=cast.department_a, supporter=supporter)

    clients = {member: cast.client(member) for member in ("coordinator", "supporter_a")}

    def count(member: str, name: str, budget: int) -> int:
        with django_assert_max_num_queries(budget) as captured:
            assert clients[member].get(reverse(name)).status_code == 200
        return len(captured)

    add(1)
    few = {
        "coordinator": count("coordinator", "home_coordinator", 8),
        "supporter": count("supporter_a", "home_supporter", 6),
    }
    add(12)  # more than each list shows
    assert count("coordinator", "home_coordinator", 8) == few["coordinator"]
    assert count("supporter_a", "home_supporter", 6) == few["supporter"]
