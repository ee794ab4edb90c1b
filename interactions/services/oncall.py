"""The on-call roster: who answers urgent referrals at a site, at any hour.

Coordinators of a site hold shifts and supporters of the site may volunteer; each change is
audited (who, which site, which person, when) and refused, with the reason and nothing
changed, when the person could not answer the site's referrals or the times make no sense.
A person's calendar feed token is handed out once and stored as a digest.
"""

from __future__ import annotations

from datetime import datetime, time

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from post_program.models import PeerSupporter, RoleAssignment, Site, User
from post_program.services import audit_record
from post_program.tokens import token_new

from ..models import (
    ExceptionKind,
    OnCallException,
    OnCallFeed,
    OnCallShift,
)

# How far ahead a cover or time off may be entered: a roster is planned, not written for years.
MAX_EXCEPTION_DAYS = 31


class OnCallError(Exception):
    """A roster change refused. `errors` maps form field names ("" for the whole form) to
    messages fit to show."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__(" ".join(errors.values()))


def on_call_eligible(site: Site) -> Q:
    """People who may be on call at `site`: its coordinators and its active supporters."""
    supporters = PeerSupporter.objects.active().filter(physician__department__site=site)
    return Q(is_active=True) & (
        Q(role_assignments__role=RoleAssignment.Role.COORDINATOR, role_assignments__site=site)
        | Q(physician__supporter__in=supporters)
    )


def _check_eligible(site: Site, user: User) -> None:
    if not User.objects.filter(on_call_eligible(site), pk=user.pk).exists():
        raise OnCallError(
            {
                "user": gettext(
                    "Only the site's coordinators and its active supporters can be on call."
                )
            }
        )


def on_call_shift_add(
    *,
    actor: User,
    site: Site,
    user: User,
    weekday: int,
    starts: time,
    ends: time,
    position: int = 1,
) -> OnCallShift:
    """Put `user` on call every week on `weekday` from `starts` to `ends` (past midnight when
    `ends` is at or before `starts`)."""
    _check_eligible(site, user)
    if starts == ends:
        raise OnCallError({"ends": gettext("A shift needs an end different from its start.")})
    if OnCallShift.objects.filter(site=site, user=user, weekday=weekday, starts=starts).exists():
        raise OnCallError({"": gettext("This person already has a shift starting then.")})
    with transaction.atomic():
        shift = OnCallShift.objects.create(
            site=site, user=user, weekday=weekday, starts=starts, ends=ends, position=position
        )
        audit_record(
            actor=actor,
            action="on_call.shift_add",
            obj=shift,
            site_id=site.pk,
            user_id=user.pk,
            weekday=weekday,
            starts=starts.isoformat("minutes"),
            ends=ends.isoformat("minutes"),
            position=position,
        )
    return shift


def on_call_shift_remove(*, actor: User, shift: OnCallShift) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="on_call.shift_remove",
            obj=shift,
            site_id=shift.site_id,
            user_id=shift.user_id,
        )
        shift.delete()


def on_call_exception_add(
    *,
    actor: User,
    site: Site,
    user: User,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    position: int = 1,
) -> OnCallException:
    """Take `user` off call (OFF) or put them on call (COVER) at `site` between two moments,
    whatever the weekly pattern says."""
    if kind == ExceptionKind.COVER:
        _check_eligible(site, user)
    if ends_at <= starts_at:
        raise OnCallError({"ends_at": gettext("The end must come after the start.")})
    if (ends_at - starts_at).days > MAX_EXCEPTION_DAYS:
        raise OnCallError(
            {
                "ends_at": gettext("Enter at most %(most)s days at a time.")
                % {"most": MAX_EXCEPTION_DAYS}
            }
        )
    with transaction.atomic():
        exception = OnCallException.objects.create(
            site=site,
            user=user,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            position=position,
        )
        audit_record(
            actor=actor,
            action="on_call.exception_add",
            obj=exception,
            site_id=site.pk,
            user_id=user.pk,
            kind=kind,
            starts_at=starts_at.isoformat(),
            ends_at=ends_at.isoformat(),
        )
    return exception


def on_call_exception_remove(*, actor: User, exception: OnCallException) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="on_call.exception_remove",
            obj=exception,
            site_id=exception.site_id,
            user_id=exception.user_id,
        )
        exception.delete()


def on_call_feed_issue(*, user: User) -> str:
    """A new private feed token for `user` (the old one stops working). Returned once; only its
    digest is kept."""
    token, digest = token_new()
    with transaction.atomic():
        OnCallFeed.objects.update_or_create(user=user, defaults={"token_digest": digest})
        audit_record(actor=user, action="on_call.feed_issue", obj=user)
    return token


def on_call_feed_revoke(*, user: User) -> bool:
    """Stop `user`'s feed; True if there was one."""
    with transaction.atomic():
        removed, _ = OnCallFeed.objects.filter(user=user).delete()
        if removed:
            audit_record(actor=user, action="on_call.feed_revoke", obj=user)
    return bool(removed)
