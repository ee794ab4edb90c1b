"""The Django admin shows no identity of a case: not the supported physician, not the referrer,
not the supporter, and it cannot be searched by name. The app's own pages serve the roles that
may see them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from interactions.models import Referral
from tests.factories import PhysicianFactory, UserFactory

from .factories import interaction_logged, referral_contacted, trained

pytestmark = pytest.mark.django_db

CASE_APPS = ("interactions", "surveys", "training")


@pytest.fixture
def case(cast):
    """A referral of a canary physician by the cast's physician, worked by supporter A."""
    canary = PhysicianFactory(
        department=cast.department_a,
        name="Zephyrine Canary",
        email="zephyrine.canary@example.org",
        physician_id="CANARY-1",
    )
    trained(cast.supporter_a_profile)
    referral = referral_contacted(
        supporter=cast.supporter_a_profile,
        department=cast.department_a,
        physician=canary,
        requester=cast.physician,
        note="Canary note",
    )
    interaction_logged(supporter=cast.supporter_a_profile, referral=referral, physician=canary)
    return referral


def _identities(cast, app_label: str) -> list[str]:
    """Who the case is about and who asked; on the pages of case work also who supports it
    (training pages list supporters as such, which is no secret)."""
    supporter = cast.supporter_a_profile.physician
    referrer = cast.physician_profile
    case_workers = [supporter.name, supporter.email, supporter.physician_id]
    return [
        "Zephyrine",
        "zephyrine.canary@example.org",
        "CANARY-1",
        "Canary note",
        referrer.name,
        referrer.email,
        referrer.physician_id,
        *(case_workers if app_label == "interactions" else []),
    ]


def _case_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in CASE_APPS
    ]


def test_no_admin_page_of_case_work_shows_who_was_referred_asked_or_supported(cast, case):
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    opened = 0
    for model, _ in _case_admins():
        meta = model._meta
        identities = _identities(cast, meta.app_label)
        pages = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        pages += [
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[pk])
            for pk in model._default_manager.values_list("pk", flat=True)[:20]
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            text = response.content.decode()
            shown = [identity for identity in identities if identity in text]
            assert not shown, f"{url} shows {shown}"
            opened += 1
    assert opened > len(_case_admins())  # records were opened, not only empty lists


@pytest.mark.parametrize("query", ["Zephyrine", "zephyrine.canary@example.org", "CANARY-1"])
def test_the_admin_cannot_be_searched_by_a_name_or_an_email(cast, case, query):
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    referrals = reverse("admin:interactions_referral_changelist")
    assert client.get(referrals, {"q": case.referral_id}).context["cl"].result_count == 1
    for model, model_admin in _case_admins():
        if not model_admin.search_fields:
            continue
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(url, {"q": query}).context["cl"].result_count == 0, url
    assert Referral.objects.filter(physician__name__icontains="Zephyrine").exists()
