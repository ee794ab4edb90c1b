"""Core services write one audit row each and link accounts to the roster."""

from __future__ import annotations

import pytest

from post_program import services
from post_program.models import AuditEvent, PeerSupporter, RoleAssignment
from tests.factories import DepartmentFactory, PhysicianFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_physician_create_links_existing_account_and_audits():
    director = UserFactory()
    user = UserFactory(email="kim@example.org")
    physician = services.physician_create(
        actor=director,
        physician_id="P42",
        department=DepartmentFactory(),
        name="Kim Lee",
        email=" KIM@example.org ",
    )
    assert physician.email == "kim@example.org"
    assert physician.user == user
    event = AuditEvent.objects.get(action="physician.create")
    assert (event.actor, event.object_id) == (director, str(physician.pk))
    assert "Kim" not in str(event.detail)


def test_physician_link_user_only_links_unlinked_entry_with_that_email():
    PhysicianFactory(email="a@example.org")
    user = UserFactory(email="a@example.org")
    linked = services.physician_link_user(user=user)
    assert linked is not None and linked.user == user
    stranger = UserFactory(email="nobody@example.org")
    assert services.physician_link_user(user=stranger) is None


def test_supporter_activate_creates_then_reactivates():
    physician = PhysicianFactory()
    supporter = services.supporter_activate(actor=None, physician=physician, bio="Hi")
    assert supporter.status == PeerSupporter.Status.ACTIVE
    supporter.status = PeerSupporter.Status.RETIRED
    supporter.save()
    again = services.supporter_activate(actor=None, physician=physician)
    assert again.pk == supporter.pk
    assert again.status == PeerSupporter.Status.ACTIVE
    assert AuditEvent.objects.filter(action="supporter.activate").count() == 2


def test_role_grant_is_idempotent_and_revoke_audits():
    user, department = UserFactory(), DepartmentFactory()
    first = services.role_grant(actor=None, user=user, role="lead", department=department)
    second = services.role_grant(actor=None, user=user, role="lead", department=department)
    assignment_id = first.pk
    assert second.pk == assignment_id
    services.role_revoke(actor=None, assignment=first)
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="role.revoke", object_id=str(assignment_id)).exists()
