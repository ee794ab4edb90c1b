"""Who may see and do what with referrals and case work.

Physicians on the roster ask for support and see the status of what they asked, nothing
else. A referral's identities are seen by the coordinators of its site and by the supporter
it is assigned to now (a supporter it was taken from sees it no more); the referrer is shown
to that supporter only when the referrer agreed to be named. Directors and leads see
aggregates only (reporting).

Conventions as in `post_program.access`; `docs/confidentiality.md` says who sees what.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from post_program.access import can_view_home, roles_for
from post_program.models import Department, PeerSupporter, Site

from .models import DebriefRequest, HandoffNote, OnCallException, OnCallShift, Referral


def can_view_coordinator_home(user) -> bool:
    """What needs a coordinator's attention in their sites (the home dispatch sends them)."""
    return can_view_home(user, "coordinator")


def can_view_supporter_home(user) -> bool:
    """A supporter's own cases waiting on them."""
    return can_view_home(user, "supporter")


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

    roles = roles_for(user)
    visible = Q(department__site_id__in=roles.coordinator_site_ids)
    if roles.supporter is not None:
        visible |= Q(assigned_to_id=roles.supporter.pk)
    if not (roles.is_coordinator or roles.supporter is not None):
        return Referral.objects.none()
    return Referral.objects.filter(visible)


def get_referral_or_404(user, pk: int):

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
        and roles.supporter is not None
        and referral.assigned_to_id == roles.supporter.pk
        and referral.status in ("accepted", "contacted")
    )


def own_handoff_note(user, referral) -> str:
    """The note the supporter holding ``referral`` keeps for the next one ("" if none)."""
    supporter = roles_for(user).supporter
    if supporter is None or referral.assigned_to_id != supporter.pk:
        return ""
    note = HandoffNote.objects.filter(referral=referral, written_by=supporter).first()
    return note.text if note else ""


def handoff_notes_visible_to(user, referral) -> QuerySet[HandoffNote]:
    """Hand-off notes are read by the case's supporter now, never by whoever assigns it: the
    notes earlier supporters of the case left (a supporter's own is on their edit form)."""
    supporter = roles_for(user).supporter
    if supporter is None or referral.assigned_to_id != supporter.pk:
        return HandoffNote.objects.none()
    return HandoffNote.objects.filter(referral=referral).exclude(written_by=supporter)


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

    try:
        return DebriefRequest.objects.select_related("supporter").get(
            pk=pk, supporter__in=supporters_visible_to(user).values("pk")
        )
    except DebriefRequest.DoesNotExist:
        raise Http404 from None


# The on-call roster: who answers a site's urgent referrals. Directors see and edit every
# site's; coordinators their sites' (everyone's shifts there); an active supporter sees their
# own site's and adds or removes only their own shifts and time off (volunteering). The roster
# names staff on call, never anything about a referral.


def _volunteer_site_id(user) -> int | None:
    """The site where the user, an active supporter, may volunteer to be on call."""
    roles = roles_for(user)
    if roles.supporter is None or roles.supporter.status != PeerSupporter.Status.ACTIVE:
        return None
    return roles.physician.department.site_id if roles.physician else None


def can_view_on_call(user) -> bool:
    roles = roles_for(user)
    return roles.is_director or roles.is_coordinator or _volunteer_site_id(user) is not None


def on_call_sites_visible_to(user) -> QuerySet[Site]:
    """Sites whose roster the user sees."""
    roles = roles_for(user)
    if roles.is_director:
        return Site.objects.all()
    site_ids = set(roles.coordinator_site_ids)
    volunteer_site_id = _volunteer_site_id(user)
    if volunteer_site_id is not None:
        site_ids.add(volunteer_site_id)
    return Site.objects.filter(pk__in=site_ids)


def get_on_call_site_or_404(user, pk: int) -> Site:
    try:
        return on_call_sites_visible_to(user).get(pk=pk)
    except Site.DoesNotExist:
        raise Http404 from None


def can_edit_everyones_on_call(user, site) -> bool:
    """Everyone's shifts and time off at `site`: its coordinators and the directors."""
    roles = roles_for(user)
    return roles.is_director or site.pk in roles.coordinator_site_ids


def can_edit_on_call(user, site, person_id: int) -> bool:
    """Add or remove the shifts and time off of the user `person_id` at `site`."""
    if can_edit_everyones_on_call(user, site):
        return True
    return person_id == user.pk and _volunteer_site_id(user) == site.pk


def get_on_call_shift_or_404(user, pk: int) -> OnCallShift:
    """A weekly shift of a site whose roster the user sees (whether they may remove it is
    `can_edit_on_call`)."""
    try:
        return OnCallShift.objects.select_related("site").get(
            pk=pk, site__in=on_call_sites_visible_to(user)
        )
    except OnCallShift.DoesNotExist:
        raise Http404 from None


def get_on_call_exception_or_404(user, pk: int) -> OnCallException:
    try:
        return OnCallException.objects.select_related("site").get(
            pk=pk, site__in=on_call_sites_visible_to(user)
        )
    except OnCallException.DoesNotExist:
        raise Http404 from None


def can_hold_on_call_feed(user) -> bool:
    """A private calendar feed of one's own shifts: whoever may be on call somewhere."""
    return roles_for(user).is_coordinator or _volunteer_site_id(user) is not None


# Urgent alerts. The site's coordinators acknowledge on the referral page; anyone paged may
# also acknowledge through their page's reply link, which needs no sign-in and shows nothing
# of the case (the token is the credential).


def can_acknowledge_urgent(user, referral) -> bool:
    """Acknowledge a referral's urgent alert (and see who was paged, and who acknowledged)."""
    return can_assign_referral(user, referral)
