"""The fixed cast every test can use (docs/architecture.md, Tests): one member per role, plus
anonymous.

Site North has departments A (Emergency Medicine) and C (Surgery); site South has department B.
The coordinator runs North; the lead leads A; supporters work in A and in B; the plain
physician is in A. Nobody but the director holds a role at South.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import settings as hypothesis_settings

from post_program.models import Department, PeerSupporter, Physician, RoleAssignment, Site, User

from .factories import (
    DepartmentFactory,
    PeerSupporterFactory,
    PhysicianFactory,
    RoleAssignmentFactory,
    SiteFactory,
    UserFactory,
)
from .leak_watch import watching
from .module_data import Kept, kept_for_the_module

# Property tests judge behaviour, not speed: a busy CI machine must not fail them on time.
hypothesis_settings.register_profile("post", deadline=None)
hypothesis_settings.load_profile("post")

MEMBERS = (
    "director",
    "coordinator",
    "lead",
    "supporter_a",
    "supporter_b",
    "physician",
    "anonymous",
)


@dataclass
class Cast:
    north: Site
    south: Site
    department_a: Department
    department_b: Department
    department_c: Department
    director: User
    coordinator: User
    lead: User
    supporter_a: User
    supporter_b: User
    physician: User
    supporter_a_profile: PeerSupporter
    supporter_b_profile: PeerSupporter
    physician_profile: Physician

    def user(self, member: str) -> User | None:
        return None if member == "anonymous" else getattr(self, member)

    def client(self, member: str) -> Client:
        client = Client()
        user = self.user(member)
        if user is not None:
            client.force_login(user)
        return client


def _roster_user(email: str, department: Department) -> tuple[User, Physician]:
    user = UserFactory(email=email)
    return user, PhysicianFactory(department=department, email=email, name=user.name, user=user)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached state never leak from one test into the next."""
    from django.core.cache import cache

    from post_program import program_settings

    cache.clear()
    # Every test starts with no program settings saved (an empty table), and the cache knows
    # it, as a running server's does after its first page: query counts are a warm server's.
    program_settings.cache_prime(None)
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_again():
    """A request in Spanish leaves Spanish active in the thread; the next test starts in the
    program's default language, as a new request would."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _names_stay_inside():
    """No test lets a referral's names or notes out of the database (tests/leak_watch.py)."""
    with watching() as watch:
        yield watch
        leaks = watch.leaks()
    assert not leaks, "Names or notes left the database:\n" + "\n".join(leaks)


@pytest.fixture
def cast(db) -> Cast:
    return cast_build()


def cast_build() -> Cast:
    north = SiteFactory(name="North")
    south = SiteFactory(name="South")
    department_a = DepartmentFactory(site=north, name="Emergency Medicine")
    department_b = DepartmentFactory(site=south, name="Emergency Medicine")
    department_c = DepartmentFactory(site=north, name="Surgery")

    director = UserFactory(email="director@example.org")
    RoleAssignmentFactory(user=director, role=RoleAssignment.Role.DIRECTOR)
    coordinator = UserFactory(email="coordinator@example.org")
    RoleAssignmentFactory(user=coordinator, role=RoleAssignment.Role.COORDINATOR, site=north)
    lead = UserFactory(email="lead@example.org")
    RoleAssignmentFactory(user=lead, role=RoleAssignment.Role.LEAD, department=department_a)

    supporter_a, supporter_a_physician = _roster_user("supporter.a@example.org", department_a)
    supporter_b, supporter_b_physician = _roster_user("supporter.b@example.org", department_b)
    physician, physician_profile = _roster_user("physician@example.org", department_a)
    return Cast(
        north=north,
        south=south,
        department_a=department_a,
        department_b=department_b,
        department_c=department_c,
        director=director,
        coordinator=coordinator,
        lead=lead,
        supporter_a=supporter_a,
        supporter_b=supporter_b,
        physician=physician,
        supporter_a_profile=PeerSupporterFactory(physician=supporter_a_physician),
        supporter_b_profile=PeerSupporterFactory(physician=supporter_b_physician),
        physician_profile=physician_profile,
    )


DEMO_TODAY = "2026-06-30"


@pytest.fixture(scope="module")
def _demo_seeded(django_db_setup, django_db_blocker) -> Iterator[Kept[None]]:
    def seed() -> None:
        call_command("seed_demo", "--today", DEMO_TODAY, stdout=io.StringIO())

    with kept_for_the_module(django_db_blocker, seed) as kept:
        yield kept


@pytest.fixture
def demo_program(_demo_seeded: Kept[None], db, _names_stay_inside) -> None:
    """The demo program as `seed_demo --today 2026-06-30` makes it, seeded once for the test
    module (tests/module_data.py); what a test changes is undone after it."""
    _names_stay_inside.learn(_demo_seeded.watch)


@pytest.fixture
def one_connection():
    """The test's database connection stays open across the calls, as Django's test client
    keeps it: a test that calls the WSGI application itself would have it closed at the end of
    each request, and with it the test's transaction (on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
