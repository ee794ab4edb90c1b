"""Who may see and do what in surveys.

Directors run surveys: instruments, campaigns, all results, the export. Department leads see
the campaigns that reached their departments, with results of their departments only, always
suppressed. Coordinators, supporters and physicians see no survey results: coordinators know
who was supported and when, and could match that against recipient feedback by department
and date. Answering needs no account (the link is the credential).

Conventions as in `post_program.access`; `docs/confidentiality.md` says who sees what.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from post_program.access import roles_for

from .models import Campaign, Instrument, Invitation


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

    roles = roles_for(user)
    if roles.is_director:
        return Campaign.objects.all()
    if not roles.is_lead:
        return Campaign.objects.none()
    reached = Invitation.objects.filter(department_id__in=roles.lead_department_ids).values(
        "campaign_id"
    )
    return Campaign.objects.filter(
        Q(departments__in=roles.lead_department_ids) | Q(pk__in=reached)
    ).distinct()


def get_campaign_or_404(user, pk: int):

    try:
        return campaigns_visible_to(user).get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404 from None


def get_instrument_or_404(user, pk: int):

    if not can_manage_surveys(user):
        raise Http404
    try:
        return Instrument.objects.get(pk=pk)
    except Instrument.DoesNotExist:
        raise Http404 from None


def can_add_instrument_version(user, instrument) -> bool:
    """Custom instruments get new versions; built-in ones keep their fixed codes and scales."""
    return can_manage_surveys(user) and not instrument.builtin
