"""A supporter's own settings and care: availability (whether they take new cases, periods
away, the times they prefer to be contacted), declared conflicts and debriefs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from django.db import transaction
from django.utils.translation import gettext

from post_program.models import (
    AwayPeriod,
    ContactWindow,
    Department,
    PeerSupporter,
    Physician,
    User,
)
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
    caseload_cap: int,
) -> PeerSupporter:
    """A supporter's own availability; the suggestions read it at once."""
    supporter = PeerSupporter.objects.select_for_update().get(pk=supporter.pk)
    values = {"accepting_referrals": accepting_referrals, "caseload_cap": caseload_cap}
    changed = [name for name, value in values.items() if getattr(supporter, name) != value]
    for name in changed:
        setattr(supporter, name, values[name])
    if changed:
        supporter.save(update_fields=changed)
    audit_record(actor=actor, action="supporter.availability", obj=supporter, changed=changed)
    return supporter


@transaction.atomic
def supporter_away_period_add(
    *, actor: User | None, supporter: PeerSupporter, starts_on: date, ends_on: date
) -> AwayPeriod:
    """Days away, both included, on which the supporter is not offered new cases. A period
    may lie in the future; it may not overlap another of the same supporter's."""
    if ends_on < starts_on:
        raise CaseWorkError(
            {"ends_on": gettext("The last day away cannot be before the first day.")}
        )
    PeerSupporter.objects.select_for_update().get(pk=supporter.pk)  # one change at a time
    clash = AwayPeriod.objects.filter(supporter=supporter).overlapping(starts_on, ends_on).first()
    if clash is not None:
        raise CaseWorkError(
            {
                "starts_on": gettext(
                    "These days overlap your time away %(first)s to %(last)s: remove that "
                    "period first, or choose days outside it."
                )
                % {"first": f"{clash.starts_on:%Y-%m-%d}", "last": f"{clash.ends_on:%Y-%m-%d}"}
            }
        )
    period = AwayPeriod.objects.create(supporter=supporter, starts_on=starts_on, ends_on=ends_on)
    audit_record(
        actor=actor, action="supporter.away_period_add", obj=supporter, away_period_id=period.pk
    )
    return period


@transaction.atomic
def supporter_away_period_remove(
    *, actor: User | None, supporter: PeerSupporter, period: AwayPeriod
) -> None:
    """The supporter is back (or will not go): new cases are offered on those days again.
    The view finds the period among the supporter's own."""
    period_id = period.pk
    period.delete()
    audit_record(
        actor=actor, action="supporter.away_period_remove", obj=supporter, away_period_id=period_id
    )


@transaction.atomic
def supporter_contact_windows_add(
    *,
    actor: User | None,
    supporter: PeerSupporter,
    weekdays: Iterable[int],
    starts_at: time,
    ends_at: time,
) -> list[ContactWindow]:
    """The same hours on each of the weekdays (0 is Monday) join the supporter's weekly
    pattern of when they prefer to be contacted. Hours may not overlap hours already set
    for that day."""
    days = sorted(set(weekdays))
    if ends_at <= starts_at:
        raise CaseWorkError(
            {"ends_at": gettext("The end must be later than the start, the same day.")}
        )
    PeerSupporter.objects.select_for_update().get(pk=supporter.pk)  # one change at a time
    clashes = ContactWindow.objects.filter(
        supporter=supporter, weekday__in=days, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if clashes:
        said = ", ".join(str(window) for window in clashes)
        raise CaseWorkError(
            {
                "starts_at": gettext(
                    "These hours overlap hours you already set (%(hours)s): remove those first, "
                    "or choose other hours."
                )
                % {"hours": said}
            }
        )
    windows = ContactWindow.objects.bulk_create(
        ContactWindow(supporter=supporter, weekday=day, starts_at=starts_at, ends_at=ends_at)
        for day in days
    )
    audit_record(
        actor=actor,
        action="supporter.contact_windows_add",
        obj=supporter,
        contact_window_ids=[window.pk for window in windows],
    )
    return windows


@transaction.atomic
def supporter_contact_window_remove(
    *, actor: User | None, supporter: PeerSupporter, window: ContactWindow
) -> None:
    window_id = window.pk
    window.delete()
    audit_record(
        actor=actor,
        action="supporter.contact_window_remove",
        obj=supporter,
        contact_window_id=window_id,
    )


@transaction.atomic
def supporter_conflict_declare(
    *, actor: User | None, supporter: PeerSupporter, physician: Physician
) -> None:
    """The supporter must never be assigned to this physician (the suggestions and the
    assignment rules check it)."""
    if physician.pk == supporter.physician_id:
        raise CaseWorkError({"physician": gettext("You cannot declare a conflict with yourself.")})
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
        raise CaseWorkError(gettext("Choose why you would like a debrief."))
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
        raise CaseWorkError(gettext("This debrief is already marked as held."))
    debrief.held_at = _now(at)
    debrief.held_by = actor if actor is not None and actor.is_authenticated else None
    debrief.save(update_fields=["held_at", "held_by"])
    audit_record(actor=actor, action="debrief.held", obj=debrief)
    return debrief
