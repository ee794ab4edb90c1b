"""Who may see which reports, dashboards, PRISM notes and exports.

Dashboards and report exports show aggregates only, never a person. The director sees the
program, every site and every department; a coordinator their sites and those sites'
departments; a department lead their own departments only, always suppressed. PRISM context
notes are written by the director (for the program or any department) and by leads (for their
departments); leads read the program-wide notes too. An export is seen only by whoever asked
for it.

Conventions as in `post_program.access`; `docs/confidentiality.md` says who sees what.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from post_program.access import (
    can_view_home,
    departments_visible_to,
    get_department_or_404,
    roles_for,
)
from post_program.models import Department, Site


def can_view_reports(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or roles.is_lead


def can_view_director_home(user) -> bool:
    """The program's health: the director's home (the role the home dispatch sends there)."""
    return can_view_home(user, "director")


def can_view_lead_home(user) -> bool:
    """The quarter at a glance of a lead's own departments, suppressed."""
    return can_view_home(user, "lead")


def can_view_program_dashboard(user) -> bool:
    return roles_for(user).is_director


def can_export_research(user) -> bool:
    """The research export covers the whole program, as the program dashboard does: the
    director's alone (its files are de-identified and suppressed whoever asks)."""
    return can_view_program_dashboard(user)


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


def report_token_must_suppress(user, *, exact: bool) -> bool:
    """An API token reads the report as the director who made it, and the exact figures only
    when it holds the scope for them (`exact`); otherwise as a shareable export is."""
    return not (exact and can_view_program_dashboard(user))


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
