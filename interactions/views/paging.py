"""Acknowledging an urgent referral's alert: on the referral page, or through a page's reply
link (no sign-in; the page shows nothing of the case)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import services
from ..access import can_acknowledge_urgent, get_referral_or_404
from ..models import Page


@require_POST
def referral_acknowledge(request, pk: int):
    referral = get_referral_or_404(request.user, pk)
    if not can_acknowledge_urgent(request.user, referral):
        raise PermissionDenied
    try:
        services.urgent_alert_acknowledge(
            actor=request.user, referral=referral, via="referral page"
        )
    except services.ReferralError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Acknowledged: nobody else will be paged for this referral."))
    return redirect("interactions:referral_detail", pk=referral.pk)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def page_acknowledge(request, token: str):
    """The reply link of a page. It says only that an urgent request waits; the button stops
    the paging, as the person the page went to."""
    page = Page.objects.for_token(token).first()
    if page is None:
        raise Http404
    acknowledged = False
    if request.method == "POST" and page.alert.is_open:
        try:
            services.urgent_page_acknowledge(page=page)
        except services.ReferralError:
            pass  # someone was quicker: the page says it is acknowledged
        else:
            acknowledged = True
        page.alert.refresh_from_db()
    response = render(
        request,
        "interactions/page_acknowledge.html",
        {"alert": page.alert, "acknowledged": acknowledged},
    )
    # The address holds the token: never let it leave in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    return response
