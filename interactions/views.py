"""Referral pages: parse, check access (access.py), call a service, render or redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program import program_settings
from post_program.access import require, roles_for
from post_program.models import PeerSupporter, Site

from . import selectors, services
from .access import (
    can_answer_assignment,
    can_assign_referral,
    can_log_interactions,
    can_request_support,
    can_see_follow_up_note,
    can_see_referrer,
    can_triage_referrals,
    can_view_own_cases,
    can_view_supporter_directory,
    can_view_supporter_load,
    can_work_case,
    event_departments_for,
    get_debrief_or_404,
    get_referral_or_404,
)
from .forms import (
    AssignForm,
    AvailabilityForm,
    CloseForm,
    ConflictForm,
    ConflictSearchForm,
    DebriefForm,
    DeclineForm,
    DirectoryFilterForm,
    EventForm,
    InteractionForm,
    OutreachForm,
    QueueFilterForm,
    ReferralRequestForm,
    RosterSearchForm,
)
from .models import (
    DebriefTrigger,
    Outcome,
    Status,
    Urgency,
    first_contact_deadline,
    first_contact_hours,
)

SUBMITTED_SESSION_KEY = "interactions_request_sent"
QUEUE_PAGE_SIZE = 50
LIST_PAGE_SIZE = 50
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
            # An urgent request is promised the urgent deadline, whichever case it joined.
            due = first_contact_deadline(timezone.now(), data["urgency"])
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
            "first_contact_hours": first_contact_hours(Urgency.ROUTINE),
            "urgent_first_contact_hours": first_contact_hours(Urgency.SAFETY),
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


@require_POST
@require(can_request_support)
def roster_search(request):
    """htmx: colleagues whose name contains the text typed (name and department only). A POST,
    so that the typed name stays out of the query string and every proxy's access log."""
    if not _search_allowed(request.user):
        response = render(
            request, "interactions/partials/_colleague_results.html", {"limited": True}
        )
        response.status_code = 429
        return response
    query = RosterSearchForm(request.POST).query
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
            "purpose": "link" if request.POST.get("purpose") == "link" else "",
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
        {
            "due": due,
            "urgent": sent.get("urgent"),
            "hours": first_contact_hours(Urgency.SAFETY if sent.get("urgent") else Urgency.ROUTINE),
            "for_self": sent.get("for_self"),
        },
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


def _render_detail(
    request,
    referral,
    *,
    assign_form=None,
    decline_form=None,
    outreach_form=None,
    close_form=None,
    status=200,
):
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
    may_work = can_work_case(user, referral)
    if may_work:
        outreach_form = outreach_form or OutreachForm(referral=referral)
        close_form = close_form or CloseForm(referral=referral)
    record = selectors.case_record(referral=referral)
    for interaction in record.interactions:
        interaction.note_visible = can_see_follow_up_note(user, interaction)
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
            "may_work": may_work,
            "outreach_form": outreach_form,
            "close_form": close_form,
            "record": record,
            "show_notes": any(i.note_visible for i in record.interactions),
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
            f"emailed and have {program_settings.get().accept_within_hours} hours to accept.",
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
    """The supporter's home for case work: open cases with what is due next, then closed ones."""
    supporter: PeerSupporter = roles_for(request.user).supporter
    open_cases = list(selectors.supporter_open_cases(supporter=supporter))
    page = Paginator(
        selectors.supporter_closed_cases(supporter=supporter), LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    services.referrals_record_list(
        actor=request.user, page="case_list", referrals=[*open_cases, *page]
    )
    return render(
        request,
        "interactions/case_list.html",
        {
            "supporter": supporter,
            "open_cases": open_cases,
            "page": page,
            "today": timezone.localdate(),
            "debrief_offer": selectors.debrief_offer(supporter=supporter),
            "statuses": Status,
        },
    )


def _working_supporter(request, pk: int):
    """The referral and the supporter working it, or 404 (not visible) / 403 (not theirs to
    work, or not accepted yet, or closed)."""
    referral = get_referral_or_404(request.user, pk)
    if not can_work_case(request.user, referral):
        raise PermissionDenied
    return referral, roles_for(request.user).supporter


@require_POST
def referral_outreach(request, pk: int):
    referral, supporter = _working_supporter(request, pk)
    form = OutreachForm(request.POST, referral=referral)
    if not form.is_valid():
        services.referral_record_view(actor=request.user, referral=referral)
        return _render_detail(request, referral, outreach_form=form, status=400)
    was_contacted = referral.first_contact_at is not None
    try:
        services.outreach_record(
            actor=request.user, referral=referral, supporter=supporter, **form.cleaned_data
        )
    except services.CaseWorkError as error:
        messages.error(request, str(error))
    else:
        text = "Outreach attempt logged."
        if form.cleaned_data["reached"] and not was_contacted:
            at = timezone.localtime(form.cleaned_data["attempted_at"])
            text += f" First contact recorded at {at:%Y-%m-%d %H:%M}."
        messages.success(request, text)
    return redirect("interactions:referral_detail", pk=referral.pk)


def _debrief_message(request, supporter) -> None:
    offer = selectors.debrief_offer(supporter=supporter)
    if offer is not None:
        messages.info(
            request,
            "Supporting colleagues can weigh on you too. You can ask a coordinator for a "
            "debrief on your “My load” page.",
        )


@require_http_methods(["GET", "POST"])
def referral_interaction_log(request, pk: int):
    referral, supporter = _working_supporter(request, pk)
    if referral.first_contact_at is None:
        messages.info(
            request, "Log the outreach that reached them first: it records the first contact."
        )
        return redirect("interactions:referral_detail", pk=referral.pk)
    if request.method == "POST":
        form = InteractionForm(request.POST, supporter=supporter, referral=referral)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.interaction_log(
                    actor=request.user,
                    supporter=supporter,
                    referral=referral,
                    **_interaction_values(data),
                )
            except services.CaseWorkError as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Interaction logged.")
                _debrief_message(request, supporter)
                return redirect("interactions:referral_detail", pk=referral.pk)
    else:
        form = InteractionForm(supporter=supporter, referral=referral)
    services.referral_record_view(actor=request.user, referral=referral)
    return render(
        request,
        "interactions/interaction_form.html",
        {"form": form, "referral": referral},
        status=400 if form.is_bound else 200,
    )


def _interaction_values(data: dict) -> dict:
    return {
        name: data[name]
        for name in (
            "occurred_on",
            "duration_minutes",
            "successful",
            "modality",
            "topics",
            "escalated",
            "escalated_to",
            "follow_up_planned",
            "follow_up_note",
        )
    }


def _form_errors(form, error: services.CaseWorkError) -> None:
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


@require_POST
def referral_close_case(request, pk: int):
    referral, supporter = _working_supporter(request, pk)
    form = CloseForm(request.POST, referral=referral)
    if not form.is_valid():
        services.referral_record_view(actor=request.user, referral=referral)
        return _render_detail(request, referral, close_form=form, status=400)
    outcome = form.cleaned_data["outcome"]
    try:
        services.case_close(
            actor=request.user, referral=referral, supporter=supporter, outcome=outcome
        )
    except services.CaseWorkError as error:
        messages.error(request, str(error))
        return redirect("interactions:referral_detail", pk=referral.pk)
    messages.success(request, f"Case closed: {Outcome(outcome).label}. Thank you.")
    return redirect("interactions:case_list")


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
                messages.success(request, "Interaction logged.")
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


def _availability_page(request, supporter, *, form=None, conflict_form=None, status=200):
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
                "away_until": supporter.away_until,
                "caseload_cap": supporter.caseload_cap,
            }
        )
    conflicts = supporter.conflicts.select_related("department__site").order_by("name", "pk")
    return render(
        request,
        "interactions/availability.html",
        {
            "supporter": supporter,
            "form": form,
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
        messages.success(request, "Availability saved. New cases are offered accordingly.")
        return redirect("interactions:availability")
    return _availability_page(request, supporter)


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
        request, f"Conflict declared: you will not be assigned to {physician.name or 'them'}."
    )
    return redirect("interactions:availability")


@require_POST
@require(can_log_interactions)
def conflict_withdraw(request, physician_pk: int):
    supporter = roles_for(request.user).supporter
    if supporter is None:  # can_log_interactions lets supporters in only
        raise PermissionDenied
    physician = supporter.conflicts.filter(pk=physician_pk).first()
    if physician is None:
        raise Http404
    services.supporter_conflict_withdraw(
        actor=request.user, supporter=supporter, physician=physician
    )
    messages.success(request, "Conflict withdrawn.")
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
    _, created = services.debrief_request(actor=request.user, supporter=supporter, trigger=trigger)
    if created:
        messages.success(
            request, "Your site's coordinators were asked to get in touch for a debrief."
        )
    else:
        messages.info(
            request, "You have already asked for a debrief; a coordinator will be in touch."
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
        messages.success(request, "Debrief marked as held.")
    return redirect("interactions:supporter_load")
