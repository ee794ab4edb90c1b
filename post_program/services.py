"""Writes to the core models. Each runs in one transaction and leaves one audit row.

Named `<entity>_<action>` with keyword-only arguments (docs/architecture.md). Callers pass
identifiers and values; nothing here reads the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .models import AuditEvent, Department, PeerSupporter, Physician, RoleAssignment, Site, User


def audit_record(*, actor: User | None, action: str, obj=None, **detail: Any) -> AuditEvent:
    """Append one audit row. `detail` must hold identifiers and field names, never names,
    notes or contact details."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
    )


@transaction.atomic
def audit_actor_forget(*, event_ids: Iterable[int], reason: str) -> int:
    """Forget who acted in these audit rows: their actor becomes empty, and the action, object,
    time and detail stay. Returns how many rows named someone.

    Retention uses it when a case is de-identified (`reason` says so in this function's own
    audit row). It is the only change to an audit row there is: the model refuses every update,
    so this goes round it on purpose, with a plain queryset, for this column and this value
    only; the database trigger (migration 0004) lets exactly this through and nothing else.
    """
    ids = sorted(set(event_ids))
    forgotten = (
        models.QuerySet(model=AuditEvent).filter(pk__in=ids, actor__isnull=False).update(actor=None)
    )
    if forgotten:
        audit_record(actor=None, action="audit.actor_forget", reason=reason, count=forgotten)
    return forgotten


@transaction.atomic
def site_create(*, actor: User | None, name: str) -> Site:
    site = Site.objects.create(name=name)
    audit_record(actor=actor, action="site.create", obj=site)
    return site


@transaction.atomic
def department_create(
    *,
    actor: User | None,
    site: Site,
    name: str,
    launched_on: date | None = None,
    ended_on: date | None = None,
) -> Department:
    department = Department.objects.create(
        site=site, name=name, launched_on=launched_on, ended_on=ended_on
    )
    audit_record(actor=actor, action="department.create", obj=department)
    return department


@transaction.atomic
def physician_create(
    *,
    actor: User | None,
    physician_id: str,
    department: Department,
    name: str = "",
    email: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
) -> Physician:
    """Add a roster entry, linking it to an existing account with the same email."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first() if email else None
    physician = Physician.objects.create(
        physician_id=physician_id,
        department=department,
        name=name,
        email=email,
        started_on=started_on,
        ended_on=ended_on,
        user=user,
    )
    audit_record(actor=actor, action="physician.create", obj=physician)
    return physician


@transaction.atomic
def physician_link_user(*, user: User) -> Physician | None:
    """Link a new account to its roster entry by email (used at sign-up and SSO sign-in)."""
    physician = (
        Physician.objects.select_for_update()
        .filter(email__iexact=user.email, user__isnull=True)
        .first()
    )
    if physician is None:
        return None
    physician.user = user
    physician.save(update_fields=["user"])
    audit_record(actor=user, action="physician.link_user", obj=physician)
    return physician


@transaction.atomic
def user_language_set(*, user: User, language: str) -> None:
    """Remember the language a user chose, for every device they sign in on and the emails
    they are sent (post_program.i18n)."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"{language!r} is not a language of the program.")
    User.objects.filter(pk=user.pk).update(language=language)
    audit_record(actor=user, action="user.language_set", obj=user, old=user.language, new=language)
    user.language = language


@transaction.atomic
def supporter_activate(
    *, actor: User | None, physician: Physician, activated_on: date | None = None, bio: str = ""
) -> PeerSupporter:
    """Make a physician an active peer supporter (or reactivate a paused or retired one)."""
    supporter, created = PeerSupporter.objects.get_or_create(
        physician=physician,
        defaults={"activated_on": activated_on or timezone.localdate(), "bio": bio},
    )
    if not created:
        supporter.status = PeerSupporter.Status.ACTIVE
        supporter.save(update_fields=["status"])
    audit_record(actor=actor, action="supporter.activate", obj=supporter, created=created)
    return supporter


@transaction.atomic
def role_grant(
    *,
    actor: User | None,
    user: User,
    role: str,
    site: Site | None = None,
    department: Department | None = None,
) -> RoleAssignment:
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, site=site, department=department
    )
    audit_record(
        actor=actor,
        action="role.grant",
        obj=assignment,
        role=role,
        user_id=user.pk,
        site_id=site.pk if site else None,
        department_id=department.pk if department else None,
    )
    return assignment


@transaction.atomic
def director_appoint(*, email: str, password: str | None = None) -> tuple[User, bool, bool]:
    """Give the account of `email` the director role, creating the account when there is none
    (without a usable password, its address verified: whoever runs this vouches for it). With
    `password` (already validated), it becomes the account's password.

    Returns the user, whether the account was created and whether it was made director (False
    when it already was: running this again changes nothing). Audited as account.create,
    role.grant and account.password_set, with no actor: it is run from the server's shell.
    """
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        audit_record(actor=None, action="account.create", obj=user, via="create_director")
    appointed = not RoleAssignment.objects.filter(
        user=user, role=RoleAssignment.Role.DIRECTOR
    ).exists()
    if appointed:
        role_grant(actor=None, user=user, role=RoleAssignment.Role.DIRECTOR)
    if password is not None:
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=None, action="account.password_set", obj=user, via="create_director")
    return user, created, appointed


@transaction.atomic
def role_revoke(*, actor: User | None, assignment: RoleAssignment) -> None:
    audit_record(
        actor=actor,
        action="role.revoke",
        obj=assignment,
        role=assignment.role,
        user_id=assignment.user_id,
    )
    assignment.delete()
