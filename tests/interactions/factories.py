"""Referrals for tests, built through the services so every row is one the app could make."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from interactions import services
from interactions.models import ExceptionKind, Interaction, Reason, Referral, Source
from post_program.models import Department, PeerSupporter, Physician, User
from tests.factories import PhysicianFactory
from training.models import CourseKind, TrainingCompletion


def trained(*supporters: PeerSupporter, days_ago: int = 30) -> None:
    """Give supporters a recent initial course, so their training is current."""
    for supporter in supporters:
        TrainingCompletion.objects.get_or_create(
            physician=supporter.physician,
            course=CourseKind.INITIAL,
            completed_on=timezone.localdate() - timedelta(days=days_ago),
            defaults={"source": TrainingCompletion.Source.IMPORT},
        )


def referral_new(
    *,
    department: Department,
    requester: User | None = None,
    physician: Physician | None = None,
    source: str = Source.THIRD_PARTY,
    at: datetime | None = None,
    notify: bool = False,
    **extra,
) -> Referral:
    """An open referral for a (new, unless given) physician of `department`."""
    if physician is None and "named_colleague" not in extra:
        physician = PhysicianFactory(department=department)
    result = services.referral_request(
        requester=requester,
        source=source,
        department=department,
        physician=physician,
        reason=extra.pop("reason", Reason.ADVERSE_EVENT),
        at=at,
        notify=notify,
        **extra,
    )
    assert result.created
    return result.referral


def request_form(**changes) -> dict:
    """What the request form posts: a routine request for oneself, unless `changes` say
    otherwise; a fresh one-time key each time."""
    return {
        "for_whom": "self",
        "reason": "adverse_event",
        "urgency": "routine",
        "contact_method": "any",
        "department_preference": "none",
        "submission_key": str(uuid.uuid4()),
        **changes,
    }


def referral_assigned(
    *, supporter: PeerSupporter, actor: User | None = None, notify: bool = False, **kwargs
) -> Referral:
    referral = referral_new(notify=notify, **kwargs)
    services.referral_assign(actor=actor, referral=referral, supporter=supporter, notify=notify)
    referral.refresh_from_db()
    return referral


def referral_in_status(status: str, *, supporter: PeerSupporter, **kwargs) -> Referral:
    """A referral walked through the life cycle up to `status` (closed = supported)."""
    if status == "new":
        return referral_new(**kwargs)
    referral = referral_assigned(supporter=supporter, **kwargs)
    if status in ("accepted", "contacted", "closed"):
        services.referral_accept(actor=None, referral=referral, supporter=supporter)
    if status in ("contacted", "closed"):
        services.referral_record_contact(actor=None, referral=referral)
    if status == "closed":
        services.referral_close(actor=None, referral=referral, outcome="supported")
    referral.refresh_from_db()
    return referral


def referral_contacted(*, supporter: PeerSupporter, **kwargs) -> Referral:
    """A referral its supporter accepted and reached (first contact an hour after receipt)."""
    referral = referral_in_status("accepted", supporter=supporter, **kwargs)
    services.outreach_record(
        actor=None,
        referral=referral,
        supporter=supporter,
        attempted_at=max(referral.received_at, timezone.now() - timedelta(minutes=5)),
        method="phone",
        reached=True,
    )
    referral.refresh_from_db()
    return referral


def interaction_logged(
    *, supporter: PeerSupporter, referral: Referral | None = None, **values
) -> Interaction:
    """An interaction logged through the service: successful, 60 minutes by phone, today,
    unless told otherwise; without a referral it needs `department` or `physician`."""
    defaults = {
        "occurred_on": timezone.localdate(),
        "duration_minutes": 60,
        "successful": True,
        "modality": "phone",
        "topics": ["adverse_outcome"],
    }
    return services.interaction_log(
        actor=None, supporter=supporter, referral=referral, **{**defaults, **values}
    )


def on_call_for_a_day(*, site, users, actor=None) -> None:
    """Put `users` on call at `site` in that order (the first is paged first), from an hour
    ago for a day, as covers (whatever the weekly pattern says)."""
    start = timezone.now() - timedelta(hours=1)
    for position, user in enumerate(users, start=1):
        services.on_call_exception_add(
            actor=actor,
            site=site,
            user=user,
            kind=ExceptionKind.COVER,
            starts_at=start,
            ends_at=start + timedelta(days=1),
            position=position,
        )
