"""Who may see and do what: the one place that decides.

Views ask these functions and nothing else; templates only hide links. The rules follow
`product.md`: identities are seen by the assigned supporter and the coordinators of that site;
department leads and directors see aggregates; nobody else sees anything about a case.

Conventions (as in the house style):
- `can_<verb>_<thing>(user, ...)` answers yes or no for a page or an action;
- `<thing>s_visible_to(user)` returns a queryset restricted to what the user may see;
- `get_<thing>_or_404(user, pk)` fetches one object only if the user may see it, and raises
  Http404 otherwise, so an outsider cannot even learn that it exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Department, PeerSupporter, Physician, RoleAssignment, Site

ROLE_LABELS = {
    "director": "Program director",
    "coordinator": "Coordinator",
    "lead": "Department lead",
    "supporter": "Peer supporter",
    "physician": "Physician",
}


@dataclass(frozen=True)
class Roles:
    """Everything about a user's roles, loaded once per request (two queries)."""

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
    for role, site_id, department_id in RoleAssignment.objects.filter(user=user).values_list(
        "role", "site_id", "department_id"
    ):
        if role == RoleAssignment.Role.DIRECTOR:
            is_director = True
        elif role == RoleAssignment.Role.COORDINATOR:
            sites.add(site_id)
        elif role == RoleAssignment.Role.LEAD:
            departments.add(department_id)
    physician = (
        Physician.objects.select_related("department__site", "supporter").filter(user=user).first()
    )
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


def home_url_names(user) -> list[tuple[str, str, str]]:
    """(role, url name, label) of every home page the user may open, most senior first."""
    return [(name, HOME_URL_NAMES[name], ROLE_LABELS[name]) for name in roles_for(user).names]


def can_view_home(user, role: str) -> bool:
    return role in roles_for(user).names


def can_view_roster(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or roles.is_lead


def sites_visible_to(user) -> QuerySet[Site]:
    roles = roles_for(user)
    if roles.is_director:
        return Site.objects.all()
    site_ids = set(roles.coordinator_site_ids)
    if roles.lead_department_ids:
        site_ids |= set(
            Department.objects.filter(pk__in=roles.lead_department_ids).values_list(
                "site_id", flat=True
            )
        )
    return Site.objects.filter(pk__in=site_ids)


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


def can_use_admin(user) -> bool:
    """The Django admin is for technical administrators (is_staff), not for program roles."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


# --- Referrals and case work (interactions) ------------------------------------------------
# Physicians on the roster ask for support and see the status of what they asked, nothing
# else. A referral's identities are seen by the coordinators of its site and by the supporter
# it is (or was) assigned to; the referrer is shown to that supporter only when the referrer
# agreed to be named. Directors and leads see aggregates only (reporting).


def can_request_support(user) -> bool:
    return roles_for(user).is_physician


def can_view_supporter_directory(user) -> bool:
    roles = roles_for(user)
    return roles.is_physician or roles.is_coordinator or roles.is_director


def can_triage_referrals(user) -> bool:
    """The referral queue, referral pages of the user's sites, and event-triggered outreach."""
    return roles_for(user).is_coordinator


def can_view_own_cases(user) -> bool:
    return roles_for(user).is_supporter


def referrals_visible_to(user):
    """Referrals whose identities the user may see: their sites' (coordinator) and those
    assigned to them (supporter)."""
    from interactions.models import Referral

    roles = roles_for(user)
    visible = Q(department__site_id__in=roles.coordinator_site_ids)
    if roles.supporter is not None:
        visible |= Q(assigned_to_id=roles.supporter.pk)
    if not (roles.is_coordinator or roles.supporter is not None):
        return Referral.objects.none()
    return Referral.objects.filter(visible)


def get_referral_or_404(user, pk: int):
    from interactions.models import Referral

    try:
        return referrals_visible_to(user).select_related("department__site").get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None


def can_assign_referral(user, referral) -> bool:
    return referral.department.site_id in roles_for(user).coordinator_site_ids


def can_answer_assignment(user, referral) -> bool:
    """Accept or decline: the supporter the referral waits on."""
    supporter = roles_for(user).supporter
    return (
        supporter is not None
        and referral.assigned_to_id == supporter.pk
        and referral.status == "assigned"
    )


def can_see_referrer(user, referral) -> bool:
    if can_assign_referral(user, referral):
        return True
    supporter = roles_for(user).supporter
    return (
        referral.referrer_may_be_named
        and supporter is not None
        and referral.assigned_to_id == supporter.pk
    )


def event_departments_for(user) -> QuerySet[Department]:
    """Departments in which the user may record a difficult event: those of their sites."""
    return Department.objects.select_related("site").filter(
        site_id__in=roles_for(user).coordinator_site_ids
    )


# Case work. The supporter who holds an accepted case works it (outreach, interactions,
# closing); interactions without a referral are theirs alone. Coordinators see their sites'
# cases with the outreach and interaction facts, never a supporter's private follow-up note,
# and each supporter's load as counts. A supporter sets their own availability and conflicts.


def can_work_case(user, referral) -> bool:
    """Log outreach and interactions on a referral and close it: its supporter, once
    accepted, while it is open."""
    roles = roles_for(user)
    return (
        roles.is_supporter
        and referral.assigned_to_id == roles.supporter.pk
        and referral.status in ("accepted", "contacted")
    )


def can_log_interactions(user) -> bool:
    """Own interaction log, interactions without a referral, availability, own load."""
    return roles_for(user).is_supporter


def can_see_follow_up_note(user, interaction) -> bool:
    """A follow-up note is private to the supporter who wrote it."""
    supporter = roles_for(user).supporter
    return supporter is not None and interaction.supporter_id == supporter.pk


def can_view_supporter_load(user) -> bool:
    return roles_for(user).is_coordinator


def supporters_visible_to(user) -> QuerySet[PeerSupporter]:
    """Supporters whose load a coordinator sees: those on their sites' rosters."""
    return PeerSupporter.objects.filter(
        physician__department__site_id__in=roles_for(user).coordinator_site_ids
    ).exclude(status=PeerSupporter.Status.RETIRED)


def get_debrief_or_404(user, pk: int):
    from interactions.models import DebriefRequest

    try:
        return DebriefRequest.objects.select_related("supporter").get(
            pk=pk, supporter__in=supporters_visible_to(user).values("pk")
        )
    except DebriefRequest.DoesNotExist:
        raise Http404 from None


# --- Training -----------------------------------------------------------------------------
# The calendar is open to everyone in the program. A physician signs up themself, a lead the
# physicians of their departments, the director anyone. Who signed up is seen by the director,
# the session's facilitator, the leads and coordinators of the physician's department or site,
# and the physician. Attendance and completion: the facilitator or the director. Activation of
# a trained physician: a coordinator of their site or the director.


def can_view_training_calendar(user) -> bool:
    return bool(roles_for(user).names)


def can_manage_training(user) -> bool:
    """Schedule sessions, keep the course list, enter completions by hand."""
    return roles_for(user).is_director


def physicians_signable_by(user) -> QuerySet[Physician]:
    """Roster entries this user may sign up for training (themself included)."""
    from django.utils import timezone

    roles = roles_for(user)
    physicians = Physician.objects.employed_on(timezone.localdate())
    if roles.is_director:
        return physicians
    own = roles.physician.pk if roles.physician else None
    return physicians.filter(Q(department_id__in=roles.lead_department_ids) | Q(pk=own))


def can_sign_up_for_training(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_lead or roles.is_physician


def can_record_attendance(user, session) -> bool:
    return roles_for(user).is_director or session.facilitator_id == user.pk


def get_training_session_or_404(user, pk: int):
    from training.models import TrainingSession

    if not can_view_training_calendar(user):
        raise PermissionDenied
    try:
        return TrainingSession.objects.select_related("course", "facilitator").get(pk=pk)
    except TrainingSession.DoesNotExist:
        raise Http404 from None


def enrollments_visible_to(user):
    from training.models import Enrollment

    roles = roles_for(user)
    enrollments = Enrollment.objects.all()
    if roles.is_director:
        return enrollments
    if not roles.names:
        return enrollments.none()
    return enrollments.filter(
        Q(session__facilitator=user)
        | Q(physician__department__in=departments_visible_to(user).values("pk"))
        | Q(physician__user=user)
    )


def get_enrollment_or_404(user, pk: int):
    from training.models import Enrollment

    try:
        return enrollments_visible_to(user).select_related("physician", "session").get(pk=pk)
    except Enrollment.DoesNotExist:
        raise Http404 from None


def can_cancel_enrollment(user, enrollment) -> bool:
    roles = roles_for(user)
    return (
        roles.is_director
        or enrollment.physician.user_id == user.pk
        or enrollment.physician.department_id in roles.lead_department_ids
    )


def can_view_training_status(user) -> bool:
    """The training status of supporters and trainees in the departments one may see."""
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or roles.is_lead


def get_trainee_or_404(user, pk: int) -> Physician:
    """A roster entry whose training the user may see (their departments), else 404."""
    try:
        return physicians_visible_to(user).select_related("department").get(pk=pk)
    except Physician.DoesNotExist:
        raise Http404 from None


def can_activate_supporter(user, physician: Physician) -> bool:
    roles = roles_for(user)
    return roles.is_director or physician.department.site_id in roles.coordinator_site_ids


def can_view_own_training(user) -> bool:
    return roles_for(user).is_physician


# --- Surveys ------------------------------------------------------------------------------
# Directors run surveys: instruments, campaigns, all results, the export. Department leads see
# the campaigns that reached their departments, with results of their departments only, always
# suppressed. Coordinators, supporters and physicians see no survey results: coordinators know
# who was supported and when, and could match that against recipient feedback by department
# and date. Answering needs no account (the link is the credential).


def can_manage_surveys(user) -> bool:
    """Create instruments and campaigns, close campaigns, export responses."""
    return roles_for(user).is_director


def can_view_survey_results(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_lead


def survey_department_scope(user) -> frozenset[int] | None:
    """Departments whose survey results the user sees: None means all (the director)."""
    roles = roles_for(user)
    if roles.is_director:
        return None
    return roles.lead_department_ids


def campaigns_visible_to(user):
    from surveys.models import Campaign, Invitation

    roles = roles_for(user)
    if roles.is_director:
        return Campaign.objects.all()
    if not roles.is_lead:
        return Campaign.objects.none()
    reached = Invitation.objects.filter(
        physician__department_id__in=roles.lead_department_ids
    ).values("campaign_id")
    return Campaign.objects.filter(
        Q(departments__in=roles.lead_department_ids) | Q(pk__in=reached)
    ).distinct()


def get_campaign_or_404(user, pk: int):
    from surveys.models import Campaign

    try:
        return campaigns_visible_to(user).get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def get_instrument_or_404(user, pk: int):
    from surveys.models import Instrument

    if not can_manage_surveys(user):
        raise Http404
    try:
        return Instrument.objects.get(pk=pk)
    except Instrument.DoesNotExist:
        raise Http404 from None


def can_add_instrument_version(user, instrument) -> bool:
    """Custom instruments get new versions; built-in ones keep their fixed codes and scales."""
    return can_manage_surveys(user) and not instrument.builtin


# --- Reporting ----------------------------------------------------------------------------
# Dashboards and report exports show aggregates only, never a person. The director sees the
# program, every site and every department; a coordinator their sites and those sites'
# departments; a department lead their own departments only, always suppressed. PRISM context
# notes are written by the director (for the program or any department) and by leads (for their
# departments); leads read the program-wide notes too. An export is seen only by whoever asked
# for it.


def can_view_reports(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or roles.is_lead


def can_view_program_dashboard(user) -> bool:
    return roles_for(user).is_director


def can_view_site_dashboards(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator


def report_sites_visible_to(user) -> QuerySet[Site]:
    """Sites whose dashboard (and exports) the user may open."""
    roles = roles_for(user)
    if roles.is_director:
        return Site.objects.all()
    return Site.objects.filter(pk__in=roles.coordinator_site_ids)


def get_report_site_or_404(user, pk: int) -> Site:
    try:
        return report_sites_visible_to(user).get(pk=pk)
    except Site.DoesNotExist:
        raise Http404 from None


def report_departments_visible_to(user) -> QuerySet[Department]:
    """Departments whose dashboard (and exports) the user may open."""
    return departments_visible_to(user)


def get_report_department_or_404(user, pk: int) -> Department:
    return get_department_or_404(user, pk)


def report_scope_allowed(user, *, site: Site | None, departments) -> bool:
    """Whether the user may report on a scope: the program needs the director; a site, its
    coordinator; a list of departments, the right to see each of them."""
    roles = roles_for(user)
    if roles.is_director:
        return True
    if departments:
        visible = set(report_departments_visible_to(user).values_list("pk", flat=True))
        return all(d.pk in visible for d in departments)
    return site is not None and site.pk in roles.coordinator_site_ids


def report_must_suppress(user, *, site: Site | None, departments) -> bool:
    """Leads always see suppressed numbers: any scope that is not wholly within the user's
    director or coordinator rights is suppressed."""
    roles = roles_for(user)
    if roles.is_director:
        return False
    if departments:
        return not all(d.site_id in roles.coordinator_site_ids for d in departments)
    return site is None or site.pk not in roles.coordinator_site_ids


def can_manage_prism_notes(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_lead


def prism_departments_for(user) -> QuerySet[Department]:
    """Departments the user may write PRISM notes for (the director: all of them)."""
    roles = roles_for(user)
    departments = Department.objects.select_related("site")
    if roles.is_director:
        return departments
    return departments.filter(pk__in=roles.lead_department_ids)


def prism_notes_filter(user) -> Q:
    """Which PRISM notes the user may read, as a filter the reporting app applies to its notes:
    the director all of them; a lead the program-wide notes and their departments'; nobody else
    any."""
    roles = roles_for(user)
    if roles.is_director:
        return Q()
    if not roles.is_lead:
        return Q(pk__in=[])
    return Q(department__isnull=True) | Q(department_id__in=roles.lead_department_ids)


def can_edit_prism_note(user, note) -> bool:
    """The director edits any note; a lead the notes of their departments."""
    roles = roles_for(user)
    if roles.is_director:
        return True
    return note.department_id is not None and note.department_id in roles.lead_department_ids


def report_exports_filter(user) -> Q:
    """A report export is seen only by whoever asked for it."""
    return Q(requested_by=user) if user.is_authenticated else Q(pk__in=[])
