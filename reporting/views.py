"""Reporting pages: the program, site and department dashboards, report exports and PRISM
context notes. Views parse, ask the access modules, call a service or build the report, and render.

Every dashboard builds one `ReAimReport` for the period and scope of its filter form and renders
it; the export buttons send the same period and scope to a background job, so a downloaded file
holds the numbers the page showed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from post_program import program_settings
from post_program.access import require, roles_for
from post_program.models import Department, Site

from . import metrics, services
from .access import (
    can_edit_prism_note,
    can_export_research,
    can_manage_prism_notes,
    can_view_program_dashboard,
    can_view_reports,
    can_view_site_dashboards,
    get_report_department_or_404,
    get_report_site_or_404,
    prism_departments_for,
    report_departments_visible_to,
    report_must_suppress,
    report_scope_allowed,
    report_sites_visible_to,
)
from .forms import (
    WHOLE_QUARTERS_MESSAGE,
    ExportForm,
    PrismNoteForm,
    ReportFilterForm,
    ResearchExportForm,
)
from .forms import Preset as PeriodPreset
from .models import ExportStatus, PrismNote, ReportExport
from .render import dashboard_context
from .render.summary import previous_report
from .report import ReAimReport
from .selectors import get_prism_note_or_404, get_report_export_or_404, prism_notes_visible_to

# --- Dashboards -----------------------------------------------------------------------------


@require_GET
@require(can_view_reports)
def index(request):
    """The dashboards the user may open."""
    roles = roles_for(request.user)
    sites = report_sites_visible_to(request.user).order_by("name")
    departments = Department.objects.none()
    if roles.is_lead or roles.is_coordinator:
        departments = (
            report_departments_visible_to(request.user)
            .select_related("site")
            .order_by("site__name", "name")
        )
    return render(
        request,
        "reporting/index.html",
        {
            "program": can_view_program_dashboard(request.user),
            "sites": sites,
            "departments": departments,
            "can_manage_prism": can_manage_prism_notes(request.user),
            "can_export_research": can_export_research(request.user),
        },
    )


def _dashboard(
    request,
    *,
    heading: str,
    form: ReportFilterForm,
    site: Site | None = None,
    department: Department | None = None,
    compare: bool = False,
):
    """Build the report for the filter and render a dashboard (400 with the errors when the
    filter does not make sense). With ``compare``, the summary sets each dimension against the
    previous period of the same length: a second report, one report's worth of queries."""
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "reporting/dashboard.html",
            {"heading": heading, "form": form, "report": None},
            status=400,
        )
    scope = form.scope()
    period = form.period_window(scope)
    chosen_site = form.chosen_site()
    chosen_departments = form.chosen_departments()
    suppress = report_must_suppress(request.user, site=chosen_site, departments=chosen_departments)
    report = ReAimReport(
        period=period,
        scope=scope,
        threshold=program_settings.get().suppression_threshold if suppress else None,
    )
    export_form = ExportForm(
        initial={
            "start": period.start,
            "end": period.end,
            "site": chosen_site,
            "department": chosen_departments,
            "shareable": suppress,
        }
    )
    if suppress:
        export_form.fields["shareable"].disabled = True
    return render(
        request,
        "reporting/dashboard.html",
        {
            "heading": heading,
            "form": form,
            "report": report,
            "export_form": export_form,
            "suppressed_view": suppress,
            "site": site,
            "department": department,
            **dashboard_context(
                report, previous_report(report) if compare else None, compare=compare
            ),
        },
    )


@require_GET
@require(can_view_program_dashboard)
def program_dashboard(request):
    form = ReportFilterForm(
        request.GET,
        sites=report_sites_visible_to(request.user),
        departments=report_departments_visible_to(request.user),
    )
    return _dashboard(request, heading=_("Program dashboard"), form=form, compare=True)


@require_GET
@require(can_view_site_dashboards)
def site_dashboard(request, pk: int):
    site = get_report_site_or_404(request.user, pk)
    form = ReportFilterForm(
        request.GET,
        departments=report_departments_visible_to(request.user).filter(site=site),
        fixed_site=site,
    )
    heading = _("%(site)s dashboard") % {"site": site.name}
    return _dashboard(request, heading=heading, form=form, site=site)


@require_GET
@require(can_view_reports)
def department_dashboard(request, pk: int):
    department = get_report_department_or_404(request.user, pk)
    form = ReportFilterForm(
        request.GET,
        fixed_department=department,
        default_preset=PeriodPreset.THIS_QUARTER,
        whole_quarters=report_must_suppress(request.user, site=None, departments=[department]),
    )
    return _dashboard(
        request,
        heading=_("%(department)s dashboard") % {"department": department.label},
        form=form,
        department=department,
    )


# --- Exports --------------------------------------------------------------------------------


@require_POST
@require(can_view_reports)
def export_create(request):
    form = ExportForm(request.POST)
    if not form.is_valid():
        return render(request, "reporting/export_invalid.html", {"form": form}, status=400)
    site = form.cleaned_data["site"]
    departments = list(form.cleaned_data["department"])
    if not report_scope_allowed(request.user, site=site, departments=departments):
        raise PermissionDenied
    must_suppress = report_must_suppress(request.user, site=site, departments=departments)
    period = metrics.Window(form.cleaned_data["start"], form.cleaned_data["end"])
    if must_suppress and not metrics.is_whole_quarters(period):
        form.add_error(None, WHOLE_QUARTERS_MESSAGE)
        return render(request, "reporting/export_invalid.html", {"form": form}, status=400)
    export = services.report_export_request(
        actor=request.user,
        format=form.cleaned_data["format"],
        period=period,
        site=site,
        departments=departments,
        threshold=program_settings.get().suppression_threshold
        if must_suppress or form.cleaned_data["shareable"]
        else None,
    )
    return redirect("reporting:export_detail", pk=export.pk)


@require_GET
@require(can_view_reports)
def export_list(request):
    exports = ReportExport.objects.defer("content").filter(requested_by=request.user)[:25]
    return render(request, "reporting/export_list.html", {"exports": exports})


@require_GET
def export_detail(request, pk: int):
    export = get_report_export_or_404(request.user, pk)
    return render(request, "reporting/export_detail.html", {"export": export})


@require_GET
def export_progress(request, pk: int):
    """The progress bar alone, polled by htmx until the file is ready."""
    export = get_report_export_or_404(request.user, pk)
    return render(request, "reporting/partials/_export_progress.html", {"export": export})


@require_GET
def export_download(request, pk: int):
    export = get_report_export_or_404(request.user, pk)
    if export.status != ExportStatus.DONE:
        raise Http404
    content = ReportExport.objects.values_list("content", flat=True).get(pk=export.pk)
    if content is None:
        raise Http404
    services.report_export_record_download(actor=request.user, export=export)
    response = HttpResponse(bytes(content), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Research export ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@require(can_export_research)
def research_export(request):
    """The research export of a period as one zip archive, built by the same service as
    ``manage.py export_research`` (docs/research-exports.md)."""
    form = ResearchExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        archive = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
        with tempfile.TemporaryDirectory() as directory:
            services.research_export_write(
                actor=request.user,
                period=period,
                directory=Path(directory),
                archive=archive,
                via="web",
            )
        archive.seek(0)
        response = FileResponse(
            archive,
            as_attachment=True,
            filename=f"research-export-{period.start.isoformat()}-to-{period.end.isoformat()}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "no-store"
        return response
    return render(
        request,
        "reporting/research_export_form.html",
        {"form": form, "threshold": program_settings.get().suppression_threshold},
        status=400 if form.is_bound else 200,
    )


# --- PRISM notes ----------------------------------------------------------------------------


@require_GET
@require(can_manage_prism_notes)
def prism_note_list(request):
    notes = prism_notes_visible_to(request.user).select_related("department__site")
    page = Paginator(notes, 25).get_page(request.GET.get("page"))
    for note in page:
        note.can_edit = can_edit_prism_note(request.user, note)
    return render(request, "reporting/prism_note_list.html", {"page": page})


def _prism_form(request, *, data=None, instance=None) -> PrismNoteForm:
    return PrismNoteForm(
        data,
        instance=instance,
        departments=prism_departments_for(request.user),
        program_wide=roles_for(request.user).is_director,
    )


@require_http_methods(["GET", "POST"])
@require(can_manage_prism_notes)
def prism_note_create(request):
    form = _prism_form(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.prism_note_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The note was saved."))
        return redirect("reporting:prism_note_list")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "reporting/prism_note_form.html",
        {"form": form, "heading": _("Add a PRISM context note")},
        status=status,
    )


def _editable_note_or_404(request, pk: int) -> PrismNote:
    note = get_prism_note_or_404(request.user, pk)
    if not can_edit_prism_note(request.user, note):
        raise PermissionDenied
    return note


@require_http_methods(["GET", "POST"])
@require(can_manage_prism_notes)
def prism_note_update(request, pk: int):
    note = _editable_note_or_404(request, pk)
    form = _prism_form(
        request, data=request.POST if request.method == "POST" else None, instance=note
    )
    if request.method == "POST" and form.is_valid():
        services.prism_note_update(actor=request.user, note=note, **form.cleaned_data)
        messages.success(request, _("The note was updated."))
        return redirect("reporting:prism_note_list")
    return render(
        request,
        "reporting/prism_note_form.html",
        {"form": form, "heading": _("Edit a PRISM context note"), "note": note},
        status=400 if form.is_bound else 200,
    )


@require_POST
@require(can_manage_prism_notes)
def prism_note_delete(request, pk: int):
    note = _editable_note_or_404(request, pk)
    services.prism_note_delete(actor=request.user, note=note)
    messages.success(request, _("The note was deleted."))
    return redirect("reporting:prism_note_list")
