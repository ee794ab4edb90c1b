from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program import program_settings
from post_program.access import require
from post_program.i18n import request_language_use
from post_program.spreadsheets import csv_lines

from . import selectors, services
from .access import (
    campaigns_visible_to,
    can_add_instrument_version,
    can_manage_surveys,
    can_view_survey_results,
    get_campaign_or_404,
    get_instrument_or_404,
    survey_department_scope,
)
from .forms import (
    CampaignForm,
    InstrumentForm,
    ResponseForm,
    VersionForm,
    question_formset,
    question_initial,
)
from .models import Campaign

# --- Answering (public) ----------------------------------------------------------------------

LINK_STATUS = {"unknown": 404, "used": 410, "expired": 410}


def _private(response):
    """The page's address holds the token: never let it leave in a Referer header."""
    response["Referrer-Policy"] = "no-referrer"
    return response


def _unavailable(request, error: services.LinkError):
    return _private(
        render(
            request,
            "surveys/response_unavailable.html",
            {"reason": error.reason},
            status=LINK_STATUS[error.reason],
        )
    )


def _invitation_language(request, invitation) -> str:
    """Show the survey in the language its invitation was written in, the recipient's choice on
    their account, unless whoever opens it chose a language of their own (their account's, or
    the footer's chooser, kept in a cookie). Returns the language it switched to, or "" when
    the request's own language (the browser's, with no choice anywhere) stays. Nothing of this
    is stored with the answers."""
    own_choice = (
        request.user.is_authenticated and request.user.language
    ) or settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    account = invitation.physician.user if invitation.physician else None
    if own_choice or account is None or not account.language:
        return ""
    request_language_use(request, account.language)
    return account.language


@login_not_required
@csrf_exempt  # the unguessable single-use token in the address is the credential, not a cookie
@never_cache
@require_http_methods(["GET", "POST"])
def response_create(request, token: str):
    """Answer a survey from the emailed link, signed in or not. Nothing about the visitor
    (account, address, time) is stored with the answers."""
    invitation = selectors.invitation_for_token(token)
    try:
        invitation = services.invitation_check(invitation)
    except services.LinkError as error:
        return _unavailable(request, error)
    language = _invitation_language(request, invitation)
    version = invitation.campaign.version
    questions = selectors.version_questions(version)
    # An empty POST (nothing ticked) is still a submission to check, so bind on the method.
    form = ResponseForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.response_submit(token=token, answers=form.answers())
        except services.LinkError as error:
            return _unavailable(request, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            thanks = reverse("surveys:response_thanks")
            return redirect(f"{thanks}?{urlencode({'lang': language})}" if language else thanks)
    return _private(
        render(
            request,
            "surveys/response_create.html",
            {"form": form, "version": version, "instrument": version.instrument},
        )
    )


@login_not_required
@require_GET
def response_thanks(request):
    """Thanks, in the language the survey was shown in (`lang`, when it is one offered)."""
    language = request.GET.get("lang", "")
    if language in dict(settings.LANGUAGES):
        request_language_use(request, language)
    return render(request, "surveys/response_thanks.html")


# --- Campaigns -------------------------------------------------------------------------------


@require_GET
@require(can_view_survey_results)
def campaign_list(request):
    scope = survey_department_scope(request.user)
    campaigns = selectors.campaign_list(
        campaigns_visible_to(request.user), department_ids=scope
    ).order_by("-opens_on", "-pk")
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    threshold = program_settings.get().suppression_threshold
    for campaign in page:
        small = scope is not None and selectors.is_small(campaign.responded, threshold)
        campaign.responded_shown = None if small else campaign.responded
    return render(
        request,
        "surveys/campaign_list.html",
        {"page": page, "can_manage": can_manage_surveys(request.user), "scoped": scope is not None},
    )


@require_http_methods(["GET", "POST"])
@require(can_manage_surveys)
def campaign_create(request):
    form = CampaignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=data["name"],
                version=data["version"],
                audience=data["audience"],
                departments=data["departments"] or [],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                reminder_days=data["reminder_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Campaign created. Invitations go out on the opening day.")
                if campaign.opens_on > timezone.localdate()
                else _("Campaign created and invitations sent."),
            )
            return redirect("surveys:campaign_detail", pk=campaign.pk)
    return render(request, "surveys/campaign_create.html", {"form": form})


@require_GET
@require(can_view_survey_results)
def campaign_detail(request, pk: int):
    campaign = get_campaign_or_404(request.user, pk)
    scope = survey_department_scope(request.user)
    results = selectors.campaign_results(
        campaign, department_ids=scope, exact_response_rate=scope is None
    )
    departments = selectors.departments_of(campaign)
    if scope is not None:
        departments = departments.filter(pk__in=scope)
    return render(
        request,
        "surveys/campaign_detail.html",
        {
            "campaign": campaign,
            "results": results,
            "departments": departments,
            "can_manage": can_manage_surveys(request.user),
            "scoped": scope is not None,
        },
    )


@require_POST
@require(can_manage_surveys)
def campaign_close(request, pk: int):
    campaign = get_campaign_or_404(request.user, pk)
    if campaign.status == Campaign.Status.CLOSED:
        messages.info(request, _("The campaign was already closed."))
    else:
        services.campaign_close(actor=request.user, campaign=campaign)
        messages.success(request, _("Campaign closed: its links no longer work."))
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@require_GET
@require(can_manage_surveys)
def campaign_export(request, pk: int):
    """The campaign's responses in the long format of survey_responses.csv."""
    campaign = get_campaign_or_404(request.user, pk)
    services.responses_export_record(actor=request.user, campaign=campaign)
    rows = selectors.export_rows(
        campaign.responses.all(), threshold=program_settings.get().suppression_threshold
    )
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="survey_responses-campaign-{campaign.pk}.csv"'
    )
    return response


# --- Instruments -----------------------------------------------------------------------------


@require_GET
@require(can_manage_surveys)
def instrument_list(request):
    return render(
        request, "surveys/instrument_list.html", {"instruments": selectors.instrument_list()}
    )


@require_GET
@require(can_manage_surveys)
def instrument_detail(request, pk: int):
    instrument = get_instrument_or_404(request.user, pk)
    versions = instrument.versions.prefetch_related("questions").order_by("-number")
    return render(
        request,
        "surveys/instrument_detail.html",
        {
            "instrument": instrument,
            "versions": versions,
            "can_add_version": can_add_instrument_version(request.user, instrument),
        },
    )


def _builder_valid(version_form, formset) -> bool:
    if not version_form.is_valid():
        formset.is_valid()  # show the rows' errors too
        return False
    formset.scoring = version_form.cleaned_data["scoring"]
    return formset.is_valid()


@require_http_methods(["GET", "POST"])
@require(can_manage_surveys)
def instrument_create(request):
    data = request.POST if request.method == "POST" else None
    form = InstrumentForm(data)
    version_form = VersionForm(data)
    formset = question_formset(data)
    if request.method == "POST" and form.is_valid() & _builder_valid(version_form, formset):
        try:
            instrument = services.instrument_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                name_es=form.cleaned_data["name_es"],
                description=form.cleaned_data["description"],
                description_es=form.cleaned_data["description_es"],
                intro=version_form.cleaned_data["intro"],
                intro_es=version_form.cleaned_data["intro_es"],
                scoring=version_form.cleaned_data["scoring"],
                questions=formset.specs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Instrument created."))
            return redirect("surveys:instrument_detail", pk=instrument.pk)
    return render(
        request,
        "surveys/instrument_create.html",
        {"form": form, "version_form": version_form, "formset": formset},
    )


@require_http_methods(["GET", "POST"])
@require(can_manage_surveys)
def instrument_version_create(request, pk: int):
    instrument = get_instrument_or_404(request.user, pk)
    if not can_add_instrument_version(request.user, instrument):
        raise PermissionDenied
    current = instrument.current_version
    data = request.POST if request.method == "POST" else None
    version_form = VersionForm(
        data,
        initial=(
            {"intro": current.intro, "intro_es": current.intro_es, "scoring": current.scoring}
            if current
            else None
        ),
    )
    formset = question_formset(
        data, initial=question_initial(current.questions.all()) if current else None
    )
    if request.method == "POST" and _builder_valid(version_form, formset):
        try:
            version = services.instrument_version_create(
                actor=request.user,
                instrument=instrument,
                intro=version_form.cleaned_data["intro"],
                intro_es=version_form.cleaned_data["intro_es"],
                scoring=version_form.cleaned_data["scoring"],
                questions=formset.specs(),
            )
        except ValidationError as error:
            version_form.add_error(None, error)
        else:
            messages.success(request, _("Version %(number)s created.") % {"number": version.number})
            return redirect("surveys:instrument_detail", pk=instrument.pk)
    return render(
        request,
        "surveys/instrument_version_create.html",
        {"instrument": instrument, "version_form": version_form, "formset": formset},
    )
