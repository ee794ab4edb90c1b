"""Invariants of the core models hold in the database itself."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from post_program.models import AuditEvent, Department, PeerSupporter, RoleAssignment, User
from tests.factories import (
    DepartmentFactory,
    PeerSupporterFactory,
    PhysicianFactory,
    SiteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _violates(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_user_email_is_unique_whatever_its_case():
    UserFactory(email="ada@example.org")
    _violates(lambda: User.objects.create(email="ADA@example.org"))


def test_create_user_normalises_email_and_requires_one():
    assert User.objects.create_user("Grace@Example.ORG", "pw-long-enough").email == (
        "grace@example.org"
    )
    with pytest.raises(ValueError):
        User.objects.create_user("", "x")


def test_department_name_unique_within_site_only():
    north, south = SiteFactory(name="N"), SiteFactory(name="S")
    DepartmentFactory(site=north, name="Surgery")
    DepartmentFactory(site=south, name="Surgery")
    _violates(lambda: DepartmentFactory(site=north, name="Surgery"))


def test_department_cannot_end_before_launch_or_without_one():
    _violates(lambda: DepartmentFactory(launched_on=date(2021, 1, 1), ended_on=date(2020, 1, 1)))
    _violates(lambda: DepartmentFactory(launched_on=None, ended_on=date(2020, 1, 1)))
    DepartmentFactory(launched_on=date(2021, 1, 1), ended_on=date(2021, 1, 1))


def test_physician_id_unique_and_dates_ordered():
    PhysicianFactory(physician_id="P1")
    _violates(lambda: PhysicianFactory(physician_id="P1"))
    _violates(lambda: PhysicianFactory(started_on=date(2022, 1, 2), ended_on=date(2022, 1, 1)))


def test_physician_email_unique_when_present():
    PhysicianFactory(email="same@example.org")
    _violates(lambda: PhysicianFactory(email="SAME@example.org"))
    PhysicianFactory(email="")
    PhysicianFactory(email="")


def test_supporter_status_and_caseload_checked():
    _violates(lambda: PeerSupporterFactory(status="on_holiday"))
    _violates(lambda: PeerSupporterFactory(caseload_cap=0))
    physician = PhysicianFactory()
    PeerSupporterFactory(physician=physician)
    _violates(lambda: PeerSupporterFactory(physician=physician))


@pytest.mark.parametrize(
    ("role", "with_site", "with_department", "ok"),
    [
        ("director", False, False, True),
        ("director", True, False, False),
        ("coordinator", True, False, True),
        ("coordinator", False, False, False),
        ("coordinator", True, True, False),
        ("lead", False, True, True),
        ("lead", True, False, False),
        ("nurse", False, False, False),
    ],
)
def test_role_scope_matches_role(role, with_site, with_department, ok):
    department = DepartmentFactory()

    def create():
        RoleAssignment.objects.create(
            user=UserFactory(),
            role=role,
            site=department.site if with_site else None,
            department=department if with_department else None,
        )

    if ok:
        create()
    else:
        _violates(create)


def test_a_role_is_held_once_per_scope():
    user, department = UserFactory(), DepartmentFactory()
    RoleAssignment.objects.create(user=user, role="director")
    _violates(lambda: RoleAssignment.objects.create(user=user, role="director"))
    RoleAssignment.objects.create(user=user, role="lead", department=department)
    _violates(lambda: RoleAssignment.objects.create(user=user, role="lead", department=department))


def test_audit_events_are_append_only_in_orm_and_database():
    event = AuditEvent.objects.create(action="test.action", object_type="x", object_id="1")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    # Even raw SQL cannot rewrite history.
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE post_program_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == "test.action"


def test_adopted_between_and_employed_between_follow_metrics_definitions():
    site = SiteFactory()
    inside = DepartmentFactory(site=site, launched_on=date(2020, 6, 1))
    ended_before = DepartmentFactory(
        site=site, launched_on=date(2019, 1, 1), ended_on=date(2019, 12, 31)
    )
    ends_on_start = DepartmentFactory(
        site=site, launched_on=date(2019, 1, 1), ended_on=date(2020, 1, 1)
    )
    launches_after = DepartmentFactory(site=site, launched_on=date(2021, 1, 1))
    never = DepartmentFactory(site=site, launched_on=None)
    adopted = set(Department.objects.adopted_between(date(2020, 1, 1), date(2020, 12, 31)))
    assert adopted == {inside, ends_on_start}
    assert not {ended_before, launches_after, never} & adopted

    from post_program.models import Physician

    stayed = PhysicianFactory()
    left_before = PhysicianFactory(ended_on=date(2019, 12, 31))
    joined_last_day = PhysicianFactory(started_on=date(2020, 12, 31))
    joined_after = PhysicianFactory(started_on=date(2021, 1, 1))
    employed = set(Physician.objects.employed_between(date(2020, 1, 1), date(2020, 12, 31)))
    assert employed == {stayed, joined_last_day}
    assert not {left_before, joined_after} & employed


def test_supporter_availability():
    today = date(2024, 5, 1)
    available = PeerSupporterFactory()
    PeerSupporterFactory(status=PeerSupporter.Status.PAUSED)
    PeerSupporterFactory(accepting_referrals=False)
    away = PeerSupporterFactory()
    away.away_periods.create(starts_on=today, ends_on=today)
    back = PeerSupporterFactory()
    back.away_periods.create(starts_on=date(2024, 4, 1), ends_on=date(2024, 4, 30))
    leaving = PeerSupporterFactory()
    leaving.away_periods.create(starts_on=date(2024, 5, 2), ends_on=date(2024, 5, 9))
    assert set(PeerSupporter.objects.available_on(today)) == {available, back, leaving}
