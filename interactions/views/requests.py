"""Requesting support: the request form, its colleague search and confirmation, a physician's own
requests and the supporter directory."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program import program_settings
from post_program.access import require, roles_for

from .. import selectors, services
from ..access import (
    can_request_support,
    can_view_supporter_directory,
)
from ..forms import (
    DirectoryFilterForm,
    ReceiptForm,
    ReferralRequestForm,
    RosterSearchForm,
    asked,
)
from ..models import (
    Urgency,
    first_contact_deadline,
    first_contact_hours,
)

SUBMITTED_SESSION_KEY = "interactions_request_sent"
SEARCH_RESULTS = 10


# --- requesters --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_request_support)
def referral_request(request):
    requester = roles_for(request.user).physician
    anonymity = program_settings.get().anonymous_colleague_referrals
    if request.method == "POST":
        form = ReferralRequestForm(request.POST, requester=requester, anonymity=anonymity)
        if form.is_valid():
            data = form.cleaned_data
            result = services.referral_request(
                requester=request.user,
                **asked(data),
                named_colleague=data["colleague_name"],
                department_preference=data["department_preference"],
                requested_supporter=data["requested_supporter"],
                referrer_may_be_named=data["referrer_may_be_named"],
                submission_key=data["submission_key"],
                anonymous=data["anonymous"],
            )
            # The confirmation promises first contact within the deadline of this request;
            # it does not tell whether someone else had already asked for the same person.
            # An urgent request is promised the urgent deadline, whichever case it joined.
            due = first_contact_deadline(timezone.now(), data["urgency"])
            if result.created:
                due = result.referral.first_contact_due_at
            if result.receipt:
                # Shown once, here: a session that held it would tie the request to the user.
                return _submitted(
                    request,
                    due=due,
                    urgent=data["urgency"] == Urgency.SAFETY,
                    for_self=False,
                    receipt=result.receipt,
                )
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
        form = ReferralRequestForm(initial=initial, requester=requester, anonymity=anonymity)
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
    return _submitted(request, due=due, urgent=sent.get("urgent"), for_self=sent.get("for_self"))


def _submitted(request, *, due, urgent, for_self, receipt: str = ""):
    return render(
        request,
        "interactions/referral_submitted.html",
        {
            "due": due,
            "urgent": urgent,
            "hours": first_contact_hours(Urgency.SAFETY if urgent else Urgency.ROUTINE),
            "for_self": for_self,
            "receipt": receipt,
        },
    )


@require_http_methods(["GET", "POST"])
@require(can_request_support)
def request_receipt(request):
    """Follow a request made anonymously by its receipt code (posted, so that the code stays
    out of addresses and access logs)."""
    found = None
    if request.method == "POST":
        form = ReceiptForm(request.POST)
        if form.is_valid():
            found = selectors.request_by_receipt(code=form.cleaned_data["code"])
            if found is None:
                form.add_error(
                    "code", _("No request has this receipt code. Check it and try again.")
                )
    else:
        form = ReceiptForm()
    status = 400 if form.errors else 200
    return render(
        request, "interactions/request_receipt.html", {"form": form, "found": found}, status=status
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
