"""Who may use each reporting page. Department A (North) is the lead's; the coordinator runs
North (departments A and C); South (department B) belongs to nobody but the director."""

from __future__ import annotations

from tests.permission_table import Row, everyone, only

from .factories import PrismNoteFactory, ReportExportFactory

STAFF = ("director", "coordinator", "lead")


def _note_in(department_attr: str | None):
    def kwargs(cast):
        department = getattr(cast, department_attr) if department_attr else None
        return {"pk": PrismNoteFactory(department=department, author=cast.director).pk}

    return kwargs


def _director_export(cast):
    return {"pk": ReportExportFactory(requested_by=cast.director).pk}


def _export_data(*departments: str, site: str | None = None):
    def data(cast):
        values = {"format": "json", "start": "2020-01-01", "end": "2020-12-31"}
        if site:
            values["site"] = getattr(cast, site).pk
        if departments:
            values["department"] = [getattr(cast, d).pk for d in departments]
        return values

    return data


def _note_data(cast):
    return {
        "domain": "infrastructure",
        "tag": "barrier",
        "noted_on": "2024-01-15",
        "department": cast.department_a.pk,
        "text": "Night shifts make evening calls hard to schedule.",
    }


ROWS = [
    # The homes of the roles that read the report's figures (names kept for the dispatch).
    Row("home_director", only("director")),
    Row("home_director", everyone(405), method="post"),
    Row("home_lead", only("lead")),
    Row("home_lead", everyone(405), method="post"),
    Row("reporting:index", only(*STAFF)),
    Row("reporting:program_dashboard", only("director")),
    Row(
        "reporting:site_dashboard",
        {**only("director", "coordinator")},
        kwargs=lambda cast: {"pk": cast.north.pk},
    ),
    Row(
        "reporting:site_dashboard",
        {**only("director", "coordinator"), "coordinator": 404},
        kwargs=lambda cast: {"pk": cast.south.pk},
    ),
    Row(
        "reporting:department_dashboard",
        only(*STAFF),
        kwargs=lambda cast: {"pk": cast.department_a.pk},
    ),
    # Lead of A only: department C is another department of the coordinator's site.
    Row(
        "reporting:department_dashboard",
        {**only(*STAFF), "lead": 404},
        kwargs=lambda cast: {"pk": cast.department_c.pk},
    ),
    Row(
        "reporting:department_dashboard",
        {**only(*STAFF), "lead": 404, "coordinator": 404},
        kwargs=lambda cast: {"pk": cast.department_b.pk},
    ),
    Row("reporting:export_list", only(*STAFF)),
    # Exports: program-wide needs the director; a site its coordinator; departments their lead.
    Row(
        "reporting:export_create",
        only("director", ok=302),
        method="post",
        data=_export_data(),
    ),
    Row(
        "reporting:export_create",
        only("director", "coordinator", ok=302),
        method="post",
        data=_export_data(site="north"),
    ),
    Row(
        "reporting:export_create",
        only(*STAFF, ok=302),
        method="post",
        data=_export_data("department_a"),
    ),
    Row(
        "reporting:export_create",
        only("director", ok=302),
        method="post",
        data=_export_data("department_b"),
    ),
    Row("reporting:export_detail", only("director", others=404), kwargs=_director_export),
    Row("reporting:export_progress", only("director", others=404), kwargs=_director_export),
    Row("reporting:export_download", only("director", others=404), kwargs=_director_export),
    # The research export: the director's alone (the whole program, de-identified).
    Row("reporting:research_export", only("director")),
    Row(
        "reporting:research_export",
        only("director"),
        method="post",
        data=lambda cast: {"start": "2020-01-01", "end": "2020-03-31"},
    ),
    Row("reporting:research_export", everyone(405), method="put"),
    # PRISM notes: the director, and leads for their departments.
    Row("reporting:prism_note_list", only("director", "lead")),
    Row("reporting:prism_note_create", only("director", "lead")),
    Row(
        "reporting:prism_note_create",
        only("director", "lead", ok=302),
        method="post",
        data=_note_data,
    ),
    Row(
        "reporting:prism_note_update",
        only("director", "lead"),
        kwargs=_note_in("department_a"),
    ),
    Row(
        "reporting:prism_note_update",
        {**only("director", "lead"), "lead": 404},
        kwargs=_note_in("department_b"),
    ),
    # A program-wide note: leads read it but may not change it.
    Row("reporting:prism_note_update", only("director"), kwargs=_note_in(None)),
    Row(
        "reporting:prism_note_delete",
        only("director", "lead", ok=302),
        method="post",
        kwargs=_note_in("department_a"),
    ),
    Row(
        "reporting:prism_note_delete",
        {**only("director", "lead", ok=302), "lead": 404},
        method="post",
        kwargs=_note_in("department_b"),
    ),
    # Wrong method.
    Row("reporting:index", everyone(405), method="post"),
    Row("reporting:program_dashboard", everyone(405), method="post"),
    Row(
        "reporting:site_dashboard",
        everyone(405),
        method="post",
        kwargs=lambda cast: {"pk": cast.north.pk},
    ),
    Row(
        "reporting:department_dashboard",
        everyone(405),
        method="post",
        kwargs=lambda cast: {"pk": cast.department_a.pk},
    ),
    Row("reporting:export_list", everyone(405), method="post"),
    Row("reporting:export_create", everyone(405)),
    Row("reporting:export_detail", everyone(405), method="post", kwargs=_director_export),
    Row("reporting:export_progress", everyone(405), method="post", kwargs=_director_export),
    Row("reporting:export_download", everyone(405), method="post", kwargs=_director_export),
    Row("reporting:prism_note_list", everyone(405), method="post"),
    Row("reporting:prism_note_delete", everyone(405), kwargs=_note_in("department_a")),
]

# The REST API takes API tokens only: a signed-in session is no token (401), and so is none.
# What each token may do: tests/reporting/test_api_report.py.
ROWS += [
    Row("api_report", everyone(401, anonymous=401)),
]
