"""A supporter's cases: the case list, outreach, the interaction log, closing, the note for the
next supporter and handing a case back."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program.access import require, roles_for
from post_program.models import PeerSupporter

from .. import selectors, services
from ..access import (
    can_view_own_cases,
    can_work_case,
    get_referral_or_404,
)
from ..forms import (
    CloseForm,
    HandBackForm,
    HandoffNoteForm,
    InteractionForm,
    OutreachForm,
)
from ..models import (
    Outcome,
    Status,
)
from .referrals import _act_on_form, _form_errors, _render_detail

LIST_PAGE_SIZE = 50


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
        text = _("Outreach attempt logged.")
        if form.cleaned_data["reached"] and not was_contacted:
            at = timezone.localtime(form.cleaned_data["attempted_at"])
            text += " " + _("First contact recorded at %(at)s.") % {
                "at": date_format(at, "SHORT_DATETIME_FORMAT")
            }
        messages.success(request, text)
    return redirect("interactions:referral_detail", pk=referral.pk)


def _debrief_message(request, supporter) -> None:
    offer = selectors.debrief_offer(supporter=supporter)
    if offer is not None:
        messages.info(
            request,
            _(
                "Supporting colleagues can weigh on you too. You can ask a coordinator for a "
                "debrief on your “My load” page."
            ),
        )


@require_http_methods(["GET", "POST"])
def referral_interaction_log(request, pk: int):
    referral, supporter = _working_supporter(request, pk)
    if referral.first_contact_at is None:
        messages.info(
            request, _("Log the outreach that reached them first: it records the first contact.")
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
                messages.success(request, _("Interaction logged."))
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
    messages.success(
        request, _("Case closed: %(outcome)s. Thank you.") % {"outcome": Outcome(outcome).label}
    )
    return redirect("interactions:case_list")


@require_POST
def referral_handoff_note(request, pk: int):
    referral, supporter = _working_supporter(request, pk)

    def save(data) -> str:
        note = services.handoff_note_save(
            actor=request.user, referral=referral, supporter=supporter, text=data["handoff_note"]
        )
        if note is None:
            return _("No note for the next supporter.")
        return _("Note saved: the next supporter of this case will read it.")

    return _act_on_form(
        request,
        referral,
        HandoffNoteForm(request.POST),
        shown_as="handoff_form",
        act=save,
        then=reverse("interactions:referral_detail", args=[referral.pk]),
    )


@require_POST
def referral_hand_back(request, pk: int):
    referral, supporter = _working_supporter(request, pk)

    def hand_back(data) -> str:
        services.referral_hand_back(
            actor=request.user,
            referral=referral,
            supporter=supporter,
            reason=data["reason"],
            handoff_note=data["handoff_note"],
        )
        return _("Handed back. The coordinators will find another supporter.")

    return _act_on_form(
        request,
        referral,
        HandBackForm(request.POST),
        shown_as="hand_back_form",
        act=hand_back,
        then=reverse("interactions:case_list"),
    )
