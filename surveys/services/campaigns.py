"""Campaigns: who they invite, and opening and closing them on their dates."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from post_program.jobs import enqueue_on_commit
from post_program.models import Department, Physician, User
from post_program.services import audit_record

from ..models import (
    Campaign,
    InstrumentVersion,
    Invitation,
)

logger = logging.getLogger(__name__)


def default_reminder_days() -> list[int]:
    return list(settings.SURVEY_REMINDER_DAYS)


def audience_physicians(campaign: Campaign, *, on: date) -> QuerySet[Physician]:
    """Who a campaign invites: physicians on the roster that day who have an email address."""
    physicians = Physician.objects.employed_on(on).exclude(email="")
    if campaign.audience == Campaign.Audience.DEPARTMENTS:
        return physicians.filter(department__in=campaign.departments.all())
    if campaign.audience == Campaign.Audience.SUPPORTERS:
        return physicians.filter(supporter__status="active")
    return physicians.none()


@transaction.atomic
def campaign_create(
    *,
    actor: User | None,
    name: str,
    version: InstrumentVersion,
    audience: str,
    departments: Iterable[Department] = (),
    opens_on: date,
    closes_on: date,
    reminder_days: Sequence[int] | None = None,
) -> Campaign:
    """Plan a campaign; it opens (and its invitations go out) on `opens_on`."""
    departments = list(departments)
    if reminder_days is None:  # the defaults that fit between opening and closing
        reminder_days = [d for d in default_reminder_days() if d <= (closes_on - opens_on).days]
    reminder_days = sorted(set(reminder_days))
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if audience == Campaign.Audience.DEPARTMENTS and not departments:
        errors["departments"] = gettext("Choose at least one department.")
    if audience == Campaign.Audience.SUPPORTERS and departments:
        errors["departments"] = gettext("Leave departments empty when inviting all supporters.")
    if audience not in (Campaign.Audience.DEPARTMENTS, Campaign.Audience.SUPPORTERS):
        errors["audience"] = gettext("Choose an audience.")
    if opens_on < today:
        errors["opens_on"] = gettext("The opening date cannot be in the past.")
    if closes_on < opens_on:
        errors["closes_on"] = gettext("The closing date must be on or after the opening date.")
    elif any(day < 1 or day > (closes_on - opens_on).days for day in reminder_days):
        errors["reminder_days"] = gettext(
            "Each reminder must fall after the opening day and before the closing date."
        )
    if errors:
        raise ValidationError(errors)
    campaign = Campaign.objects.create(
        name=name,
        version=version,
        audience=audience,
        opens_on=opens_on,
        closes_on=closes_on,
        reminder_days=reminder_days,
        created_by=actor,
    )
    campaign.departments.set(departments)
    audit_record(
        actor=actor,
        action="survey.campaign_create",
        obj=campaign,
        version_id=version.pk,
        audience=audience,
        department_ids=[d.pk for d in departments],
    )
    if opens_on <= today:
        # If the broker is down, the periodic schedule opens every scheduled campaign that is due.
        enqueue_on_commit("surveys.tasks.campaign_open", campaign.pk, broker_down_ok=True)
    return campaign


def campaign_open(*, campaign_id: int, actor: User | None = None) -> int:
    """Open a scheduled campaign whose day has come: create one invitation per recipient, then
    send them. Returns the number of invitations created (0 when there was nothing to do)."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        today = timezone.localdate()
        if campaign.status != Campaign.Status.SCHEDULED or campaign.opens_on > today:
            return 0
        recipients = list(
            audience_physicians(campaign, on=today).values_list("pk", "department_id")
        )
        closes_on = campaign.closes_on
        assert closes_on is not None, "only automatic campaigns have no closing day"
        Invitation.objects.bulk_create(
            [
                Invitation(
                    campaign=campaign,
                    physician_id=pk,
                    department_id=department_id,
                    expires_on=closes_on,
                )
                for pk, department_id in recipients
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        campaign.status = Campaign.Status.OPEN
        campaign.save(update_fields=["status"])
        audit_record(
            actor=actor, action="survey.campaign_open", obj=campaign, invitations=len(recipients)
        )
        # The invitations are rows: the periodic schedule sends any the broker could not take.
        enqueue_on_commit("surveys.tasks.invitations_send", campaign.pk, broker_down_ok=True)
    logger.info("survey campaign %s opened with %s invitations", campaign.pk, len(recipients))
    return len(recipients)


def campaign_close(*, actor: User | None, campaign: Campaign) -> Campaign:
    """Close a campaign: its links stop working; results stay."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status == Campaign.Status.CLOSED:
            return campaign
        campaign.status = Campaign.Status.CLOSED
        campaign.save(update_fields=["status"])
        audit_record(actor=actor, action="survey.campaign_close", obj=campaign)
    logger.info("survey campaign %s closed", campaign.pk)
    return campaign


def campaigns_open_due(*, today: date | None = None) -> int:
    """Open every scheduled campaign whose opening day has come (periodic job)."""
    today = today or timezone.localdate()
    due = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, opens_on__lte=today)
    return sum(1 for pk in due.values_list("pk", flat=True) if campaign_open(campaign_id=pk))


def campaigns_close_due(*, today: date | None = None) -> int:
    """Close every campaign past its closing date (periodic job)."""
    today = today or timezone.localdate()
    due = Campaign.objects.open().filter(closes_on__lt=today)
    closed = 0
    for campaign in due:
        campaign_close(actor=None, campaign=campaign)
        closed += 1
    return closed
