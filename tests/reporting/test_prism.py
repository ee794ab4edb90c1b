"""PRISM context notes: who writes them, for what, how bad input is refused, and where they
appear in the report."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from post_program.models import AuditEvent
from reporting.models import PrismNote
from reporting.report import ReAimReport, period_parse, scope_resolve

from .factories import PrismNoteFactory

CREATE = reverse("reporting:prism_note_create")


def note_data(**overrides):
    data = {
        "domain": "recipients_organisational",
        "tag": "barrier",
        "noted_on": "2024-03-01",
        "department": "",
        "text": "Staffing shortages left little time for peer conversations.",
    }
    data.update(overrides)
    return data


def test_director_writes_a_program_wide_note(cast):
    response = cast.client("director").post(CREATE, note_data())
    assert response.status_code == 302
    note = PrismNote.objects.get()
    assert (note.department, note.author, note.tag) == (None, cast.director, "barrier")
    audit = AuditEvent.objects.get(action="reporting.prism_note.create")
    assert audit.detail == {
        "domain": "recipients_organisational",
        "tag": "barrier",
        "department_id": None,
    }
    assert "Staffing" not in str(audit.detail)


def test_lead_writes_for_their_department_only(cast):
    lead = cast.client("lead")
    assert lead.post(CREATE, note_data(department=cast.department_a.pk)).status_code == 302
    assert PrismNote.objects.get().department == cast.department_a
    # Another department is not a choice; the program as a whole neither.
    response = lead.post(CREATE, note_data(department=cast.department_b.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = lead.post(CREATE, note_data(department=""))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert PrismNote.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"domain": "weather"}, "Select a valid choice."),
        ({"tag": "maybe"}, "Select a valid choice."),
        ({"noted_on": "2024-02-30"}, "Enter a valid date."),
        ({"noted_on": ""}, "This field is required."),
        ({"text": "   "}, "This field is required."),
        ({"text": "x" * 1001}, "Ensure this value has at most 1000 characters"),
        ({"noted_on": "1980-01-01"}, "Choose a date on or after 1990-01-01."),
    ],
)
def test_bad_input_is_refused(cast, overrides, message):
    response = cast.client("director").post(CREATE, note_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PrismNote.objects.exists()


def test_a_note_cannot_be_dated_in_the_future(cast):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = cast.client("director").post(CREATE, note_data(noted_on=tomorrow))
    assert response.status_code == 400
    assert "The date cannot be in the future." in response.content.decode()


def test_list_shows_each_role_what_it_may_see(cast):
    PrismNoteFactory(text="Program note")
    PrismNoteFactory(department=cast.department_a, text="Note of A")
    PrismNoteFactory(department=cast.department_b, text="Note of B")
    url = reverse("reporting:prism_note_list")
    director = cast.client("director").get(url).content.decode()
    assert all(t in director for t in ("Program note", "Note of A", "Note of B"))
    lead = cast.client("lead").get(url).content.decode()
    assert "Program note" in lead and "Note of A" in lead
    assert "Note of B" not in lead
    # The lead may change the note of A, not the program's.
    assert lead.count("Edit<span") == 1


def test_lead_updates_and_deletes_a_note_of_their_department(cast):
    note = PrismNoteFactory(department=cast.department_a, author=cast.director)
    lead = cast.client("lead")
    url = reverse("reporting:prism_note_update", kwargs={"pk": note.pk})
    data = note_data(department=cast.department_a.pk, tag="facilitator", text="Rewritten.")
    assert lead.post(url, data).status_code == 302
    note.refresh_from_db()
    assert (note.tag, note.text) == ("facilitator", "Rewritten.")
    assert AuditEvent.objects.get(action="reporting.prism_note.update").detail == {
        "fields": ["domain", "noted_on", "text"]  # the tag was already "facilitator"
    }
    response = lead.post(url, note_data(department=cast.department_a.pk, text=""))
    assert response.status_code == 400
    lead.post(reverse("reporting:prism_note_delete", kwargs={"pk": note.pk}))
    assert not PrismNote.objects.exists()
    assert AuditEvent.objects.filter(action="reporting.prism_note.delete").count() == 1


def test_report_shows_the_notes_of_its_period_and_scope(cast):
    PrismNoteFactory(noted_on=date(2020, 1, 1), text="Program, first day", domain="infrastructure")
    PrismNoteFactory(noted_on=date(2019, 12, 31), text="Program, before")
    PrismNoteFactory(
        department=cast.department_a,
        noted_on=date(2020, 12, 31),
        text="A, last day",
        domain="intervention_recipient",
        tag="context",
    )
    PrismNoteFactory(department=cast.department_b, noted_on=date(2020, 6, 1), text="B")

    def notes(**scope):
        report = ReAimReport(
            period=period_parse("2020-01-01", "2020-12-31"), scope=scope_resolve(**scope)
        )
        return report.data["prism"]

    # By PRISM domain (in the order of the framework), then by date.
    assert [n["note"] for n in notes()] == ["A, last day", "Program, first day", "B"]
    a_only = notes(departments=["North/Emergency Medicine"])
    assert a_only == [
        {
            "noted_on": "2020-12-31",
            "domain": "intervention_recipient",
            "domain_label": "Intervention (recipient perspective)",
            "tag": "context",
            "tag_label": "Context",
            "department": "North/Emergency Medicine",
            "note": "A, last day",
        },
        {
            "noted_on": "2020-01-01",
            "domain": "infrastructure",
            "domain_label": "Implementation and sustainability infrastructure",
            "tag": "facilitator",
            "tag_label": "Facilitator",
            "department": None,
            "note": "Program, first day",
        },
    ]
    assert {n["note"] for n in notes(site="South")} == {"Program, first day", "B"}
