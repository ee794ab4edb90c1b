"""referrals.csv: imported referrals behave like the app's own, and come out again unchanged."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings
from freezegun import freeze_time

from interactions.models import Referral, Status
from surveys import services as survey_services
from surveys.models import Invitation
from tests.post_program.test_import_export import DEPARTMENTS, PHYSICIANS, TRAINING, write

pytestmark = pytest.mark.django_db

HEADER = (
    "referral_id,received_at,source,physician_id,site,department,assigned_to,"
    "first_contact_at,closed_at,outcome"
)
EMERGENCY = "North,Emergency Medicine"


def csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


REFERRALS = csv(
    f"R-1,2021-03-04T09:15:00-08:00,self,P2,{EMERGENCY},P1,"
    "2021-03-04T20:00:00-08:00,2021-03-20T10:00:00-07:00,supported",
    "R-2,2021-04-01 08:00:00,third_party,P3,South,Pediatrics,,,,",
    f"R-3,2021-05-01T08:00:00+00:00,event,,{EMERGENCY},P1,,,",
)


def _import(folder) -> str:
    out = io.StringIO()
    call_command("import_program", str(folder), stdout=out)
    return out.getvalue()


@override_settings(TIME_ZONE="America/Los_Angeles")
def test_referrals_import_with_their_life_cycle_state(tmp_path):
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    output = _import(write(tmp_path, referrals=REFERRALS, **files))
    assert "referrals.csv: 3 rows, 3 new" in output
    closed = Referral.objects.get(referral_id="R-1")
    assert (closed.status, closed.outcome) == (Status.CLOSED, "supported")
    assert closed.assigned_to.physician.physician_id == "P1"
    assert closed.first_contact_at == datetime(2021, 3, 5, 4, 0, tzinfo=UTC)
    # A datetime without an offset is read in the program's time zone (PST in April: -7).
    waiting = Referral.objects.get(referral_id="R-2")
    assert waiting.received_at == datetime(2021, 4, 1, 15, 0, tzinfo=UTC)
    assert waiting.status == Status.NEW and waiting.physician.physician_id == "P3"
    # Open referrals are in the queue like any other: new, or assigned to the supporter.
    assert set(Referral.objects.open().values_list("referral_id", flat=True)) == {"R-2", "R-3"}
    assert Referral.objects.get(referral_id="R-3").status == Status.ASSIGNED
    assert "referrals.csv: 3 rows, 0 new, 0 updated, 3 unchanged" in _import(tmp_path)


def test_referral_rules_are_checked_before_anything_is_written(tmp_path):
    bad = csv(
        f"R-1,2021-03-04T09:15:00-08:00,walk_in,P2,{EMERGENCY},P2,2021-03-03T20:00:00-08:00,,"
        "supported",
        f"R-2,yesterday,self,P2,{EMERGENCY},,,,",
        f"R-3,2021-05-01T08:00:00+00:00,self,P2,{EMERGENCY},,,,",
        f"R-4,2021-05-02T08:00:00+00:00,self,P2,{EMERGENCY},,2021-05-02T09:00:00+00:00,,",
    )
    err = io.StringIO()
    folder = write(tmp_path, departments=DEPARTMENTS, physicians=PHYSICIANS, referrals=bad)
    with pytest.raises(CommandError):
        call_command("import_program", str(folder), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "referrals.csv:2: source: 'walk_in' is not one of self, third_party, event",
        "referrals.csv:2: assigned_to: not a trained peer supporter (database or training.csv)",
        "referrals.csv:2: first_contact_at: is before received_at",
        "referrals.csv:2: outcome: closed_at and outcome go together: give both or neither",
        "referrals.csv:3: received_at: 'yesterday' is not a date and time such as "
        "2021-03-04T09:15:00-08:00",
        "referrals.csv:4: physician_id: already has an open referral (R-2)",
        "referrals.csv:5: assigned_to: an open referral with a first contact needs its supporter",
        "referrals.csv:5: physician_id: already has an open referral (R-2)",
    ]
    assert not Referral.objects.exists()


INTERACTIONS_HEADER = (
    "interaction_id,occurred_on,supporter_id,physician_id,site,department,duration_minutes,"
    "successful,source,modality,escalated,referral_id"
)
PSEUDONYM = "pseudonym:" + "ab" * 32


def interactions_csv(*rows: str) -> str:
    return "\n".join([INTERACTIONS_HEADER, *rows]) + "\n"


def test_interactions_import_and_keep_pseudonyms_of_deidentified_cases(tmp_path):
    from interactions.models import Interaction, physician_pseudonym

    interactions = interactions_csv(
        f"I-1,2021-03-05,P1,P2,{EMERGENCY},55,yes,self,phone,no,R-1",
        f"I-2,2021-06-01,P1,{PSEUDONYM},{EMERGENCY},60,yes,proactive,in_person,yes,",
        f"I-3,2021-06-02,P1,,{EMERGENCY},0,no,proactive,,,",
    )
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    output = _import(write(tmp_path, referrals=REFERRALS, interactions=interactions, **files))
    assert "interactions.csv: 3 rows, 3 new" in output
    linked = Interaction.objects.get(interaction_id="I-1")
    assert linked.referral.referral_id == "R-1" and linked.physician.physician_id == "P2"
    assert linked.physician_pseudonym == physician_pseudonym("P2")
    anonymous = Interaction.objects.get(interaction_id="I-2")
    assert anonymous.physician is None and anonymous.physician_pseudonym == "ab" * 32
    assert anonymous.escalated is True
    assert Interaction.objects.get(interaction_id="I-3").successful is False
    out = io.StringIO()
    call_command("export_program", str(tmp_path / "out"), stdout=out)
    exported = (tmp_path / "out" / "interactions.csv").read_text().splitlines()
    assert (
        exported[2] == f"I-2,2021-06-01,P1,{PSEUDONYM},{EMERGENCY},60,yes,proactive,in_person,yes,"
    )
    assert "interactions.csv: 3 rows, 0 new, 0 updated, 3 unchanged" in _import(tmp_path)


def test_interaction_log_rules_are_checked(tmp_path):
    interactions = interactions_csv(
        f"I-1,2021-03-01,P1,P2,{EMERGENCY},55,yes,self,phone,no,R-1",
        f"I-2,2099-01-01,P1,P2,{EMERGENCY},0,yes,proactive,phone,no,R-1",
        f"I-3,2021-06-02,P2,pseudonym:xyz,{EMERGENCY},1441,maybe,walk_in,fax,,R-9",
    )
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    folder = write(tmp_path, referrals=REFERRALS, interactions=interactions, **files)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_program", str(folder), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "interactions.csv:2: occurred_on: is before its referral arrived (2021-03-04)",
        "interactions.csv:3: duration_minutes: a successful interaction lasts at least 1 minute",
        "interactions.csv:3: occurred_on: is in the future",
        "interactions.csv:3: referral_id: a proactive interaction has no referral",
        "interactions.csv:4: duration_minutes: 1441 is not between 0 and 1440",
        "interactions.csv:4: successful: 'maybe' is not yes or no",
        "interactions.csv:4: source: 'walk_in' is not one of self, third_party, event, proactive",
        "interactions.csv:4: modality: 'fax' is not one of in_person, phone, video, message",
        "interactions.csv:4: physician_id: a pseudonym is 'pseudonym:' and 64 hex digits",
        "interactions.csv:4: supporter_id: not a trained peer supporter (database or training.csv)",
        "interactions.csv:4: referral_id: no such referral in the database or in referrals.csv",
    ]


def test_imported_referrals_and_supporters_work_like_the_apps_own(tmp_path):
    """An imported open referral is in its site's queue, and an imported supporter with
    current training is suggested for it."""
    from django.test import Client
    from django.urls import reverse

    from interactions.selectors import referral_suggestions
    from post_program.models import RoleAssignment, Site
    from tests.factories import UserFactory

    training = "physician_id,course,completed_on\nP1,initial,2026-01-10\n"
    waiting = csv(f"R-9,2026-06-01T08:00:00+00:00,self,P2,{EMERGENCY},,,,")
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": training}
    _import(write(tmp_path, referrals=waiting, **files))
    referral = Referral.objects.get(referral_id="R-9")
    suggested = referral_suggestions(referral=referral, on=date(2026, 6, 1)).eligible
    assert [c.supporter.physician.physician_id for c in suggested] == ["P1"]
    coordinator = UserFactory()
    RoleAssignment.objects.create(
        user=coordinator, role="coordinator", site=Site.objects.get(name="North")
    )
    client = Client()
    client.force_login(coordinator)
    queue = client.get(reverse("interactions:queue")).content.decode()
    assert reverse("interactions:referral_detail", kwargs={"pk": referral.pk}) in queue


def test_an_imported_case_closed_as_supported_lately_is_sent_its_feedback_survey(
    tmp_path, settings
):
    """As with a case closed in the app, the survey engine is asked for recipient feedback; a
    case closed long ago (history) is not invited."""
    settings.RECIPIENT_FEEDBACK_DELAY_DAYS = 3
    recent = csv(
        f"R-9,2024-05-01T09:00:00+00:00,self,P2,{EMERGENCY},P1,"
        "2024-05-01T12:00:00+00:00,2024-05-02T10:00:00+00:00,supported",
    )
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    with freeze_time("2024-05-03 09:00:00"):
        _import(
            write(
                tmp_path,
                referrals=REFERRALS.rstrip("\n") + "\n" + recent.split("\n", 1)[1],
                **files,
            )
        )
    with freeze_time("2024-05-05 11:00:00"):
        assert survey_services.invitations_create_due()["recipient_feedback"] == 1
    invitation = Invitation.objects.get()
    assert invitation.source_key == f"referral:{Referral.objects.get(referral_id='R-9').pk}"
    assert invitation.physician.physician_id == "P2"


def test_an_import_never_moves_a_referral_back_a_state(tmp_path):
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    _import(write(tmp_path / "a", referrals=REFERRALS, **files))
    Referral.objects.filter(referral_id="R-3").update(
        status=Status.ACCEPTED, accepted_at=F("assigned_at")
    )
    closed_before = Referral.objects.values().get(referral_id="R-1")
    # R-1 open again without its supporter or steps; R-3 merely assigned, as the file can say.
    rewound = csv(
        f"R-1,2021-03-04T09:15:00-08:00,self,P2,{EMERGENCY},,,,",
        f"R-3,2021-05-01T08:00:00+00:00,event,,{EMERGENCY},P1,,,",
    )
    output = _import(write(tmp_path / "b", referrals=rewound))
    assert "referrals.csv: 2 rows, 0 new, 0 updated, 2 unchanged" in output
    assert Referral.objects.values().get(referral_id="R-1") == closed_before
    assert Referral.objects.get(referral_id="R-3").status == Status.ACCEPTED


def test_columns_a_referrals_file_leaves_out_keep_their_fields(tmp_path):
    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    _import(write(tmp_path / "a", referrals=REFERRALS, **files))
    before = list(Referral.objects.order_by("pk").values())
    kept = [0, 1, 2, 4, 5]  # referral_id, received_at, source, site, department
    narrow = "".join(
        ",".join(line.split(",")[i] for i in kept) + "\n" for line in REFERRALS.splitlines()
    )
    assert narrow.startswith("referral_id,received_at,source,site,department\n")
    output = _import(write(tmp_path / "b", referrals=narrow))
    assert "referrals.csv: 3 rows, 0 new, 0 updated, 3 unchanged" in output
    assert list(Referral.objects.order_by("pk").values()) == before


def _interactions(prefix: str, count: int) -> str:
    """`count` interactions of P1 with P2, every other one on referral R-1."""
    return interactions_csv(
        *(
            f"{prefix}-{n},2021-03-05,P1,P2,{EMERGENCY},30,yes,self,phone,no,"
            + ("R-1" if n % 2 else "")
            for n in range(count)
        )
    )


def _queries_to_import(tmp_path, name: str, interactions: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _import(write(tmp_path / name, interactions=interactions))
    return [query["sql"] for query in queries.captured_queries]


def test_an_imports_queries_follow_its_file_not_the_database(tmp_path):
    """Existing rows are looked up by the keys the file names (in chunks), never read whole:
    the queries are the same with 3 or 40 interactions already stored, and with 5 or 50 rows."""
    from interactions.models import Interaction

    files = {"departments": DEPARTMENTS, "physicians": PHYSICIANS, "training": TRAINING}
    _import(write(tmp_path / "program", referrals=REFERRALS, **files))
    _import(write(tmp_path / "three", interactions=_interactions("A", 3)))
    with_three = _queries_to_import(tmp_path, "five", _interactions("B", 5))
    _import(write(tmp_path / "more", interactions=_interactions("C", 37)))
    assert Interaction.objects.count() == 45
    with_forty = _queries_to_import(tmp_path, "five-again", _interactions("D", 5))
    fifty_rows = _queries_to_import(tmp_path, "fifty", _interactions("E", 50))
    assert len(with_three) == len(with_forty) == len(fifty_rows)
    # Updating rows reads them by key too: a re-import of the fifty with one change.
    changed = _interactions("E", 50).replace("E-7,2021-03-05", "E-7,2021-03-06")
    assert len(_queries_to_import(tmp_path, "fifty-changed", changed)) <= len(fifty_rows) + 1
    assert Interaction.objects.get(interaction_id="E-7").occurred_on == date(2021, 3, 6)
    table = Interaction._meta.db_table
    reads = [sql for sql in fifty_rows if sql.startswith("SELECT") and f'FROM "{table}"' in sql]
    assert reads and all(" IN (" in sql for sql in reads)
