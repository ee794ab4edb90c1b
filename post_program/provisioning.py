"""Accounts provisioned by an identity provider over SCIM (post_program/scim.py speaks the
protocol; docs/scim.md says how to connect one). Each write here is one transaction and one
audit row; the SCIM client that asked is the row's `client_id`, since it is no account.

An account the provider creates signs in through single sign-on only (no password). Its email
is the primary one of the SCIM `emails`; when an account with that email already exists and no
provider owns it yet, the provider takes it over instead of making a second one. A SCIM
`employeeNumber` is a roster physician ID: it links the account to that roster entry when the
roster has it, and never creates one (the roster's departments come from HR files).

Deactivating (SCIM `active` false, or DELETE) ends the account's sign-ins, pauses its supporter
profile so no case is offered to it, and hands the apps each their `accounts` module's
`account_deactivated` (the referrals app returns the supporter's cases to the queue).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from .app_modules import app_modules
from .models import PeerSupporter, Physician, ScimClient, ScimIdentity, User
from .services import audit_record
from .tokens import token_digest, token_new

TOKEN_BYTES = 32
IDENTITY_FIELDS = (
    "user_name",
    "external_id",
    "display_name",
    "given_name",
    "family_name",
    "emails",
    "employee_number",
)


class ProvisioningConflict(Exception):
    """A value another account already holds: `attribute` names the SCIM attribute."""

    def __init__(self, attribute: str, message: str):
        super().__init__(message)
        self.attribute = attribute


@dataclass(frozen=True)
class AccountValues:
    """What a SCIM User says about an account, as this program keeps it."""

    user_name: str
    email: str
    active: bool
    external_id: str = ""
    display_name: str = ""
    given_name: str = ""
    family_name: str = ""
    emails: list[dict[str, Any]] = field(default_factory=list)
    employee_number: str = ""

    @property
    def account_name(self) -> str:
        return self.display_name or " ".join(filter(None, [self.given_name, self.family_name]))


@transaction.atomic
def scim_client_create(*, actor: User | None, name: str) -> tuple[ScimClient, str]:
    """A new SCIM bearer token for an identity provider: the token is returned once, only its
    digest is kept."""
    token, digest = token_new(TOKEN_BYTES)
    client = ScimClient.objects.create(name=name, token_digest=digest, created_by=actor)
    audit_record(actor=actor, action="scim.client_create", obj=client)
    return client, token


@transaction.atomic
def scim_client_revoke(*, actor: User | None, client: ScimClient) -> None:
    if client.revoked_at is not None:
        return
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="scim.client_revoke", obj=client)


def scim_client_for_token(token: str) -> ScimClient | None:
    """The usable client whose token this is (tokens are random: the digest is the key)."""
    return ScimClient.objects.usable().filter(token_digest=token_digest(token)).first()


def _check_unique(values: AccountValues, identity: ScimIdentity | None) -> None:
    others = ScimIdentity.objects.all()
    if identity is not None:
        others = others.exclude(pk=identity.pk)
    if others.filter(user_name__iexact=values.user_name).exists():
        raise ProvisioningConflict("userName", "Another account has this userName.")
    accounts = User.objects.filter(email__iexact=values.email)
    if identity is not None:
        accounts = accounts.exclude(pk=identity.user_id)
    else:
        accounts = accounts.filter(scim_identity__isnull=False)
    if accounts.exists():
        raise ProvisioningConflict("emails", "Another account has this email.")


def _link_roster(identity: ScimIdentity) -> list[str]:
    """Link the account to the roster entry of its employee number, if the roster has it;
    returns the changed links as audit detail."""
    if not identity.employee_number:
        return []
    physician = (
        Physician.objects.select_for_update().filter(physician_id=identity.employee_number).first()
    )
    if physician is None or physician.user_id == identity.user_id:
        return []
    if physician.user_id is not None:
        raise ProvisioningConflict(
            "employeeNumber", "This employeeNumber's roster entry belongs to another account."
        )
    Physician.objects.filter(user=identity.user).update(user=None)
    physician.user = identity.user
    physician.save(update_fields=["user"])
    return [physician.physician_id]


def _store(identity: ScimIdentity, values: AccountValues) -> list[str]:
    """Write `values` into the identity and its account; returns the names of the changed
    fields (for the audit row: names only, never values)."""
    kept = {name: getattr(values, name) for name in IDENTITY_FIELDS}
    changed = [name for name, value in kept.items() if getattr(identity, name) != value]
    account = {"email": values.email.lower(), "name": values.account_name}
    account_changed = [
        name for name, value in account.items() if getattr(identity.user, name) != value
    ]
    for name in changed:
        setattr(identity, name, kept[name])
    for name in account_changed:
        setattr(identity.user, name, account[name])
    if account_changed:
        identity.user.save(update_fields=account_changed)
    if "email" in account_changed:
        _addresses_replace(identity.user)
    if identity.pk is None or changed or account_changed:
        if identity.pk is not None:
            identity.version += 1
        identity.updated_at = timezone.now()
        identity.save()
    return changed + account_changed


def _addresses_replace(user: User) -> None:
    """The provider owns the account's address: allauth's addresses become that one alone,
    verified, so an address the provider took away (perhaps given to someone else now) neither
    signs in nor receives a password reset."""
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    if not EmailAddress.objects.filter(user=user).update(primary=True, verified=True):
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


def _deactivate(user: User, client: ScimClient) -> None:
    user.is_active = False
    user.save(update_fields=["is_active"])
    paused = PeerSupporter.objects.filter(
        physician__user=user, status=PeerSupporter.Status.ACTIVE
    ).update(status=PeerSupporter.Status.PAUSED)
    for module in app_modules("accounts"):
        module.account_deactivated(actor=None, user=user)
    audit_record(
        actor=None,
        action="scim.deactivate",
        obj=user,
        client_id=client.pk,
        supporter_paused=bool(paused),
    )


@transaction.atomic
def account_provision(*, client: ScimClient, values: AccountValues) -> ScimIdentity:
    """A SCIM create: a new account, or the existing one with this email that no identity
    provider owns yet."""
    _check_unique(values, None)
    user = User.objects.filter(email__iexact=values.email).first()
    adopted = user is not None
    if user is None:
        user = User.objects.create_user(values.email)
    identity = ScimIdentity(user=user, scim_id=uuid.uuid4())
    _store(identity, values)
    linked = _link_roster(identity)
    audit_record(
        actor=None,
        action="scim.create",
        obj=user,
        client_id=client.pk,
        adopted=adopted,
        roster_linked=linked,
    )
    if user.is_active != values.active:
        _set_active(user, values.active, client)
    return identity


def _set_active(user: User, active: bool, client: ScimClient) -> None:
    if active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(actor=None, action="scim.reactivate", obj=user, client_id=client.pk)
    else:
        _deactivate(user, client)


@transaction.atomic
def account_update(
    *, client: ScimClient, identity: ScimIdentity, values: AccountValues
) -> ScimIdentity:
    """A SCIM replace or patch: the whole new state of the account."""
    identity = ScimIdentity.objects.select_for_update().select_related("user").get(pk=identity.pk)
    _check_unique(values, identity)
    changed = _store(identity, values)
    linked = _link_roster(identity)
    if changed or linked:
        audit_record(
            actor=None,
            action="scim.update",
            obj=identity.user,
            client_id=client.pk,
            fields=changed,
            roster_linked=linked,
        )
    if identity.user.is_active != values.active:
        _set_active(identity.user, values.active, client)
        identity.version += 1
        identity.save(update_fields=["version"])
    return identity


@transaction.atomic
def account_unprovision(*, client: ScimClient, identity: ScimIdentity) -> None:
    """A SCIM delete: the account is deactivated and no longer the provider's (its SCIM
    resource is gone); the account itself stays, for the records that name it."""
    user = identity.user
    identity.delete()
    if user.is_active:
        _deactivate(user, client)
    audit_record(actor=None, action="scim.delete", obj=user, client_id=client.pk)
