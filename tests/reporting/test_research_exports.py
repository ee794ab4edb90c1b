"""The research export (docs/research-exports.md): every file read back by the libraries its
readers use (pandas for the CSV files, pyreadstat for Stata and SPSS), compared with the
report's figures for the same period, checked against REDCap's data dictionary rules, and
searched for anything that names a person.

The program is the one of ``conftest.program`` (2020): A 3 successful interactions in June,
B 1, C 12 in October; six referrals in May; program evaluation answers in September."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from interactions.models import Interaction, Referral
from post_program.models import AuditEvent, Physician, User
from reporting import metrics
from reporting.render.research import REDCAP_HEADER, research_files_write
from reporting.report import ReAimReport
from reporting.research import ResearchExport, research_period
from surveys.models import Response
from tests.interactions.test_fuzz import FUZZ, _form, _value

from .factories import make_interaction, make_referral

pytestmark = pytest.mark.django_db

YEAR = metrics.Window(date(2020, 1, 1), date(2020, 12, 31))
UNITS = ("interactions", "referrals", "responses", "departments_by_period")
K = 11  # the default suppression threshold


def _export(directory: Path, period: metrics.Window = YEAR) -> Path:
    research_files_write(ResearchExport(period=period), directory)
    return directory


@pytest.fixture
def files(program, tmp_path):
    return _export(tmp_path / "export")


@pytest.fixture
def exact():
    return ReAimReport(period=YEAR).data


def _csv(files: Path, unit: str) -> pd.DataFrame:
    """A unit's CSV as pandas reads it (text variables as text)."""
    codebook = _codebook(files)
    text = codebook[(codebook["file"] == f"{unit}.csv") & (codebook["type"] == "text")]
    return pd.read_csv(
        files / f"{unit}.csv",
        keep_default_na=False,
        na_values=[""],
        dtype=dict.fromkeys(text["variable"], "string"),
    )


def _codebook(files: Path) -> pd.DataFrame:
    return pd.read_csv(files / "codebook.csv", keep_default_na=False, dtype=str)


# --- Every file reads back ------------------------------------------------------------------


@pytest.mark.parametrize("unit", UNITS)
def test_stata_and_spss_files_hold_the_csv_with_its_labels(files, unit):
    table = _csv(files, unit)
    codebook = _codebook(files)
    variables = codebook[codebook["file"] == f"{unit}.csv"]
    coded = variables[variables["type"].isin(["category", "yesno"])]
    assert list(table.columns) == list(variables["variable"])
    for read in (pyreadstat.read_dta, pyreadstat.read_sav):
        frame, meta = read(str(files / f"{unit}.{'dta' if read is pyreadstat.read_dta else 'sav'}"))
        assert meta.column_names == list(table.columns)
        assert len(frame) == len(table)
        labels = meta.column_names_to_labels
        for _, variable in variables.iterrows():
            assert labels[variable["variable"]] == variable["label"]
        for _, variable in coded.iterrows():
            expected = {
                float(code): label
                for code, label in (part.split(" = ", 1) for part in variable["values"].split("; "))
            }
            written = meta.variable_value_labels[variable["variable"]]
            actual = {float(code): label for code, label in written.items()}
            assert actual == expected
        for column in table.columns:
            kind = variables.set_index("variable").loc[column, "type"]
            if kind == "date":
                assert [d.isoformat() if not pd.isna(d) else None for d in frame[column]] == [
                    None if pd.isna(v) else v for v in table[column]
                ]
            elif kind == "text":
                assert list(frame[column]) == list(table[column].fillna(""))
            else:
                assert frame[column].astype(float).equals(table[column].astype(float))


def test_the_codebook_describes_every_variable_of_every_file(files):
    codebook = _codebook(files)
    assert list(codebook.columns) == [
        "file",
        "variable",
        "label",
        "type",
        "values",
        "missing codes",
        "source",
    ]
    for unit in UNITS:
        header = (files / f"{unit}.csv").read_text().splitlines()[0].split(",")
        assert list(codebook[codebook["file"] == f"{unit}.csv"]["variable"]) == header
    assert (codebook["label"] != "").all() and (codebook["source"] != "").all()
    rows = codebook.set_index(["file", "variable"])
    assert rows.loc[("interactions.csv", "successful"), "values"] == "1 = Yes; 0 = No"
    assert rows.loc[("interactions.csv", "source"), "values"].startswith("1 = Self-referral; ")
    assert rows.loc[("interactions.csv", "successful"), "source"].startswith(
        "reach.successful_interactions: successful interactions with occurred_on in P"
    )
    assert rows.loc[("departments_by_period.csv", "interactions"), "missing codes"].startswith(
        "blank: suppressed"
    )


# --- The same figures as the report -----------------------------------------------------------


def test_interactions_give_the_reports_figures(files, exact):
    table = _csv(files, "interactions")
    successful = table[table["successful"] == 1]
    assert len(table) == exact["reach"]["interactions_logged"] == 16
    assert len(successful) == exact["reach"]["successful_interactions"]
    assert successful["physician"].nunique() == exact["reach"]["unique_physicians_supported"]
    duration = exact["implementation"]["duration_minutes"]
    assert successful["duration_minutes"].median() == duration["median"]
    assert successful["duration_minutes"].mean() == pytest.approx(duration["mean"])
    assert int(successful["escalated"].sum()) == exact["implementation"]["escalated"]
    # Source 4 is "proactive", the fourth of the codebook's codes.
    assert (successful["source"] == 4).sum() == exact["reach"]["by_source"]["proactive"]


def test_referrals_give_the_reports_figures(files, exact):
    table = _csv(files, "referrals")
    referrals = exact["implementation"]["referrals"]
    assert len(table) == referrals["received"] == 6
    assert int(table["contacted"].sum()) == referrals["contacted"]
    assert int(table["within_deadline"].sum()) == referrals["within_deadline"]
    assert table["contact_hours"].median() == referrals["hours_to_first_contact"]["median"]
    assert table["contact_hours"].quantile(0.25) == referrals["hours_to_first_contact"]["p25"]
    # Outcome 1 is "supported"; an open referral has no outcome.
    assert (table["outcome"] == 1).sum() == referrals["outcomes"]["supported"]
    assert table["outcome"].isna().sum() == referrals["outcomes"]["open"]


def test_responses_give_the_reports_figures_with_month_dates(files, exact):
    table = _csv(files, "responses")
    codebook = _codebook(files).set_index(["file", "variable"])
    questions = {
        label: int(code)
        for code, label in (
            part.split(" = ", 1)
            for part in codebook.loc[("responses.csv", "question"), "values"].split("; ")
        )
    }
    had = table[table["question"] == questions["program_evaluation.had_interaction"]]
    survey = exact["reach"]["survey_had_interaction"]
    assert len(had) == survey["respondents"] == 24
    assert int(had["value"].sum()) == survey["yes"]
    assert table["response"].nunique() == Response.objects.count()
    assert set(table["month"]) == {"2020-09-01"}


def test_departments_by_period_are_the_suppressed_reports_by_quarter(files, cast):
    table = _csv(files, "departments_by_period")
    assert len(table) == 4 * 3  # four quarters, three departments
    codes = {"North/Emergency Medicine": 1, "North/Surgery": 2, "South/Emergency Medicine": 3}
    assert codes[cast.department_a.label] == 1
    for window in metrics.quarters(YEAR.start, YEAR.end):
        report = ReAimReport(period=window, threshold=K).data
        rows = table[table["period_start"] == window.start.isoformat()].set_index("department")
        for department in report["by_department"]:
            row = rows.loc[codes[f"{department['site']}/{department['department']}"]]
            for column, figure in (
                ("interactions", department["successful_interactions"]),
                ("physicians_supported", department["unique_physicians_supported"]),
                ("median_minutes", department["median_duration_minutes"]),
                ("physicians", department["physicians"]),
            ):
                assert (None if pd.isna(row[column]) else row[column]) == figure
    quarter = table.set_index(["period_start", "department"])
    # A's 3 interactions in the second quarter are a small cell; C's 12 in the fourth are not.
    assert pd.isna(quarter.loc[("2020-04-01", 1), "interactions"])
    assert pd.isna(quarter.loc[("2020-04-01", 1), "median_minutes"])
    assert quarter.loc[("2020-10-01", 2), "interactions"] == 12
    assert quarter.loc[("2020-04-01", 1), "physicians"] == 14  # the roster is not suppressed


# --- REDCap ------------------------------------------------------------------------------------

REDCAP_FIELD_TYPES = {
    "text",
    "notes",
    "dropdown",
    "radio",
    "checkbox",
    "yesno",
    "truefalse",
    "calc",
    "file",
    "slider",
    "descriptive",
    "sql",
}
REDCAP_VALIDATIONS = {"", "integer", "number", "date_ymd"}
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,25}")
CHOICE = re.compile(r"-?\d+, \S.*")


@pytest.mark.parametrize("unit", UNITS)
def test_each_unit_has_a_redcap_dictionary_and_records_redcap_accepts(files, unit):
    dictionary = pd.read_csv(
        files / "redcap" / f"{unit}_dictionary.csv", dtype=str, keep_default_na=False
    )
    records = pd.read_csv(
        files / "redcap" / f"{unit}_records.csv", dtype=str, keep_default_na=False
    )
    assert tuple(dictionary.columns) == REDCAP_HEADER
    names = list(dictionary["Variable / Field Name"])
    assert names[0] == "record_id" and len(set(names)) == len(names)
    assert all(FIELD_NAME.fullmatch(name) for name in names)
    assert set(dictionary["Form Name"]) == {unit}
    assert set(dictionary["Field Type"]) <= REDCAP_FIELD_TYPES
    assert set(dictionary["Text Validation Type OR Show Slider Number"]) <= REDCAP_VALIDATIONS
    assert (dictionary["Field Label"] != "").all()
    assert list(records.columns) == names
    assert list(records["record_id"]) == [str(n) for n in range(1, len(records) + 1)]
    fields = dictionary.set_index("Variable / Field Name")
    for name, field in fields.iterrows():
        values = set(records[name]) - {""}
        kind, validation = field["Field Type"], field["Text Validation Type OR Show Slider Number"]
        if kind in ("radio", "dropdown"):
            choices = field["Choices, Calculations, OR Slider Labels"].split(" | ")
            assert all(CHOICE.fullmatch(choice) for choice in choices), name
            assert values <= {choice.split(", ", 1)[0] for choice in choices}, name
        else:
            assert field["Choices, Calculations, OR Slider Labels"] == ""
        if kind == "yesno":
            assert values <= {"0", "1"}, name
        if validation == "integer":
            assert all(re.fullmatch(r"-?\d+", v) for v in values), name
        if validation == "number":
            assert all(re.fullmatch(r"-?\d+(\.\d+)?", v) for v in values), name
        if validation == "date_ymd":
            assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values), name


# --- De-identified ------------------------------------------------------------------------------


def _everything(files: Path) -> bytes:
    return b"\n".join(path.read_bytes() for path in sorted(files.rglob("*")) if path.is_file())


def test_no_file_names_anyone_or_keeps_an_identifier(files):
    content = _everything(files).lower()
    people = [
        *User.objects.values_list("name", "email"),
        *Physician.objects.values_list("name", "email"),
    ]
    secrets = [value for pair in people for value in pair if value]
    secrets += list(Physician.objects.values_list("physician_id", flat=True))
    secrets += list(Interaction.objects.values_list("interaction_id", flat=True))
    secrets += list(Interaction.objects.values_list("physician_pseudonym", flat=True))
    secrets += list(Referral.objects.values_list("referral_id", flat=True))
    secrets += list(Response.objects.values_list("public_id", flat=True))
    assert len(secrets) > 100
    found = [value for value in secrets if value and value.lower().encode() in content]
    assert found == []


def test_pseudonyms_are_the_exports_own(program, tmp_path):
    physician = program.department_a.physicians.order_by("pk").first()
    supporter = program.supporter_a_profile
    # The same physician, once linked and once de-identified by retention.
    for pseudonymised in (False, True):
        make_interaction(
            department=program.department_a,
            supporter=supporter,
            physician=physician,
            occurred_on=date(2020, 6, 1),
            pseudonymised=pseudonymised,
        )
    make_referral(
        program.department_a,
        datetime(2020, 6, 1, 9, tzinfo=UTC),
        "self",
        contact_hours=2,
        physician=physician,
    )
    first, second = (_export(tmp_path / name) for name in ("first", "second"))
    tables = [_csv(files, "interactions") for files in (first, second)]
    referred = set(_csv(first, "referrals")["physician"].dropna())
    for column in ("interaction", "physician", "supporter"):
        assert not set(tables[0][column].dropna()) & set(tables[1][column].dropna())
    # Within an export the physician keeps one pseudonym: a1 has three interactions.
    counts = tables[0]["physician"].value_counts()
    assert counts.max() == 3
    assert referred == {counts.idxmax()}  # and the same one in the referrals
    responses = [set(_csv(files, "responses")["response"]) for files in (first, second)]
    assert responses[0] and not responses[0] & responses[1]


def test_a_small_survey_department_is_left_out_of_the_responses(files):
    table = _csv(files, "responses")
    # A (8 responses) and B (3) are below the threshold; C (13) is shown.
    departments = table.drop_duplicates("response")["department"]
    assert (departments == 2).sum() == 13
    assert departments.isna().sum() == 11


# --- The command and the download -----------------------------------------------------------------


def test_the_command_writes_the_files_and_is_audited(program, tmp_path):
    out = io.StringIO()
    call_command(
        "export_research", str(tmp_path), "--start", "2020-01-01", "--end", "2020-12-31", stdout=out
    )
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert len(written) == 1 + 5 * len(UNITS)
    assert "codebook.csv" in written and "redcap/responses_records.csv" in written
    assert f"{len(written)} files written" in out.getvalue()
    event = AuditEvent.objects.get(action="reporting.research.export")
    assert event.actor is None
    assert event.detail["via"] == "command"
    assert (event.detail["start"], event.detail["end"], event.detail["threshold"]) == (
        "2020-01-01",
        "2020-12-31",
        K,
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2020-13-01", "2020-12-31", "not a valid date"),
        ("2020-12-31", "2020-01-01", "is after the end"),
        ("2000-01-01", "2020-12-31", "at most 10 years"),
    ],
)
def test_the_command_refuses_a_bad_period_and_writes_nothing(cast, tmp_path, start, end, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_research", str(tmp_path / "out"), "--start", start, "--end", end)
    assert not (tmp_path / "out").exists()
    assert not AuditEvent.objects.filter(action="reporting.research.export").exists()


def test_the_directors_download_holds_the_same_files(program, tmp_path):
    response = program.client("director").post(
        reverse("reporting:research_export"), {"start": "2020-01-01", "end": "2020-12-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "research-export-2020-01-01-to-2020-12-31.zip" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    directory = _export(tmp_path / "command")
    expected = sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
    assert sorted(archive.namelist()) == expected
    with archive.open("interactions.csv") as file:
        table = pd.read_csv(file)
    assert len(table) == len(_csv(directory, "interactions"))
    event = AuditEvent.objects.get(action="reporting.research.export")
    assert event.actor == program.director and event.detail["via"] == "web"


def test_the_download_page_explains_the_files(cast):
    response = cast.client("director").get(reverse("reporting:research_export"))
    assert b"de-identified" in response.content
    assert b"threshold (11)" in response.content


def test_a_bad_period_gets_a_message_and_no_file(cast):
    response = cast.client("director").post(
        reverse("reporting:research_export"), {"start": "2000-01-01", "end": "2020-12-31"}
    )
    assert response.status_code == 400
    assert b"A research export covers at most 10 years" in response.content
    assert not AuditEvent.objects.filter(action="reporting.research.export").exists()


def test_a_period_is_at_most_ten_years():
    assert research_period("2011-01-01", "2020-12-31") == metrics.Window(
        date(2011, 1, 1), date(2020, 12, 31)
    )


@FUZZ
@given(data=st.data())
def test_the_research_form_never_fails(cast, data):
    form = data.draw(
        _form(
            {
                "start": _value(["2020-01-01", "2020-03-31", "1899-12-31"]),
                "end": _value(["2020-03-31", "2020-01-01", "3000-01-01"]),
            }
        )
    )
    response = cast.client("director").post(reverse("reporting:research_export"), form)
    assert response.status_code in (200, 400)


def test_the_queries_do_not_grow_with_the_rows(program, tmp_path):
    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            _export(tmp_path / name)
        return len(captured)

    before = queries("before")
    physicians = program.department_c.physicians.order_by("pk")
    for index, physician in enumerate(physicians[:10]):
        make_interaction(
            department=program.department_c,
            supporter=program.supporter_b_profile,
            physician=physician,
            occurred_on=date(2020, 11, 1 + index),
        )
        make_referral(
            program.department_c,
            datetime(2020, 11, 1 + index, 9, tzinfo=UTC),
            "self",
            contact_hours=2,
            physician=physician,
        )
    assert queries("after") == before
