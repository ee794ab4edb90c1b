"""The Django admin is audited like the program's own pages, and roles are granted there only by a
superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from post_program.models import AuditEvent, RoleAssignment, Site, User
from tests.factories import PhysicianFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root() -> User:
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def _rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def _people(cast) -> dict:
    """One object of each admin page that shows people."""
    return {
        "physician": cast.physician_profile,
        "user": cast.physician,
        "roleassignment": RoleAssignment.objects.get(user=cast.coordinator),
        "peersupporter": cast.supporter_a_profile,
    }


@pytest.mark.parametrize("model", ["physician", "user", "roleassignment", "peersupporter"])
def test_opening_a_list_or_a_record_of_people_in_the_admin_is_audited(
    cast, root, root_client, model
):
    obj = _people(cast)[model]
    label = f"post_program.{model}"
    changelist = reverse(f"admin:post_program_{model}_changelist")
    assert root_client.get(changelist, {"q": "Canary Person"}).status_code == 200
    (listed,) = _rows("admin.list")
    assert (listed.actor, listed.detail["model"]) == (root, label)
    assert "Canary" not in str(listed.detail)  # what was searched for is not kept

    change = reverse(f"admin:post_program_{model}_change", args=[obj.pk])
    assert root_client.get(change).status_code == 200
    history = reverse(f"admin:post_program_{model}_history", args=[obj.pk])
    assert root_client.get(history).status_code == 200
    viewed = _rows("admin.view")
    assert [(row.actor, row.object_type, row.object_id) for row in viewed] == [
        (root, label, str(obj.pk))
    ] * 2


def test_every_add_change_and_delete_in_the_admin_is_audited(root, root_client):
    add = reverse("admin:post_program_site_add")
    assert root_client.post(add, {"name": "East"}).status_code == 302
    site = Site.objects.get(name="East")
    change = reverse("admin:post_program_site_change", args=[site.pk])
    assert root_client.post(change, {"name": "Eastern"}).status_code == 302
    delete = reverse("admin:post_program_site_delete", args=[site.pk])
    assert root_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()

    trail = [
        (row.action, row.object_type, row.object_id, row.detail)
        for row in AuditEvent.objects.filter(
            action__in=["admin.add", "admin.change", "admin.delete"]
        ).order_by("id")
    ]
    assert trail == [
        ("admin.add", "post_program.site", str(site.pk), {}),
        ("admin.change", "post_program.site", str(site.pk), {"fields": ["name"]}),
        ("admin.delete", "post_program.site", str(site.pk), {}),
    ]
    assert all(row.actor == root for row in AuditEvent.objects.filter(action__startswith="admin."))


def test_a_bulk_delete_in_the_admin_audits_each_record(root_client):
    sites = [Site.objects.create(name=name) for name in ("East", "West")]
    changelist = reverse("admin:post_program_site_changelist")
    response = root_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [s.pk for s in sites], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Site.objects.filter(pk__in=[s.pk for s in sites]).exists()
    deleted = _rows("admin.delete")
    assert sorted(row.object_id for row in deleted) == sorted(str(s.pk) for s in sites)


def test_granting_a_role_in_the_admin_is_audited_with_the_role_and_the_account(root, root_client):
    add = reverse("admin:post_program_roleassignment_add")
    granted = {"granted_at_0": "2026-01-01", "granted_at_1": "09:00:00"}
    response = root_client.post(add, {"user": root.pk, "role": "director", **granted})
    assert response.status_code == 302
    grant = RoleAssignment.objects.get(user=root, role="director")
    (row,) = _rows("admin.add")
    assert (row.actor, row.object_type, row.object_id) == (
        root,
        "post_program.roleassignment",
        str(grant.pk),
    )
    assert row.detail == {
        "role": "director",
        "user_id": root.pk,
        "site_id": None,
        "department_id": None,
    }


def test_staff_who_are_not_superusers_cannot_grant_roles_or_raise_their_own_rights(cast):
    staff = UserFactory(email="staff@example.org", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(staff)

    add = reverse("admin:post_program_roleassignment_add")
    assert client.get(add).status_code == 403
    granted = {"granted_at_0": "2026-01-01", "granted_at_1": "09:00:00"}
    assert client.post(add, {"user": staff.pk, "role": "director", **granted}).status_code == 403
    assert not RoleAssignment.objects.filter(user=staff).exists()
    existing = RoleAssignment.objects.get(user=cast.coordinator)
    change = reverse("admin:post_program_roleassignment_change", args=[existing.pk])
    client.post(change, {"user": staff.pk, "role": "director", **granted})
    existing.refresh_from_db()
    assert (existing.user, existing.role) == (cast.coordinator, "coordinator")
    delete = reverse("admin:post_program_roleassignment_delete", args=[existing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RoleAssignment.objects.filter(pk=existing.pk).exists()

    own = reverse("admin:post_program_user_change", args=[staff.pk])
    client.post(
        own,
        {
            "email": staff.email,
            "name": "Staff",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_a_changed_roster_entry_is_audited_by_field_name_never_by_value(root_client):
    physician = PhysicianFactory(name="Old Name")
    change = reverse("admin:post_program_physician_change", args=[physician.pk])
    form = root_client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="Canary New Name", department=physician.department_id, user="")
    response = root_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (row,) = _rows("admin.change")
    assert row.detail == {"fields": ["name"]}
    assert "Canary" not in str(row.detail)
