"""Journey 6 in Chromium: the director imports an existing program's history (roster, training,
referrals, interactions, survey responses) from CSV files, sees every row error before anything
is written, uploads the corrected files and gets everything."""

from __future__ import annotations

import pytest

from interactions.import_export import InteractionsFile, ReferralsFile
from interactions.models import Interaction, Referral
from post_program.models import Department, Physician, RoleAssignment
from surveys.models import Response
from tests.factories import PASSWORD, RoleAssignmentFactory, SiteFactory, UserFactory
from tests.surveys.factories import builtin_instruments
from training.models import TrainingCompletion

from .conftest import sign_in

DEPARTMENTS = """site,department,launched_on,ended_on
Harbor,Emergency Medicine,2019-06-01,
Harbor,Surgery,2019-06-01,
"""
PHYSICIANS = """physician_id,site,department,started_on,ended_on,email,name
H1,Harbor,Emergency Medicine,,,ada@harbor.example.org,Ada Harbor
H2,Harbor,Surgery,,,bo@harbor.example.org,Bo Harbor
H3,Harbor,Emergency Medicine,,,,Cy Harbor
"""
TRAINING = """physician_id,course,completed_on
H2,initial,2019-05-20
"""


def _header(spec) -> tuple[str, ...]:
    return tuple(column.name for column in spec.columns)


def _csv(header: tuple[str, ...], *rows: str) -> str:
    return "".join(line + "\n" for line in (",".join(header), *rows))


REFERRALS = _csv(
    _header(ReferralsFile),
    "HR-1,2020-03-02 09:00,third_party,H1,Harbor,Emergency Medicine,H2,"
    "2020-03-02 15:00,2020-03-20 10:00,supported",
)
INTERACTIONS = _csv(
    _header(InteractionsFile),
    "HI-1,2020-03-02,H2,H1,Harbor,Emergency Medicine,60,yes,third_party,phone,no,HR-1",
    "HI-2,2020-04-10,H2,H3,Harbor,Emergency Medicine,45,yes,proactive,in_person,no,",
)
RESPONSES = """response_id,survey,submitted_on,site,department,question,answer
HS-1,program_evaluation,2020-06-01,Harbor,Surgery,had_interaction,no
HS-1,program_evaluation,2020-06-01,Harbor,Surgery,would_recommend,yes
"""


@pytest.fixture
def director(transactional_db, live_server):
    builtin_instruments()
    SiteFactory(name="Harbor")
    user = UserFactory(email="director@harbor.example.org")
    RoleAssignmentFactory(user=user, role=RoleAssignment.Role.DIRECTOR)
    return user


def _files(folder, **changes):
    contents = {
        "departments.csv": DEPARTMENTS,
        "physicians.csv": PHYSICIANS,
        "training.csv": TRAINING,
        "referrals.csv": REFERRALS,
        "interactions.csv": INTERACTIONS,
        "survey_responses.csv": RESPONSES,
        **changes,
    }
    folder.mkdir(exist_ok=True)
    paths = []
    for name, text in contents.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _upload(page, paths) -> None:
    page.goto("/program/import/")
    page.get_by_label("Files").set_input_files(paths)
    page.get_by_role("button", name="Check these files").click()
    page.get_by_text("Status:").wait_for()
    page.locator("#import-status", has_text="Checking every row").wait_for(state="detached")


def test_the_director_sees_every_error_first_then_imports_everything(page, director, tmp_path):
    sign_in(page, director.email, PASSWORD)
    # Two mistakes in two files: both are listed, and nothing is written.
    bad = _files(
        tmp_path / "bad",
        **{
            "physicians.csv": PHYSICIANS.replace("H3,Harbor,Emergency Medicine", "H3,Harbor,ER"),
            "interactions.csv": INTERACTIONS.replace(",45,yes,", ",0,yes,"),
        },
    )
    _upload(page, bad)
    status = page.locator("#import-status")
    status.get_by_text("Nothing was written.").wait_for()
    text = status.inner_text()
    assert "2 errors found" in text
    assert "physicians.csv:4: department:" in text
    assert "interactions.csv:3: duration_minutes: a successful interaction lasts at least 1" in text
    assert not Department.objects.filter(site__name="Harbor").exists()
    assert not Physician.objects.filter(physician_id__startswith="H").exists()

    # The corrected files: what the import will do, then everything written at once.
    page.get_by_role("link", name="Upload corrected files").click()
    _upload(page, _files(tmp_path / "good"))
    status.get_by_role("button", name="Import these files").wait_for()
    assert "What the import will do" in status.inner_text()
    assert not Referral.objects.filter(referral_id="HR-1").exists()
    status.get_by_role("button", name="Import these files").click()
    status.get_by_text("Imported on").wait_for()
    assert Physician.objects.filter(physician_id__startswith="H").count() == 3
    assert TrainingCompletion.objects.filter(physician__physician_id="H2").count() == 1
    assert Referral.objects.get(referral_id="HR-1").outcome == "supported"
    assert Interaction.objects.filter(interaction_id__startswith="HI-").count() == 2
    assert Response.objects.filter(department__site__name="Harbor").count() == 1
