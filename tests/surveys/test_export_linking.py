"""The matching attack on the files that leave the system, played on the demo.

Someone holding a shareable `export_program` folder, or a campaign's survey CSV beside it, tries
to tie each recipient-feedback response to the supported case that prompted it: same department,
case closed up to 30 days before the response. Each training evaluation is tried the same way
against the course completions of training.csv. The attack counts a response as matched when
exactly one event fits; on no file may any response be matched.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from post_program.models import User
from surveys.models import Campaign

pytestmark = pytest.mark.django_db

WINDOW = timedelta(days=30)
EVENT_SURVEYS = {"recipient_feedback", "supporter_training"}


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _responses(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """response id -> its first row (survey, date and department are the same on every row)."""
    return {row["response_id"]: row for row in reversed(rows)}


def _events(folder: Path) -> dict[str, list[tuple[tuple[str, str], date]]]:
    """The events an attacker reads beside the responses: supported cases with their department
    and closing day, course completions with the department of the supporter."""
    departments = {
        row["physician_id"]: (row["site"], row["department"])
        for row in _read(folder / "physicians.csv")
    }
    closed = [
        ((row["site"], row["department"]), datetime.fromisoformat(row["closed_at"]).date())
        for row in _read(folder / "referrals.csv")
        if row["outcome"] == "supported"
    ]
    completed = [
        (departments[row["physician_id"]], date.fromisoformat(row["completed_on"]))
        for row in _read(folder / "training.csv")
        if row["physician_id"] in departments
    ]
    return {"recipient_feedback": closed, "supporter_training": completed}


def _candidates(response: dict[str, str], events) -> int:
    """How many events fit a response: same department when it has one, ended up to 30 days
    before a day the response may have been given. Shareable files date a survey sent after an
    event by its quarter (docs/data-formats.md), so a first of the month stands for three."""
    day = date.fromisoformat(response["submitted_on"])
    first, last = (day, day) if day.day != 1 else (day, day + relativedelta(months=3, days=-1))
    department = (response["site"], response["department"])
    return sum(
        1
        for where, ended in events
        if (not response["department"] or where == department) and first - WINDOW <= ended <= last
    )


def _matched(rows: list[dict[str, str]], events) -> Counter:
    matched: Counter = Counter()
    for response in _responses(rows).values():
        survey = response["survey"]
        if survey in EVENT_SURVEYS and _candidates(response, events[survey]) == 1:
            matched[survey] += 1
    return matched


def _campaign_csv(client: Client, campaign: Campaign) -> list[dict[str, str]]:
    page = client.get(reverse("surveys:campaign_export", kwargs={"pk": campaign.pk}))
    assert page.status_code == 200
    text = b"".join(page.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_no_response_of_a_shareable_export_or_survey_csv_matches_a_single_event(
    demo_program, tmp_path
):
    call_command("export_program", str(tmp_path), stdout=io.StringIO())
    events = _events(tmp_path)
    exported = _read(tmp_path / "survey_responses.csv")
    assert {row["survey"] for row in exported} >= EVENT_SURVEYS
    assert _matched(exported, events) == Counter()
    director = Client()
    director.force_login(User.objects.get(email="director@example.org"))
    for campaign in Campaign.objects.filter(responses__isnull=False).distinct():
        rows = _campaign_csv(director, campaign)
        assert rows, campaign
        assert _matched(rows, events) == Counter(), campaign


def _cells(rows: list[dict[str, str]]) -> Counter:
    return Counter(
        (r["survey"], r["submitted_on"], r["site"], r["department"])
        for r in _responses(rows).values()
    )


def test_every_survey_file_gives_months_and_no_small_department_cell(demo_program, tmp_path):
    call_command("export_program", str(tmp_path), stdout=io.StringIO())
    call_command("export_program", str(tmp_path / "full"), "--identified", stdout=io.StringIO())
    director = Client()
    director.force_login(User.objects.get(email="director@example.org"))
    shareable = [_read(tmp_path / "survey_responses.csv")] + [
        _campaign_csv(director, campaign) for campaign in Campaign.objects.all()
    ]
    identified = _read(tmp_path / "full" / "survey_responses.csv")
    threshold = settings.SUPPRESSION_THRESHOLD
    for rows in [*shareable, identified]:
        for response in _responses(rows).values():
            assert date.fromisoformat(response["submitted_on"]).day == 1, response
            if response["survey"] in EVENT_SURVEYS:
                assert response["department"] == response["site"] == "", response
    for rows in shareable:
        for response in _responses(rows).values():
            if response["survey"] in EVENT_SURVEYS:
                assert date.fromisoformat(response["submitted_on"]).month in (1, 4, 7, 10)
        small = {cell: n for cell, n in _cells(rows).items() if cell[3] and 0 < n < threshold}
        assert small == {}
    # The identified export keeps the department of every cell, small or not.
    assert any(0 < n < threshold for cell, n in _cells(identified).items() if cell[3])
