"""The coordinators' queue and difficult events, and one referral's page: assigning it, and the
supporter accepting or declining it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program import program_settings
from post_program.access import require, roles_for
from post_program.models import Site

from .. import selectors, services
from ..access import (
    can_acknowledge_urgent,
    can_answer_assignment,
    can_assign_referral,
    can_see_follow_up_note,
    can_see_referrer,
    can_triage_referrals,
    can_work_case,
    event_departments_for,
    get_referral_or_404,
    handoff_notes_visible_to,
    own_handoff_note,
)
from ..forms import (
    AssignForm,
    CallForm,
    CloseForm,
    DeclineForm,
    EventForm,
    HandBackForm,
    HandoffNoteForm,
    LinkPhysicianForm,
    OutreachForm,
    QueueFilterForm,
    asked,
)
from ..models import UrgentAlert

QUEUE_PAGE_SIZE = 50


# --- coordinators ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_triage_referrals)
def event_record(request):
    departments = event_departments_for(request.user)
    if request.method == "POST":
        form = EventForm(request.POST, departments=departments)
        if form.is_valid():
            _event, results = services.event_record(actor=request.user, **form.recorded())
            created = sum(result.created for result in results)
            joined = len(results) - created
            text = ngettext(
                "Event recorded: %(count)s referral opened.",
                "Event recorded: %(count)s referrals opened.",
                created,
            ) % {"count": created}
            if joined:
                text += " " + ngettext(
                    "%(count)s physician already had an open one.",
                    "%(count)s physicians already had an open one.",
                    joined,
                ) % {"count": joined}
            messages.success(request, text)
            return redirect("interactions:queue")
    else:
        form = EventForm(
            initial={"department": request.GET.get("department", "")}, departments=departments
        )
    return render(request, "interactions/event_record.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require(can_triage_referrals)
def call_record(request):
    """A request for support taken by phone or email from a caller: a nurse, a chief, a risk
    manager, or the physician themself without their account."""
    departments = event_departments_for(request.user)
    if request.method == "POST":
        form = CallForm(request.POST, departments=departments)
        if form.is_valid():
            data = form.cleaned_data
            result = services.referral_request(
                requester=request.user,
                **asked(data),
                named_colleague=data["named_colleague"],
                caller_role=data["caller_role"],
                caller_contact=data["caller_contact"],
                channel=data["channel"],
                submission_key=data["submission_key"],
            )
            referral = result.referral
            messages.success(
                request,
                _("Request recorded as referral %(referral)s; first contact is due %(due)s.")
                % {
                    "referral": referral.referral_id,
                    "due": date_format(
                        timezone.localtime(referral.first_contact_due_at), "SHORT_DATETIME_FORMAT"
                    ),
                }
                if result.created
                else _(
                    "This physician already had an open request (%(referral)s): the call joined it."
                )
                % {"referral": referral.referral_id},
            )
            return redirect("interactions:referral_detail", pk=referral.pk)
        status = 400
    else:
        form = CallForm(
            initial={"department": request.GET.get("department", "")}, departments=departments
        )
        status = 200
    return render(request, "interactions/call_record.html", {"form": form}, status=status)


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
    link_form=None,
    decline_form=None,
    outreach_form=None,
    close_form=None,
    handoff_form=None,
    hand_back_form=None,
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
    if may_assign and referral.is_open and referral.physician_id is None and link_form is None:
        link_form = LinkPhysicianForm(initial={"version": referral.version}, referral=referral)
    may_answer = can_answer_assignment(user, referral)
    if may_answer and decline_form is None:
        decline_form = DeclineForm()
    may_work = can_work_case(user, referral)
    if may_work:
        outreach_form = outreach_form or OutreachForm(referral=referral)
        close_form = close_form or CloseForm(referral=referral)
        own_note = {"handoff_note": own_handoff_note(user, referral)}
        handoff_form = handoff_form or HandoffNoteForm(initial=own_note)
        hand_back_form = hand_back_form or HandBackForm(initial=own_note)
    handoff_notes = list(handoff_notes_visible_to(user, referral))
    urgent_alert = None
    if referral.is_urgent and can_acknowledge_urgent(user, referral):
        urgent_alert = UrgentAlert.objects.with_pages().filter(referral=referral).first()
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
            "link_form": link_form if may_assign and referral.is_open else None,
            "may_answer": may_answer,
            "decline_form": decline_form,
            "show_referrer": can_see_referrer(user, referral),
            "show_actors": may_assign,
            "may_work": may_work,
            "outreach_form": outreach_form,
            "close_form": close_form,
            "handoff_form": handoff_form,
            "hand_back_form": hand_back_form,
            "handoff_notes": handoff_notes,
            "record": record,
            "show_notes": any(i.note_visible for i in record.interactions),
            "urgent_alert": urgent_alert,
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
        messages.error(request, _("This referral is closed."))
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
        hours = program_settings.get().accept_within_hours
        messages.success(
            request,
            ngettext(
                "Assigned to %(name)s; they have been emailed and have %(hours)s hour to accept.",
                "Assigned to %(name)s; they have been emailed and have %(hours)s hours to accept.",
                hours,
            )
            % {"name": supporter.physician.name or _("the supporter"), "hours": hours},
        )
    return redirect("interactions:referral_detail", pk=referral.pk)


def _form_errors(form, error: services.ReferralError) -> None:
    """A service's refusal on the form: each message beside its field (a CaseWorkError names
    them), or over the whole form."""
    errors = getattr(error, "errors", None) or {"": str(error)}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


def _act_on_form(request, referral, form, *, shown_as: str, act, then: str):
    """``act(cleaned_data)`` for a valid ``form`` (it returns the message to show), then on to
    the address ``then``; else the referral page again (400) with the form's errors and the
    service's refusal beside its fields, the form in the place ``shown_as`` names."""
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except services.ReferralError as error:
            _form_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(then)
    services.referral_record_view(actor=request.user, referral=referral)
    return _render_detail(request, referral, status=400, **{shown_as: form})


@require_POST
def referral_link_physician(request, pk: int):
    """Link a request kept by name to the physician's roster entry, now that there is one."""
    referral = get_referral_or_404(request.user, pk)
    if not can_assign_referral(request.user, referral):
        raise PermissionDenied

    def link(data) -> str:
        services.referral_link_physician(
            actor=request.user,
            referral=referral,
            physician=data["physician"],
            expected_version=data["version"],
        )
        return _("Linked to the roster entry.")

    form = LinkPhysicianForm(request.POST, referral=referral)
    return _act_on_form(
        request,
        referral,
        form,
        shown_as="link_form",
        act=link,
        then=reverse("interactions:referral_detail", args=[referral.pk]),
    )


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
        messages.success(request, _("You accepted this referral. Please make first contact soon."))
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
    messages.success(request, _("Declined. The coordinators will find another supporter."))
    return redirect("interactions:case_list")
