"""A canary referral: its colleague's name and its notes reach nobody but the people on the case.

docs/confidentiality.md: a referral's identities and notes are seen by the coordinators of its
site and the supporter it is assigned to now; a follow-up note by that supporter only. A
colleague named in free text (not on the roster, so no roster page can show the name either)
is asked for, offered to supporter B, declined, assigned to supporter A, reached and talked to.
Then everyone else opens every page of the permission table, including each page again with
the canary's own ids, a superuser opens every list and record of the Django admin, and the
program's shareable files are written: none holds the name or a note, in the body or in a
cookie. Logs, emails and task arguments are watched in every test
(tests/leak_watch.py).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from interactions import services
from interactions.models import Reason, Source

from .factories import UserFactory
from .interactions.factories import interaction_logged, trained
from .permission_table import all_rows

pytestmark = pytest.mark.django_db

CANARY_NAME = "Zebulon Canarywood"
CANARY_NOTE = "Canary: lost a patient on the night of the storm"
CANARY_FOLLOW_UP = "Canary follow-up: ask about the deposition"
OUTSIDERS = ("director", "lead", "supporter_b", "physician", "anonymous")


@pytest.fixture
def canary(cast):
    trained(cast.supporter_a_profile, cast.supporter_b_profile)
    referral = services.referral_request(
        requester=cast.physician,
        source=Source.THIRD_PARTY,
        department=cast.department_a,
        reason=Reason.ADVERSE_EVENT,
        named_colleague=CANARY_NAME,
        note=CANARY_NOTE,
    ).referral
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_b_profile
    )
    services.referral_decline(
        actor=cast.supporter_b,
        referral=referral,
        supporter=cast.supporter_b_profile,
        reason="capacity",
    )
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile
    )
    services.referral_accept(
        actor=cast.supporter_a, referral=referral, supporter=cast.supporter_a_profile
    )
    services.referral_record_contact(actor=cast.supporter_a, referral=referral)
    interaction = interaction_logged(
        supporter=cast.supporter_a_profile,
        referral=referral,
        occurred_on=timezone.localdate(),
        follow_up_planned=True,
        follow_up_note=CANARY_FOLLOW_UP,
    )
    return referral, interaction


def _canaries_in(text: str, member: str) -> list[str]:
    # The requester typed the name and the note: their own request may repeat them to them.
    watched = [CANARY_FOLLOW_UP] if member == "physician" else []
    watched += [] if member == "physician" else [CANARY_NAME, CANARY_NOTE, CANARY_FOLLOW_UP]
    return [canary for canary in watched if canary in text]


def _seen(client, method: str, url: str, data: dict) -> str:
    response = getattr(client, method)(url, data)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    cookies = " ".join(morsel.value for morsel in response.cookies.values())
    return body.decode(errors="replace") + cookies


def _row_leaks(cast, row, canary_ids) -> list[str]:
    kwargs = row.kwargs(cast)
    variants = [kwargs] + ([{"pk": pk} for pk in canary_ids] if set(kwargs) == {"pk"} else [])
    leaks = []
    for variant in variants:
        try:
            url = reverse(row.name, kwargs=variant)
        except NoReverseMatch:
            continue
        for member in OUTSIDERS:
            data = row.data(cast) if row.method == "post" else {}
            found = _canaries_in(_seen(cast.client(member), row.method, url, data), member)
            leaks += [f"{member} {row.method.upper()} {url}: {canary!r}" for canary in found]
    return leaks


def test_no_page_shows_the_canary_to_anyone_off_the_case(cast, canary):
    referral, interaction = canary
    canary_ids = {referral.pk, interaction.pk}
    leaks, opened = [], 0
    for row in all_rows():
        # Each row's own objects and changes are rolled back: every row meets the same canary.
        with transaction.atomic():
            leaks += _row_leaks(cast, row, canary_ids)
            opened += 1
            transaction.set_rollback(True)

    assert opened > 90
    assert leaks == []


def test_no_admin_page_shows_the_canary_even_to_a_superuser(cast, canary):
    """The admin is for technical administrators: every list, and every record of every model,
    opened by a superuser, holds no name or note of the case."""
    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    leaks, opened = [], 0
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        urls += [
            reverse(f"{prefix}_change", args=[pk])
            for pk in model._default_manager.values_list("pk", flat=True)[:20]
        ]
        for url in urls:
            opened += 1
            found = _canaries_in(_seen(client, "get", url, {}), "superuser")
            leaks += [f"{url}: {canary!r}" for canary in found]

    assert opened > 40
    assert leaks == []


def _texts(directory: Path) -> dict[str, str]:
    """Every file written, as text (a workbook's parts unzipped)."""
    texts = {}
    for path in directory.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as workbook:
                texts[path.name] = " ".join(workbook.read(n).decode() for n in workbook.namelist())
        elif path.is_file():
            texts[path.name] = path.read_bytes().decode(errors="replace")
    return texts


def test_no_shareable_file_holds_the_canary(cast, canary, tmp_path):
    call_command("export_program", tmp_path / "export", stdout=io.StringIO())
    period = {"start": "2000-01-01", "end": timezone.localdate().isoformat()}
    for fmt in ("json", "csv", "xlsx"):
        output = tmp_path / "reports" / f"report.{fmt}"
        output.parent.mkdir(exist_ok=True)
        call_command("reaim_report", **period, format=fmt, output=str(output), stdout=io.StringIO())
    texts = _texts(tmp_path)

    assert {"report.json", "report.csv", "report.xlsx"} <= set(texts)
    assert len(texts) > 5
    leaks = [
        f"{name}: {canary!r}"
        for name, text in texts.items()
        for canary in (CANARY_NAME, CANARY_NOTE, CANARY_FOLLOW_UP)
        if canary in text
    ]
    assert leaks == []


def test_the_people_on_the_case_do_see_it(cast, canary):
    """The crawl above would pass on a program that showed the canary to nobody at all."""
    referral, _ = canary
    url = reverse("interactions:referral_detail", kwargs={"pk": referral.pk})

    for member in ("coordinator", "supporter_a"):
        assert CANARY_NAME in _seen(cast.client(member), "get", url, {})
    assert CANARY_NOTE in _seen(cast.client("coordinator"), "get", url, {})
