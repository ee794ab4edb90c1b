"""Who sees which departments, roster entries and home pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from post_program import access
from tests.factories import DepartmentFactory, PhysicianFactory


def test_roles_are_loaded_once_per_request_user(cast, django_assert_num_queries):
    user = cast.supporter_a
    with django_assert_num_queries(2):
        roles = access.roles_for(user)
        assert access.roles_for(user) is roles
    assert roles.names == ["supporter", "physician"]
    assert access.roles_for(cast.director).names == ["director"]


def test_anonymous_and_inactive_users_hold_no_role(cast):
    from django.contrib.auth.models import AnonymousUser

    assert access.roles_for(AnonymousUser()).names == []
    cast.director.is_active = False
    assert access.roles_for(cast.director).names == []


def test_retired_supporter_is_a_physician_only(cast):
    cast.supporter_b_profile.status = "retired"
    cast.supporter_b_profile.save()
    assert access.roles_for(cast.supporter_b).names == ["physician"]


def test_departments_visible_by_role(cast):
    visible = {
        member: set(access.departments_visible_to(cast.user(member)))
        for member in ("director", "coordinator", "lead", "supporter_a", "physician")
    }
    assert visible["director"] == {cast.department_a, cast.department_b, cast.department_c}
    assert visible["coordinator"] == {cast.department_a, cast.department_c}
    assert visible["lead"] == {cast.department_a}
    assert visible["supporter_a"] == set()
    assert visible["physician"] == set()


def test_get_department_or_404_hides_other_departments(cast):
    assert access.get_department_or_404(cast.lead, cast.department_a.pk) == cast.department_a
    with pytest.raises(Http404):
        access.get_department_or_404(cast.lead, cast.department_b.pk)
    with pytest.raises(Http404):
        access.get_department_or_404(cast.coordinator, cast.department_b.pk)


@pytest.mark.parametrize(
    ("member", "home"),
    [
        ("director", "home_director"),
        ("coordinator", "home_coordinator"),
        ("lead", "home_lead"),
        ("supporter_a", "home_supporter"),
        ("physician", "home_physician"),
    ],
)
def test_home_sends_each_role_to_its_own_home(cast, member, home):
    response = cast.client(member).get(reverse("home"))
    assert response["Location"] == reverse(home)


def test_account_off_the_roster_gets_a_clear_page(db, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b"not linked to the program roster" in response.content


def test_navigation_shows_each_role_its_pages(cast):
    page = cast.client("coordinator").get(reverse("home_coordinator")).content.decode()
    assert reverse("roster_list") in page
    assert reverse("home_director") not in page
    page = cast.client("physician").get(reverse("home_physician")).content.decode()
    assert reverse("roster_list") not in page


def test_lead_home_lists_only_their_departments(cast):
    PhysicianFactory.create_batch(3, department=cast.department_b)
    page = cast.client("lead").get(reverse("home_lead")).content.decode()
    assert "North" in page
    assert "South" not in page


def test_roster_shows_only_visible_physicians_and_filters(cast):
    PhysicianFactory(department=cast.department_b, name="Southern Colleague")
    PhysicianFactory(department=cast.department_c, name="Surgical Colleague")
    lead_page = cast.client("lead").get(reverse("roster_list")).content.decode()
    assert "Southern Colleague" not in lead_page
    assert "Surgical Colleague" not in lead_page
    coordinator = cast.client("coordinator")
    page = coordinator.get(reverse("roster_list")).content.decode()
    assert "Surgical Colleague" in page and "Southern Colleague" not in page
    page = coordinator.get(reverse("roster_list"), {"q": "surgical"}).content.decode()
    assert "Surgical Colleague" in page and cast.physician.name not in page
    # A department outside the user's scope is refused by the form, not silently shown.
    response = coordinator.get(reverse("roster_list"), {"department": cast.department_b.pk})
    assert "Southern Colleague" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.parametrize(
    ("member", "url_name"),
    [
        ("director", "roster_list"),
        ("coordinator", "home_coordinator"),
        ("director", "home_director"),
    ],
)
def test_list_pages_do_not_grow_queries_with_rows(cast, member, url_name):
    client = cast.client(member)
    url = reverse(url_name)
    before = _queries(client, url)
    for _ in range(4):
        department = DepartmentFactory(site=cast.north)
        PhysicianFactory.create_batch(15, department=department)
    assert _queries(client, url) == before
