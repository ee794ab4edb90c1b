"""The supporter's lists and the case page run a fixed number of queries, however many cases,
interactions and attempts there are; so does sending the request form, however many referrals,
physicians and coordinators there are, and the on-call calendar, however many shifts."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from interactions import services
from interactions.models import ExceptionKind, Notification, Referral, ReferralEvent, Reminder
from post_program.models import AuditEvent, AwayPeriod, OutboxEmail, RoleAssignment
from tests.factories import (
    PeerSupporterFactory,
    PhysicianFactory,
    RoleAssignmentFactory,
    UserFactory,
)

from .factories import (
    interaction_logged,
    referral_assigned,
    referral_contacted,
    referral_in_status,
    referral_new,
    request_form,
)

pytestmark = pytest.mark.django_db


def _queries(client, url: str, budget: int, assert_max) -> int:
    with assert_max(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_cases_keeps_its_budget(cast, django_assert_max_num_queries):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 50
    supporter.save()

    def add(n: int) -> None:
        for _ in range(n):
            referral_assigned(department=cast.department_a, supporter=supporter)
            contacted = referral_contacted(department=cast.department_a, supporter=supporter)
            interaction_logged(supporter=supporter, referral=contacted)
            referral_in_status("closed", department=cast.department_c, supporter=supporter)

    client = cast.client("supporter_a")
    url = reverse("interactions:case_list")
    add(1)
    few = _queries(client, url, 12, django_assert_max_num_queries)
    add(8)
    assert _queries(client, url, 12, django_assert_max_num_queries) == few


def test_my_interactions_keeps_its_budget(cast, django_assert_max_num_queries):
    supporter = cast.supporter_a_profile
    supporter.caseload_cap = 50
    supporter.save()

    def add(n: int) -> None:
        for _ in range(n):
            interaction_logged(supporter=supporter, department=cast.department_b)
            contacted = referral_contacted(department=cast.department_a, supporter=supporter)
            interaction_logged(supporter=supporter, referral=contacted)

    client = cast.client("supporter_a")
    url = reverse("interactions:interaction_list")
    add(1)
    few = _queries(client, url, 8, django_assert_max_num_queries)
    add(10)
    assert _queries(client, url, 8, django_assert_max_num_queries) == few


@pytest.mark.parametrize("member", ["supporter_a", "coordinator"])
def test_the_case_page_keeps_its_budget(cast, member, django_assert_max_num_queries):
    referral = referral_contacted(
        department=cast.department_a,
        supporter=cast.supporter_a_profile,
        at=timezone.now() - timedelta(days=2),
    )

    def add(n: int) -> None:
        for _ in range(n):
            interaction_logged(supporter=cast.supporter_a_profile, referral=referral)
            services.outreach_record(
                actor=None,
                referral=referral,
                supporter=cast.supporter_a_profile,
                attempted_at=timezone.now() - timedelta(hours=1),
                method="text",
                reached=False,
            )

    client = cast.client(member)
    url = reverse("interactions:referral_detail", args=[referral.pk])
    add(1)
    budget = 15  # the coordinator's page also ranks the supporters for reassignment
    few = _queries(client, url, budget, django_assert_max_num_queries)
    add(10)
    assert _queries(client, url, budget, django_assert_max_num_queries) == few


def test_my_availability_page_keeps_its_budget(cast, django_assert_max_num_queries):
    supporter = cast.supporter_a_profile
    today = timezone.localdate()

    def add(n: int) -> None:
        for _ in range(n):
            done = AwayPeriod.objects.count()
            first = today + timedelta(days=3 * done)
            services.supporter_away_period_add(
                actor=None, supporter=supporter, starts_on=first, ends_on=first + timedelta(days=1)
            )
            hour = time(done)
            services.supporter_contact_windows_add(
                actor=None,
                supporter=supporter,
                weekdays=range(7),
                starts_at=hour,
                ends_at=hour.replace(minute=30),
            )

    client = cast.client("supporter_a")
    url = reverse("interactions:availability")
    add(1)
    few = _queries(client, url, 8, django_assert_max_num_queries)
    add(8)
    assert _queries(client, url, 8, django_assert_max_num_queries) == few


# --- the request form --------------------------------------------------------------------------

# Queries of one POST of the request form, session and sign-in included: the session, the user
# with their roster entry, their roles; the colleague (or the department) the form names; the
# referral the same form already made and the physician's open one (one query); the referral,
# its history event, its audit row, the coordinators, their outbox emails, their notifications,
# the overdue reminder; the session's write. Four more statements open and close the request's
# and the session's transactions: BEGIN and COMMIT in production, SAVEPOINT and RELEASE inside
# a test's transaction.
REQUEST_BUDGETS = {
    "self": 17,
    "colleague": 18,
    "colleague_not_listed": 18,
    # Joining: the history event and the audit row; raising the urgency also updates the
    # referral, brings its pending deadline reminders forward to the urgent deadline (one
    # statement) and tells the coordinators (two events in one statement); paging them opens
    # the urgent alert, asks who is on call (shifts, exceptions) and writes the pages, the
    # paging's history event and its audit row.
    "joining": 12,
    "joining_urgent": 23,
}


def _request_form(cast, kind: str) -> dict:
    data = request_form()
    if kind != "self":
        colleague = PhysicianFactory(department=cast.department_c)
        data.update(for_whom="colleague", colleague=colleague.pk)
    if kind == "colleague_not_listed":
        del data["colleague"]
        data.update(
            colleague_not_listed="on",
            colleague_name="Dr. Robin Locum",
            colleague_department=cast.department_c.pk,
        )
    if kind.startswith("joining"):
        referral_new(department=cast.department_c, physician=colleague)
    if kind == "joining_urgent":
        data["urgency"] = "safety"
    return data


def _send(client, data: dict, budget: int, assert_max) -> int:
    with assert_max(budget) as captured:
        response = client.post(reverse("interactions:referral_request"), data)
    assert response.status_code == 302, response.context["form"].errors
    return len(captured)


def _rows() -> dict[str, int]:
    models = (Referral, ReferralEvent, AuditEvent, OutboxEmail, Notification, Reminder)
    return {model.__name__: model.objects.count() for model in models}


@pytest.mark.parametrize("kind", REQUEST_BUDGETS)
def test_a_request_keeps_its_budget(cast, kind, django_assert_max_num_queries):
    client, data = cast.client("physician"), _request_form(cast, kind)
    before = _rows()
    _send(client, data, REQUEST_BUDGETS[kind], django_assert_max_num_queries)
    written = {name: count - before[name] for name, count in _rows().items()}
    new = not kind.startswith("joining")
    told = new or kind == "joining_urgent"
    assert written == {
        "Referral": int(new),
        "ReferralEvent": 3 if kind == "joining_urgent" else 1,
        "AuditEvent": 2 if kind == "joining_urgent" else 1,
        "OutboxEmail": int(told),
        "Notification": int(told),
        "Reminder": int(new),
    }


@pytest.mark.parametrize("kind", REQUEST_BUDGETS)
def test_a_request_s_queries_do_not_grow_with_the_program(
    cast, kind, django_assert_max_num_queries
):
    """Neither the referrals and physicians already there nor the number of coordinators to
    tell change what one request costs."""
    budget = REQUEST_BUDGETS[kind]

    def grow(referrals: int, coordinators: int) -> None:
        for _ in range(referrals):
            referral_new(department=cast.department_a)
            referral_new(department=cast.department_c, named_colleague="Dr. Visiting")
            PhysicianFactory(department=cast.department_c)
        for _ in range(coordinators):
            user = UserFactory()
            RoleAssignmentFactory(user=user, role=RoleAssignment.Role.COORDINATOR, site=cast.north)

    def send() -> int:
        """A request from a physician who has none open yet."""
        user = UserFactory()
        PhysicianFactory(department=cast.department_a, email=user.email, user=user)
        client = Client()
        client.force_login(user)
        return _send(client, _request_form(cast, kind), budget, django_assert_max_num_queries)

    grow(referrals=3, coordinators=0)
    few = send()
    grow(referrals=30, coordinators=5)
    assert send() == few


def test_the_on_call_calendar_keeps_its_budget(cast, django_assert_max_num_queries):
    monday = datetime(2026, 11, 30, tzinfo=timezone.get_current_timezone())

    def add(n: int) -> None:
        for _ in range(n):
            user = UserFactory()
            PeerSupporterFactory(
                physician=PhysicianFactory(department=cast.department_a, user=user)
            )
            for weekday in range(7):
                services.on_call_shift_add(
                    actor=cast.director,
                    site=cast.north,
                    user=user,
                    weekday=weekday,
                    starts=time(20),
                    ends=time(8),
                )
            for kind in (ExceptionKind.OFF, ExceptionKind.COVER):
                services.on_call_exception_add(
                    actor=cast.director,
                    site=cast.north,
                    user=user,
                    kind=kind,
                    starts_at=monday + timedelta(days=2),
                    ends_at=monday + timedelta(days=2, hours=6),
                )

    client = cast.client("coordinator")
    url = reverse("on_call:calendar") + "?week=2026-11-30"
    add(1)
    few = _queries(client, url, 11, django_assert_max_num_queries)
    add(6)
    assert _queries(client, url, 11, django_assert_max_num_queries) == few
