from __future__ import annotations

import itertools
from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from . import api_tokens, health, import_jobs, program_settings, provisioning, selectors, services
from .access import (
    can_edit_program_settings,
    can_import_program,
    can_manage_api_tokens,
    can_manage_scim_clients,
    can_view_audit,
    can_view_home,
    can_view_roster,
    departments_visible_to,
    get_api_token_or_404,
    get_import_job_or_404,
    home_url_names,
    require,
    roles_for,
)
from .forms import (
    ApiTokenForm,
    AuditFilterForm,
    ImportUploadForm,
    ProgramSettingsForm,
    RosterFilterForm,
    ScimClientForm,
)
from .models import ScimClient
from .spreadsheets import csv_lines


@login_not_required
@require_GET
def healthz(request):
    """Liveness probe for the load balancer and the compose health check."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def readyz(request):
    """Readiness probe: 200 when the database, the cache and the broker answer, else 503."""
    results = health.readiness()
    body = {name: "ok" if ready else "unavailable" for name, ready in results.items()}
    return JsonResponse(body, status=200 if all(results.values()) else 503)


@login_not_required
@require_GET
def help_now(request):
    """Where to get urgent help: public, so it works for anyone who cannot sign in."""
    return render(request, "post_program/help_now.html")


@login_not_required
@require_POST
def language_set(request):
    """Choose the language of the pages: Django's set_language (the cookie, and back to the
    page the choice was made on), remembered on the account of a signed-in user."""
    language = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and language != request.user.language
    ):
        services.user_language_set(user=request.user, language=language)
    return set_language(request)


@require_GET
def home(request):
    """Send each user to the home page of their most senior role."""
    homes = home_url_names(request.user)
    if not homes:
        return render(request, "post_program/home_none.html")
    return redirect(homes[0][1])


def _home(role: str):
    return require(lambda user: can_view_home(user, role))


@require_GET
@_home("physician")
def home_physician(request):
    return render(
        request,
        "post_program/home_physician.html",
        {"physician": roles_for(request.user).physician},
    )


@require_GET
@require(can_view_roster)
def roster_list(request):
    departments = departments_visible_to(request.user)
    form = RosterFilterForm(request.GET or None, departments=departments)
    query, department_id = "", None
    if form.is_valid():
        query = form.cleaned_data["q"]
        department_id = (
            form.cleaned_data["department"].pk if form.cleaned_data["department"] else None
        )
    page = Paginator(
        selectors.roster_list(user=request.user, query=query, department_id=department_id), 50
    ).get_page(request.GET.get("page"))
    return render(request, "post_program/roster_list.html", {"form": form, "page": page})


@require_http_methods(["GET", "POST"])
@require(can_import_program)
def import_start(request):
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
    if form.is_bound and form.is_valid():
        job = import_jobs.import_job_create(actor=request.user, uploads=form.cleaned_data["files"])
        return redirect("import_detail", pk=job.pk)
    return render(request, "post_program/import_start.html", {"form": form})


@require_GET
def import_detail(request, pk: int):
    job = get_import_job_or_404(request.user, pk)
    context = {"job": job, "progress": import_jobs.import_progress(job.pk)}
    if request.headers.get("HX-Request"):
        return render(request, "post_program/partials/_import_status.html", context)
    return render(request, "post_program/import_detail.html", context)


@require_POST
def import_confirm(request, pk: int):
    job = get_import_job_or_404(request.user, pk)
    if not import_jobs.import_job_confirm(actor=request.user, job=job):
        messages.error(
            request, _("This import is not ready to be written (it may have run already).")
        )
    return redirect("import_detail", pk=job.pk)


@require_http_methods(["GET", "POST"])
@require(can_edit_program_settings)
def program_settings_edit(request):
    current = program_settings.get()
    form = ProgramSettingsForm(
        request.POST if request.method == "POST" else None, initial=asdict(current)
    )
    if form.is_bound and form.is_valid():
        try:
            changed = program_settings.program_settings_update(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:  # a case opened, or a change saved, meanwhile
            for name, messages_of in error.message_dict.items():
                for message in messages_of:
                    form.add_error(name, message)
        else:
            if changed:
                messages.success(request, _("Settings saved. They apply from now on."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("program_settings")
    status = 400 if form.is_bound else 200
    return render(request, "post_program/program_settings_edit.html", {"form": form}, status=status)


def _audit_filters(request) -> tuple[AuditFilterForm, dict | None]:
    """The filter form, and the filters when they are valid (None otherwise: show nothing)."""
    actions, object_types = selectors.audit_choices()
    form = AuditFilterForm(request.GET, actions=actions, object_types=object_types)
    if not form.is_valid():
        return form, None
    filters = {name: value for name, value in form.cleaned_data.items() if value}
    return form, filters


def _audited(filters: dict) -> dict:
    """The filters as an audit row may hold them: ids and dates, never an email."""
    detail = {name: value for name, value in filters.items() if name != "person"}
    if "person" in filters:
        detail["person_id"] = filters["person"].pk
    for name in ("start", "end"):
        if name in detail:
            detail[name] = detail[name].isoformat()
    return detail


@require_GET
@require(can_view_audit)
def audit_list(request):
    form, filters = _audit_filters(request)
    page, rows = None, []
    if filters is not None:
        page = Paginator(selectors.audit_events(**filters), 50).get_page(request.GET.get("page"))
        # Read before the view is recorded, so the count and the page agree.
        rows = list(selectors.audit_rows(page.object_list))
        services.audit_record(
            actor=request.user, action="audit.view", page=page.number, filters=_audited(filters)
        )
    return render(
        request, "post_program/audit_list.html", {"form": form, "page": page, "rows": rows}
    )


@require_GET
@require(can_view_audit)
def audit_export(request):
    """The filtered trail as CSV; bad filters give the page with their messages instead."""
    form, filters = _audit_filters(request)
    if filters is None:
        return render(request, "post_program/audit_list.html", {"form": form, "rows": ()})
    services.audit_record(actor=request.user, action="audit.export", filters=_audited(filters))
    events = selectors.audit_events(**filters).iterator(chunk_size=500)
    rows = itertools.chain(
        [selectors.AUDIT_HEADER], (row.cells() for row in selectors.audit_rows(events))
    )
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_http_methods(["GET", "POST"])
@require(can_manage_api_tokens)
def api_token_list(request):
    """The program's API tokens, and a form for a new one, whose secret the answer shows once."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created = None
    if form.is_bound and form.is_valid():
        created = api_tokens.api_token_create(actor=request.user, **form.cleaned_data)
        form = ApiTokenForm()
    tokens = selectors.api_tokens()
    status = 400 if form.is_bound else 200
    response = render(
        request,
        "post_program/api_token_list.html",
        {"form": form, "tokens": tokens, "created": created},
        status=status,
    )
    if created:
        response["Cache-Control"] = "no-store"
    return response


@require(can_manage_scim_clients)
def scim_client_list(request):
    """The identity providers' SCIM tokens; a new one is shown on this response only."""
    form = ScimClientForm(request.POST if request.method == "POST" else None)
    token = None
    if form.is_bound and form.is_valid():
        _client, token = provisioning.scim_client_create(
            actor=request.user, name=form.cleaned_data["name"]
        )
        form = ScimClientForm()
    response = render(
        request,
        "post_program/scimclient_list.html",
        {"form": form, "clients": selectors.scim_clients(), "token": token},
        status=400 if form.is_bound else 200,
    )
    patch_cache_control(response, no_store=True)
    return response


@require_POST
def api_token_revoke(request, pk: int):
    token = get_api_token_or_404(request.user, pk)
    if api_tokens.api_token_revoke(actor=request.user, token=token):
        messages.success(
            request,
            _("The token %(name)s is revoked: it signs no call from now.") % {"name": token.name},
        )
    else:
        messages.info(request, _("The token %(name)s was already revoked.") % {"name": token.name})
    return redirect("api_token_list")


@require_POST
@require(can_manage_scim_clients)
def scim_client_revoke(request, pk: int):
    client = get_object_or_404(ScimClient, pk=pk)
    provisioning.scim_client_revoke(actor=request.user, client=client)
    messages.success(
        request,
        _("The token for %(name)s is revoked: it no longer works.") % {"name": client.name},
    )
    return redirect("scim_client_list")
