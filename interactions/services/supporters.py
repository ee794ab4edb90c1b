"""A supporter's own settings and care: availability, declared conflicts and debriefs."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from post_program.models import Department, PeerSupporter, Physician, User
from post_program.services import audit_record

from ..models import DebriefRequest, DebriefTrigger, NotificationKind
from .casework import CaseWorkError
from .notifications import _notify, site_coordinators
from .transitions import _now


@transaction.atomic
def supporter_availability_set(
    *,
    actor: User | None,
    supporter: PeerSupporter,
    accepting_referrals: bool,
    away_until: date | None,
    caseload_cap: int,
) -> PeerSupporter:
    """A supporter's own availability; the suggestions read it at once."""
    supporter = PeerSupporter.objects.select_for_update().get(pk=supporter.pk)
    values = {
        "accepting_referrals": accepting_referrals,
        "away_until": away_until,
        "caseload_cap": caseload_cap,
    }
    changed = [name for name, value in values.items() if getattr(supporter, name) != value]
    for name in changed:
        setattr(supporter, name, values[name])
    if changed:
        supporter.save(update_fields=changed)
    audit_record(actor=actor, action="supporter.availability", obj=supporter, changed=changed)
    return supporter


@transaction.atomic
def supporter_conflict_declare(
    *, actor: User | None, supporter: PeerSupporter, physician: Physician
) -> None:
    """The supporter must never be assigned to this physician (the suggestions and the
    assignment rules check it)."""
    if physician.pk == supporter.physician_id:
        raise CaseWorkError({"physician": "You cannot declare a conflict with yourself."})
    supporter.conflicts.add(physician)
    audit_record(
        actor=actor, action="supporter.conflict_declare", obj=supporter, physician_id=physician.pk
    )


@transaction.atomic
def supporter_conflict_withdraw(
    *, actor: User | None, supporter: PeerSupporter, physician: Physician
) -> None:
    supporter.conflicts.remove(physician)
    audit_record(
        actor=actor, action="supporter.conflict_withdraw", obj=supporter, physician_id=physician.pk
    )


@transaction.atomic
def debrief_request(
    *, actor: User | None, supporter: PeerSupporter, trigger: str, notify: bool = True
) -> tuple[DebriefRequest, bool]:
    """Ask the coordinators of the supporter's site for a debrief. One open request at a
    time: asking again returns the open one. Returns (request, created)."""
    if trigger not in DebriefTrigger.values:
        raise CaseWorkError("Choose why you would like a debrief.")
    PeerSupporter.objects.select_for_update().get(pk=supporter.pk)
    open_request = DebriefRequest.objects.filter(supporter=supporter, held_at__isnull=True).first()
    if open_request is not None:
        return open_request, False
    request = DebriefRequest.objects.create(supporter=supporter, trigger=trigger)
    audit_record(actor=actor, action="debrief.request", obj=request, trigger=trigger)
    if notify:
        site_id = Department.objects.filter(pk=supporter.physician.department_id).values_list(
            "site_id", flat=True
        )[0]
        _notify(NotificationKind.DEBRIEF, None, users=site_coordinators(site_id), skip=actor)
    return request, True


@transaction.atomic
def debrief_mark_held(
    *, actor: User | None, debrief: DebriefRequest, at: datetime | None = None
) -> DebriefRequest:
    debrief = DebriefRequest.objects.select_for_update().get(pk=debrief.pk)
    if debrief.held_at is not None:
        raise CaseWorkError("This debrief is already marked as held.")
    debrief.held_at = _now(at)
    debrief.held_by = actor if actor is not None and actor.is_authenticated else None
    debrief.save(update_fields=["held_at", "held_by"])
    audit_record(actor=actor, action="debrief.held", obj=debrief)
    return debrief
