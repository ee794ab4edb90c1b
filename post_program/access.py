"""Roles, and who may see the core's own objects: homes, sites, departments, the roster.

Each feature app decides about what it owns in its own `access` module (`interactions.access`,
`training.access`, `surveys.access`, `reporting.access`), built on `roles_for` and `require`
from here. Views ask those functions and nothing else; templates only hide links. The rules
are in `docs/confidentiality.md`: identities are seen by the assigned supporter and the
coordinators of that site; department leads and directors see aggregates; nobody else sees
anything about a case.

Conventions (docs/architecture.md):
- `can_<verb>_<thing>(user, ...)` answers yes or no for a page or an action;
- `<thing>s_visible_to(user)` returns a queryset restricted to what the user may see;
- `get_<thing>_or_404(user, pk)` fetches one object only if the user may see it, and raises
  Http404 otherwise, so an outsider cannot even learn that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Department, PeerSupporter, Physician, RoleAssignment

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ROLE_LABELS = {
    "director": _("Program director"),
    "coordinator": _("Coordinator"),
    "lead": _("Department lead"),
    "supporter": _("Peer supporter"),
    "physician": _("Physician"),
}


@dataclass(frozen=True)
class Roles:
    """Everything about a user's roles, loaded once per request (one query, and one more for
    the roster entry of a user the authentication backend did not load)."""

    is_director: bool = False
    coordinator_site_ids: frozenset[int] = frozenset()
    lead_department_ids: frozenset[int] = frozenset()
    physician: Physician | None = None
    supporter: PeerSupporter | None = None

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinator_site_ids)

    @property
    def is_lead(self) -> bool:
        return bool(self.lead_department_ids)

    @property
    def is_supporter(self) -> bool:
        return self.supporter is not None and self.supporter.status != "retired"

    @property
    def is_physician(self) -> bool:
        return self.physician is not None

    @property
    def is_staff_role(self) -> bool:
        """Roles that see program data beyond their own cases and so must use MFA."""
        return self.is_director or self.is_coordinator or self.is_lead

    @property
    def names(self) -> list[str]:
        """Role keys held, most senior first."""
        held = {
            "director": self.is_director,
            "coordinator": self.is_coordinator,
            "lead": self.is_lead,
            "supporter": self.is_supporter,
            "physician": self.is_physician,
        }
        return [name for name, has in held.items() if has]


NO_ROLES = Roles()
# What `roles_for` loads with a physician. The authentication backends (auth_backends.py) load
# the signed-in user's roster entry so with the user, and mark the user PROFILE_LOADED.
PROFILE_RELATED = ("department__site", "supporter")
PROFILE_LOADED = "_post_profile_loaded"


def roles_for(user) -> Roles:
    """The user's roles, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_post_roles", None)
    if cached is not None:
        return cached
    is_director = False
    sites: set[int] = set()
    departments: set[int] = set()
    assignments = RoleAssignment.objects.filter(user=user).order_by()
    for role, site_id, department_id in assignments.values_list("role", "site_id", "department_id"):
        if role == RoleAssignment.Role.DIRECTOR:
            is_director = True
        elif role == RoleAssignment.Role.COORDINATOR:
            sites.add(site_id)
        elif role == RoleAssignment.Role.LEAD:
            departments.add(department_id)
    if getattr(user, PROFILE_LOADED, False):
        physician = getattr(user, "physician", None)
    else:
        physician = Physician.objects.select_related(*PROFILE_RELATED).filter(user=user).first()
    supporter = getattr(physician, "supporter", None) if physician else None
    roles = Roles(
        is_director=is_director,
        coordinator_site_ids=frozenset(sites),
        lead_department_ids=frozenset(departments),
        physician=physician,
        supporter=supporter,
    )
    user._post_roles = roles
    return roles


# What settings.MFA_REQUIRED_ROLES may name: the program roles and the admin's account flags.
MFA_ROLE_NAMES = frozenset({*ROLE_LABELS, "staff", "superuser"})


def mfa_required(user) -> bool:
    """The account holds a role or flag that settings.MFA_REQUIRED_ROLES protects with MFA."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    held = set(roles_for(user).names)
    held |= {flag for flag in ("staff", "superuser") if getattr(user, f"is_{flag}")}
    return bool(held & required)


def require(predicate: Callable[..., bool]):
    """View decorator: 403 unless `predicate(user)` holds (sign-in is already required)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- Core: homes, roster, departments ------------------------------------------------------

HOME_URL_NAMES = {
    "director": "home_director",
    "coordinator": "home_coordinator",
    "lead": "home_lead",
    "supporter": "home_supporter",
    "physician": "home_physician",
}


def home_url_names(user) -> list[tuple[str, str, StrOrPromise]]:
    """(role, url name, label) of every home page the user may open, most senior first; the
    label is read in the language of the page that shows it."""
    return [(name, HOME_URL_NAMES[name], ROLE_LABELS[name]) for name in roles_for(user).names]


def can_view_home(user, role: str) -> bool:
    return role in roles_for(user).names


def can_view_roster(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or roles.is_lead


def departments_visible_to(user) -> QuerySet[Department]:
    """Departments whose roster (and aggregates) the user may see."""
    roles = roles_for(user)
    departments = Department.objects.select_related("site")
    if roles.is_director:
        return departments
    if not (roles.is_coordinator or roles.is_lead):
        return departments.none()
    return departments.filter(site_id__in=roles.coordinator_site_ids) | departments.filter(
        pk__in=roles.lead_department_ids
    )


def physicians_visible_to(user) -> QuerySet[Physician]:
    """Roster entries the user may list: those of the departments they may see."""
    return Physician.objects.filter(department__in=departments_visible_to(user).values("pk"))


def get_department_or_404(user, pk: int) -> Department:
    try:
        return departments_visible_to(user).get(pk=pk)
    except Department.DoesNotExist:
        raise Http404 from None


def can_import_program(user) -> bool:
    """Imports rewrite the program's history: the director's alone."""
    return roles_for(user).is_director


def get_import_job_or_404(user, pk: int):
    from .models import ImportJob

    if not can_import_program(user):
        raise Http404
    try:
        return ImportJob.objects.get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None


# --- API tokens ----------------------------------------------------------------------------


def can_manage_api_tokens(user) -> bool:
    """API tokens act as the director who made them: the director's alone."""
    return roles_for(user).is_director


def get_api_token_or_404(user, pk: int) -> ApiToken:
    if not can_manage_api_tokens(user):
        raise Http404
    return get_object_or_404(ApiToken, pk=pk)


def can_manage_scim_clients(user) -> bool:
    """Who may let an identity provider create and close accounts: the director alone."""
    return roles_for(user).is_director


# --- The audit trail -----------------------------------------------------------------------


def can_edit_program_settings(user) -> bool:
    """The program's rules (thresholds, deadlines, retention...): the director's alone."""
    return roles_for(user).is_director


def can_view_audit(user) -> bool:
    """The audit trail names who did what: the director's alone."""
    return roles_for(user).is_director


def audit_actions_with_hidden_actor() -> frozenset[str]:
    """Actions whose actor the audit page never shows nor lets anyone filter on.

    A physician asking for support, for themself or a colleague, is as confidential as the
    case (a self-referral's actor is the referred physician). Each app names its own such
    actions in its AppConfig as `audit_actor_hidden`.
    """
    return frozenset(
        action
        for config in apps.get_app_configs()
        for action in getattr(config, "audit_actor_hidden", ())
    )
