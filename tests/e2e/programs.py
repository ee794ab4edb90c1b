"""Pieces of the small programs the browser tests build: a hospital with its coordinator, a
trained supporter, and a referral already waiting for that supporter's answer."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from interactions import services
from post_program.models import RoleAssignment
from tests import factories
from training.models import CourseKind, TrainingCompletion


def north_hospital(*, second: str = "Surgery") -> SimpleNamespace:
    """North Hospital: its Emergency Medicine, a `second` department, and Casey, its
    coordinator (coordinator@example.org)."""
    north = factories.SiteFactory(name="North Hospital")
    coordinator = factories.UserFactory(email="coordinator@example.org", name="Casey Coordinator")
    factories.RoleAssignmentFactory(
        user=coordinator, role=RoleAssignment.Role.COORDINATOR, site=north
    )
    return SimpleNamespace(
        site=north,
        emergency=factories.DepartmentFactory(site=north, name="Emergency Medicine"),
        second=factories.DepartmentFactory(site=north, name=second),
        coordinator=coordinator,
    )


def trained_supporter(*, department, user):
    """A peer supporter on `user`'s own roster entry in `department`, who completed the initial
    training 60 days ago (so that the suggestions offer them)."""
    supporter = factories.PeerSupporterFactory(
        physician=factories.PhysicianFactory(
            department=department, name=user.name, email=user.email, user=user
        )
    )
    TrainingCompletion.objects.create(
        physician=supporter.physician,
        course=CourseKind.INITIAL,
        completed_on=timezone.localdate() - timedelta(days=60),
        source=TrainingCompletion.Source.IMPORT,
    )
    return supporter


def assigned_referral(*, coordinator, supporter, physician):
    """A self-referral of `physician` received two hours ago, which `coordinator` assigned to
    `supporter` an hour ago (no emails sent)."""
    referral = services.referral_request(
        requester=None,
        source="self",
        department=physician.department,
        physician=physician,
        reason="patient_death",
        at=timezone.now() - timedelta(hours=2),
        notify=False,
    ).referral
    services.referral_assign(
        actor=coordinator,
        referral=referral,
        supporter=supporter,
        at=timezone.now() - timedelta(hours=1),
        notify=False,
    )
    return referral
