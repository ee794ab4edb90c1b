"""A supporter's own pages (interactions without a referral, their log, availability and
conflicts, care and debriefs) and the coordinators' view of supporters' load."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program.access import require, roles_for
from post_program.models import AwayPeriod, ContactWindow, PeerSupporter

from .. import selectors, services
from ..access import (
    can_log_interactions,
    can_view_supporter_load,
    get_debrief_or_404,
)
from ..forms import (
    AvailabilityForm,
    AwayPeriodForm,
    ConflictForm,
    ConflictSearchForm,
    ContactWindowForm,
    DebriefForm,
    InteractionForm,
)
from ..models import (
    DebriefTrigger,
)
from .casework import LIST_PAGE_SIZE, _debrief_message, _interaction_values
from .referrals import _form_errors
from .requests import _search_allowed

# --- supporters: interactions without a referral, log, availability, care ----------------------


@require_http_methods(["GET", "POST"])
@require(can_log_interactions)
def interaction_new(request):
    """An interaction that came without a referral (source `proactive`)."""
    supporter = roles_for(request.user).supporter
    if request.method == "POST":
        form = InteractionForm(request.POST, supporter=supporter)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.interaction_log(
                    actor=request.user,
                    supporter=supporter,
                    department=data["department"],
                    physician=data["colleague"],
                    **_interaction_values(data),
                )
            except services.CaseWorkError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Interaction logged."))
                _debrief_message(request, supporter)
                return redirect("interactions:interaction_list")
    else:
        form = InteractionForm(supporter=supporter)
    selected = None
    if form.is_bound and hasattr(form, "cleaned_data") and not form.errors.get("colleague"):
        selected = form.cleaned_data.get("colleague")
    return render(
        request,
        "interactions/interaction_form.html",
        {
            "form": form,
            "referral": None,
            "selected_colleague": selected,
            "selected_colleague_list": [selected] if selected else [],
        },
        status=400 if form.is_bound else 200,
    )


@require_GET
@require(can_log_interactions)
def interaction_list(request):
    supporter = roles_for(request.user).supporter
    page = Paginator(
        selectors.supporter_interactions(supporter=supporter), LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    services.interactions_record_list(
        actor=request.user, page="interaction_list", interactions=page
    )
    return render(request, "interactions/interaction_list.html", {"page": page})


def _own_supporter(request) -> PeerSupporter:
    """The supporter signed in, for a view that finds rows among their own."""
    supporter = roles_for(request.user).supporter
    if supporter is None:  # can_log_interactions lets supporters in only
        raise PermissionDenied
    return supporter


def _availability_page(
    request,
    supporter,
    *,
    form=None,
    away_form=None,
    window_form=None,
    conflict_form=None,
    status=200,
):
    """The page, with at most one of its forms sent back with errors (`status` 400)."""
    search = ConflictSearchForm(request.GET or None)
    query = search.query
    results = []
    limited = False
    if query:
        if _search_allowed(request.user):
            declared = set(supporter.conflicts.values_list("pk", flat=True))
            results = [
                physician
                for physician in selectors.conflict_candidates(supporter=supporter, query=query)
                if physician.pk not in declared
            ]
        else:
            limited = True
    if form is None:
        form = AvailabilityForm(
            initial={
                "accepting_referrals": "yes" if supporter.accepting_referrals else "no",
                "caseload_cap": supporter.caseload_cap,
            }
        )
    prefetch_related_objects([supporter], "away_periods", "contact_windows")
    today = timezone.localdate()
    sent_back = next(
        (f for f in (form, away_form, window_form, conflict_form) if f is not None and f.errors),
        None,
    )
    conflicts = supporter.conflicts.select_related("department__site").order_by("name", "pk")
    return render(
        request,
        "interactions/availability.html",
        {
            "supporter": supporter,
            "form": form,
            "sent_back": sent_back,
            "away_form": away_form or AwayPeriodForm(),
            "today": today,
            "away_periods": supporter.away_periods_from(today),
            "window_form": window_form or ContactWindowForm(),
            "contact_windows": supporter.contact_windows.all(),
            "conflict_form": conflict_form,
            "conflicts": conflicts,
            "search": search,
            "query": query,
            "results": results,
            "limited": limited,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@require(can_log_interactions)
def availability(request):
    supporter = roles_for(request.user).supporter
    if request.method == "POST":
        form = AvailabilityForm(request.POST)
        if not form.is_valid():
            return _availability_page(request, supporter, form=form, status=400)
        services.supporter_availability_set(
            actor=request.user, supporter=supporter, **form.cleaned_data
        )
        messages.success(request, _("Availability saved. New cases are offered accordingly."))
        return redirect("interactions:availability")
    return _availability_page(request, supporter)


def _availability_form_sent(request, form_class, *, shown_as: str, act):
    """``act(supporter, cleaned_data)`` for a valid form of ``form_class`` (it returns the
    message to show), then back to the page; else the page again (400) with the form's errors
    and the service's refusal beside its fields, the form in the place ``shown_as`` names."""
    supporter = _own_supporter(request)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = act(supporter, form.cleaned_data)
        except services.CaseWorkError as error:
            _form_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("interactions:availability")
    return _availability_page(request, supporter, status=400, **{shown_as: form})


@require_POST
@require(can_log_interactions)
def away_period_add(request):
    def act(supporter, data) -> str:
        period = services.supporter_away_period_add(actor=request.user, supporter=supporter, **data)
        return _("Time away %(period)s saved: no new cases on those days.") % {"period": period}

    return _availability_form_sent(request, AwayPeriodForm, shown_as="away_form", act=act)


@require_POST
@require(can_log_interactions)
def away_period_remove(request, pk: int):
    supporter = _own_supporter(request)
    period = get_object_or_404(
        AwayPeriod, supporter=supporter, ends_on__gte=timezone.localdate(), pk=pk
    )
    services.supporter_away_period_remove(actor=request.user, supporter=supporter, period=period)
    messages.success(request, _("Time away %(period)s removed.") % {"period": period})
    return redirect("interactions:availability")


@require_POST
@require(can_log_interactions)
def contact_window_add(request):
    def act(supporter, data) -> str:
        services.supporter_contact_windows_add(actor=request.user, supporter=supporter, **data)
        return _("Contact hours saved.")

    return _availability_form_sent(request, ContactWindowForm, shown_as="window_form", act=act)


@require_POST
@require(can_log_interactions)
def contact_window_remove(request, pk: int):
    supporter = _own_supporter(request)
    window = get_object_or_404(ContactWindow, supporter=supporter, pk=pk)
    services.supporter_contact_window_remove(actor=request.user, supporter=supporter, window=window)
    messages.success(request, _("Contact hours %(window)s removed.") % {"window": window})
    return redirect("interactions:availability")


@require_POST
@require(can_log_interactions)
def conflict_declare(request):
    supporter = roles_for(request.user).supporter
    form = ConflictForm(request.POST, supporter=supporter)
    if not form.is_valid():
        return _availability_page(request, supporter, conflict_form=form, status=400)
    physician = form.cleaned_data["physician"]
    services.supporter_conflict_declare(
        actor=request.user, supporter=supporter, physician=physician
    )
    messages.success(
        request,
        _("Conflict declared: you will not be assigned to %(name)s.")
        % {"name": physician.name or _("them")},
    )
    return redirect("interactions:availability")


@require_POST
@require(can_log_interactions)
def conflict_withdraw(request, physician_pk: int):
    supporter = _own_supporter(request)
    physician = supporter.conflicts.filter(pk=physician_pk).first()
    if physician is None:
        raise Http404
    services.supporter_conflict_withdraw(
        actor=request.user, supporter=supporter, physician=physician
    )
    messages.success(request, _("Conflict withdrawn."))
    return redirect("interactions:availability")


@require_GET
@require(can_log_interactions)
def supporter_care(request):
    supporter = roles_for(request.user).supporter
    load = selectors.supporter_loads(supporter_ids=[supporter.pk])[supporter.pk]
    offer = selectors.debrief_offer(supporter=supporter)
    return render(
        request,
        "interactions/supporter_care.html",
        {
            "supporter": supporter,
            "load": load,
            "offer": offer,
            "offer_label": DebriefTrigger(offer).label if offer else "",
            "open_debrief": selectors.open_debrief(supporter=supporter),
            "threshold": settings.DEBRIEF_AFTER_INTERACTIONS,
            "debrief_form": DebriefForm(initial={"trigger": offer or DebriefTrigger.ASKED}),
        },
    )


@require_POST
@require(can_log_interactions)
def debrief_request(request):
    supporter = roles_for(request.user).supporter
    form = DebriefForm(request.POST)
    trigger = form.cleaned_data["trigger"] if form.is_valid() else DebriefTrigger.ASKED
    _debrief, created = services.debrief_request(
        actor=request.user, supporter=supporter, trigger=trigger
    )
    if created:
        messages.success(
            request, _("Your site's coordinators were asked to get in touch for a debrief.")
        )
    else:
        messages.info(
            request, _("You have already asked for a debrief; a coordinator will be in touch.")
        )
    return redirect("interactions:supporter_care")


# --- coordinators: supporters' load ------------------------------------------------------------


@require_GET
@require(can_view_supporter_load)
def supporter_load(request):
    """Each supporter of the coordinator's sites: open cases and recent load as counts only,
    and any debrief they asked for."""
    page = Paginator(selectors.supporters_with_load(user=request.user), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    loads = selectors.supporter_loads(supporter_ids=[supporter.pk for supporter in page])
    rows = [(supporter, loads[supporter.pk]) for supporter in page]
    return render(
        request,
        "interactions/supporter_load.html",
        {"page": page, "rows": rows, "threshold": settings.DEBRIEF_AFTER_INTERACTIONS},
    )


@require_POST
@require(can_view_supporter_load)
def debrief_held(request, pk: int):
    debrief = get_debrief_or_404(request.user, pk)
    try:
        services.debrief_mark_held(actor=request.user, debrief=debrief)
    except services.CaseWorkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Debrief marked as held."))
    return redirect("interactions:supporter_load")
