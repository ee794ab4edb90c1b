"""factory_boy factories for the reporting models."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from interactions.models import Interaction, Referral, physician_pseudonym
from reporting.models import ExportStatus, PrismDomain, PrismNote, PrismTag, ReportExport
from tests.factories import PeerSupporterFactory, UserFactory


class PrismNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrismNote

    domain = PrismDomain.INFRASTRUCTURE
    tag = PrismTag.FACILITATOR
    noted_on = date(2020, 6, 1)
    department = None
    text = factory.Sequence(lambda n: f"Context note {n}")
    author = factory.SubFactory(UserFactory)


class ReportExportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportExport

    requested_by = factory.SubFactory(UserFactory)
    format = "json"
    start = date(2020, 1, 1)
    end = date(2020, 12, 31)
    status = ExportStatus.DONE
    progress = 100
    content = b'{"reach": {}}\n'
    filename = "reaim-report-2020-01-01-to-2020-12-31.json"


def make_referral(
    department,
    received_at,
    source,
    *,
    contact_hours=None,
    outcome=None,
    physician=None,
    supporter=None,
):
    """A referral as the life cycle leaves it: new, contacted, or closed with an outcome.

    A contacted or closed referral needs a supporter: a new one (in a department of its own)
    unless ``supporter`` is given."""
    if contact_hours is None and not outcome:
        supporter = None
    elif supporter is None:
        supporter = PeerSupporterFactory()
    first_contact_at = (
        received_at + timedelta(hours=contact_hours) if contact_hours is not None else None
    )
    status = "closed" if outcome else ("contacted" if first_contact_at else "new")
    return Referral.objects.create(
        received_at=received_at,
        source=source,
        department=department,
        physician=physician,
        reason="other",
        first_contact_due_at=received_at + timedelta(hours=24),
        status=status,
        outcome=outcome or "",
        assigned_to=supporter,
        assigned_at=received_at if supporter else None,
        accepted_at=received_at if supporter else None,
        first_contact_at=first_contact_at,
        closed_at=received_at + timedelta(days=3) if outcome else None,
    )


def make_interaction(
    *,
    department,
    supporter,
    occurred_on,
    physician=None,
    pseudonymised=False,
    successful=True,
    duration_minutes=60,
    source="self",
    escalated=False,
):
    """An interaction as the log stores it: linked to a roster entry (with its keyed
    pseudonym), de-identified after retention (pseudonym only), or not linked at all."""
    pseudonym = physician_pseudonym(physician.physician_id) if physician is not None else ""
    return Interaction.objects.create(
        occurred_on=occurred_on,
        supporter=supporter,
        physician=None if pseudonymised else physician,
        physician_pseudonym=pseudonym,
        department=department,
        duration_minutes=duration_minutes,
        successful=successful,
        source=source,
        escalated=escalated,
        deidentified_at=timezone.now() if pseudonymised else None,
    )
