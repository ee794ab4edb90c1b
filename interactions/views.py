"""Referral pages: parse, check access (permissions.py), call a service, render or redirect."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program.models import PeerSupporter, Site
from post_program.permissions import (
    can_answer_assignment,
    can_assign_referral,
    can_request_support,
    can_see_referrer,
    can_triage_referrals,
    can_view_own_cases,
    can_view_supporter_directory,
    event_departments_for,
    get_referral_or_404,
    require,
    roles_for,
)

from . import selectors, services
from .forms import (
    AssignForm,
    DeclineForm,
    DirectoryFilterForm,
    EventForm,
    QueueFilterForm,
    ReferralRequestForm,
    RosterSearchForm,
)
from .models import Status, Urgency

SUBMITTED_SESSION_KEY = "interactions_request_sent"
QUEUE_PAGE_SIZE = 50
SEARCH_RESULTS = 10


# --- requesters --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_request_support)
def referral_request(request):
    requester = roles_for(request.user).physician
    if request.method == "POST":
        form = ReferralRequestForm(request.POST, requester=requester)
        if form.is_valid():
            data = form.cleaned_data
            result = services.referral_request(
                requester=request.user,
                source=data["source"],
                department=data["department"],
                physician=data["physician"],
                named_colleague=data["colleague_name"],
                reason=data["reason"],
                note=data["note"],
                urgency=data["urgency"],
                contact_method=data["contact_method"],
                department_preference=data["department_preference"],
                requested_supporter=data["requested_supporter"],
                referrer_may_be_named=data["referrer_may_be_named"],
                submission_key=data["submission_key"],
            )
            # The confirmation promises first contact within the deadline of this request;
            # it does not tell whether someone else had already asked for the same person.
            due = timezone.now() + timedelta(hours=settings.FIRST_CONTACT_DEADLINE_HOURS)
            if result.created:
                due = result.referral.first_contact_due_at
            request.session[SUBMITTED_SESSION_KEY] = {
                "due": due.isoformat(),
                "urgent": data["urgency"] == Urgency.SAFETY,
                "for_self": data["source"] == "self",
            }
            return redirect("interactions:referral_submitted")
    else:
        initial = {}
        supporter_id = request.GET.get("supporter", "")
        if supporter_id.isascii() and supporter_id.isdigit():
            initial["requested_supporter"] = supporter_id
        form = ReferralRequestForm(initial=initial, requester=requester)
    selected = None
    if form.is_bound and not form.errors.get("colleague"):
        selected = form.cleaned_data.get("colleague") if hasattr(form, "cleaned_data") else None
    return render(
        request,
        "interactions/referral_request.html",
        {
            "form": form,
            "selected_colleague": selected,
            "selected_colleague_list": [selected] if selected else [],
            "first_contact_hours": settings.FIRST_CONTACT_DEADLINE_HOURS,
        },
    )


def _search_allowed(user) -> bool:
    """A small per-user counter in the cache: at most ROSTER_SEARCHES_PER_MINUTE a minute."""
    minute = int(timezone.now().timestamp() // 60)
    key = f"interactions:roster-search:{user.pk}:{minute}"
    cache.add(key, 0, timeout=90)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=90)
        count = 1
    return count <= settings.ROSTER_SEARCHES_PER_MINUTE


@require_GET
@require(can_request_support)
def roster_search(request):
    """htmx: colleagues whose name contains the text typed (name and department only)."""
    if not _search_allowed(request.user):
        response = render(
            request, "interactions/partials/_colleague_results.html", {"limited": True}
        )
        response.status_code = 429
        return response
    query = RosterSearchForm(request.GET).query
    physicians = selectors.roster_search(
        query=query, exclude=roles_for(request.user).physician, limit=SEARCH_RESULTS + 1
    )
    return render(
        request,
        "interactions/partials/_colleague_results.html",
        {
            "physicians": physicians[:SEARCH_RESULTS],
            "more": len(physicians) > SEARCH_RESULTS,
            "query": query,
            "too_short": len(query) < 2,
        },
    )


@require_GET
@require(can_request_support)
def referral_submitted(request):
    sent = request.session.get(SUBMITTED_SESSION_KEY)
    due = parse_datetime(sent["due"]) if isinstance(sent, dict) and "due" in sent else None
    if due is None:
        return redirect("interactions:my_requests")
    return render(
        request,
        "interactions/referral_submitted.html",
        {"due": due, "urgent": sent.get("urgent"), "for_self": sent.get("for_self")},
    )


@require_GET
@require(can_request_support)
def my_requests(request):
    requests = selectors.my_requests(user=request.user)
    services.referrals_record_list(
        actor=request.user, page="my_requests", referrals=[item.referral for item in requests]
    )
    return render(request, "interactions/my_requests.html", {"requests": requests})


@require_GET
@require(can_view_supporter_directory)
def supporter_directory(request):
    form = DirectoryFilterForm(request.GET or None, departments=selectors.directory_departments())
    department_id = None
    if form.is_valid() and form.cleaned_data["department"]:
        department_id = form.cleaned_data["department"].pk
    page = Paginator(selectors.supporter_directory(department_id=department_id), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "interactions/supporter_directory.html",
        {"form": form, "page": page, "can_request": can_request_support(request.user)},
    )


# --- coordinators ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_triage_referrals)
def event_record(request):
    departments = event_departments_for(request.user)
    if request.method == "POST":
        form = EventForm(request.POST, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            _, results = services.event_record(
                actor=request.user,
                occurred_on=data["occurred_on"],
                department=data["department"],
                category=data["category"],
                physicians=data["physicians"],
            )
            created = sum(result.created for result in results)
            joined = len(results) - created
            text = f"Event recorded: {created} referral{'s' if created != 1 else ''} opened."
            if joined:
                text += f" {joined} physician{'s' if joined != 1 else ''} already had an open one."
            messages.success(request, text)
            return redirect("interactions:queue")
    else:
        form = EventForm(
            initial={"department": request.GET.get("department", "")}, departments=departments
        )
    return render(request, "interactions/event_record.html", {"form": form})


@require_GET
@require(can_triage_referrals)
def queue(request):
    sites = Site.objects.filter(pk__in=roles_for(request.user).coordinator_site_ids)
    form = QueueFilterForm(request.GET or None, sites=sites)
    site_id, status, overdue = None, "open", False
    if form.is_valid():
        site_id = form.cleaned_data["site"].pk if form.cleaned_data["site"] else None
        status = form.cleaned_data["status"] or "open"
        overdue = form.cleaned_data["overdue"]
    now = timezone.now()
    referrals = selectors.referral_queue(
        user=request.user, site_id=site_id, status=status, overdue=overdue, now=now
    )
    page = Paginator(referrals, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    services.referrals_record_list(actor=request.user, page="queue", referrals=page)
    return render(
        request,
        "interactions/queue.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.queue_counts(user=request.user, site_id=site_id, now=now),
            "now": now,
        },
    )


# --- one referral ------------------------------------------------------------------------------


@require_GET
def referral_detail(request, pk: int):
    referral = get_referral_or_404(request.user, pk)
    services.referral_record_view(actor=request.user, referral=referral)
    return _render_detail(request, referral)


def _render_detail(request, referral, *, assign_form=None, decline_form=None, status=200):
    user = request.user
    may_assign = can_assign_referral(user, referral)
    suggestions = None
    if may_assign and referral.is_open:
        suggestions = selectors.referral_suggestions(referral=referral)
        if assign_form is None:
            assign_form = AssignForm(
                initial={"version": referral.version}, candidates=suggestions.eligible
            )
    may_answer = can_answer_assignment(user, referral)
    if may_answer and decline_form is None:
        decline_form = DeclineForm()
    referral = (
        type(referral)
        .objects.select_related(
            "physician__department__site",
            "department__site",
            "referrer",
            "assigned_to__physician__department__site",
            "requested_supporter__physician__department__site",
            "event",
        )
        .get(pk=referral.pk)
    )
    response = render(
        request,
        "interactions/referral_detail.html",
        {
            "referral": referral,
            "history": selectors.referral_history(referral=referral),
            "may_assign": may_assign,
            "suggestions": suggestions,
            "assign_form": assign_form,
            "may_answer": may_answer,
            "decline_form": decline_form,
            "show_referrer": can_see_referrer(user, referral),
            "show_actors": may_assign,
        },
    )
    response.status_code = status
    return response


@require_POST
def referral_assign(request, pk: int):
    referral = get_referral_or_404(request.user, pk)
    if not can_assign_referral(request.user, referral):
        raise PermissionDenied
    if not referral.is_open:
        messages.error(request, "This referral is closed.")
        return redirect("interactions:referral_detail", pk=referral.pk)
    suggestions = selectors.referral_suggestions(referral=referral)
    form = AssignForm(request.POST, candidates=suggestions.eligible)
    if not form.is_valid():
        services.referral_record_view(actor=request.user, referral=referral)
        return _render_detail(request, referral, assign_form=form, status=400)
    supporter = form.cleaned_data["supporter"]
    try:
        services.referral_assign(
            actor=request.user,
            referral=referral,
            supporter=supporter,
            expected_version=form.cleaned_data["version"],
        )
    except services.ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Assigned to {supporter.physician.name or 'the supporter'}; they have been "
            f"emailed and have {settings.ACCEPT_WITHIN_HOURS} hours to accept.",
        )
    return redirect("interactions:referral_detail", pk=referral.pk)


def _answering_supporter(request, pk: int):
    referral = get_referral_or_404(request.user, pk)
    if not can_answer_assignment(request.user, referral):
        raise PermissionDenied
    return referral, roles_for(request.user).supporter


@require_POST
def referral_accept(request, pk: int):
    referral, supporter = _answering_supporter(request, pk)
    try:
        services.referral_accept(actor=request.user, referral=referral, supporter=supporter)
    except services.ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "You accepted this referral. Please make first contact soon.")
    return redirect("interactions:referral_detail", pk=referral.pk)


@require_POST
def referral_decline(request, pk: int):
    referral, supporter = _answering_supporter(request, pk)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        services.referral_record_view(actor=request.user, referral=referral)
        return _render_detail(request, referral, decline_form=form, status=400)
    try:
        services.referral_decline(
            actor=request.user,
            referral=referral,
            supporter=supporter,
            reason=form.cleaned_data["reason"],
        )
    except services.ReferralError as error:
        messages.error(request, str(error))
        return redirect("interactions:referral_detail", pk=referral.pk)
    messages.success(request, "Declined. The coordinators will find another supporter.")
    return redirect("interactions:case_list")


# --- supporters --------------------------------------------------------------------------------


@require_GET
@require(can_view_own_cases)
def case_list(request):
    supporter: PeerSupporter = roles_for(request.user).supporter
    page = Paginator(selectors.supporter_cases(supporter=supporter), 50).get_page(
        request.GET.get("page")
    )
    services.referrals_record_list(actor=request.user, page="case_list", referrals=page)
    return render(
        request,
        "interactions/case_list.html",
        {"page": page, "statuses": Status},
    )
