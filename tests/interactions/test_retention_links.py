"""After retention nothing in the database ties a person to a case.

Two people are planted with canary names, emails, HR ids and primary keys: the referred
physician and the colleague who asked for them (also a coordinator, so an urgent request mails
them too). Their case goes through the whole life cycle: a request and a second request by the
physician, an assignment, outreach, interactions with follow-up notes, "My requests", closing as
supported, the feedback invitation sent and answered, outbox rows sent. A second case, of the
requester, closes as supported while the invitation job is down, so its plan is still waiting.
Then time passes beyond RETENTION_DAYS and `purge_expired` runs.

What "a link" means here, precisely: a row that the life cycle wrote or changed (any model of
any installed app, many-to-many tables included) and that still names one of the two people,
by a foreign key or an id column holding their User or Physician primary key, a number equal
to it inside text or JSON, or their name, email or HR id anywhere. Rows that existed before
the case (the people's own accounts and roster entries) stay: retention forgets cases, not
employees. Everywhere else in the whole database the canary strings appear nowhere.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import F
from freezegun import freeze_time

from interactions import services
from interactions.models import Referral, Source, Urgency
from post_program.models import AuditEvent, Physician, RoleAssignment, User
from reporting.render.json import render_json
from reporting.report import PROGRAM_SCOPE, ReAimReport, period_parse
from surveys import selectors as survey_selectors
from surveys import services as survey_services
from surveys.models import Campaign, Invitation, PlannedInvitation, Response
from tests.surveys.factories import RECIPIENT_FEEDBACK_ANSWERS, tokens_in

from .factories import interaction_logged, trained

pytestmark = pytest.mark.django_db

RECEIVED = "2024-03-04 09:00:00"
CLOSED = "2024-03-20 16:00:00"
FEEDBACK_DUE = "2024-03-23 17:00:00"
SETTLED = "2024-04-01 00:20:00"  # the first run of the settling job after March
AFTER_RETENTION = "2024-07-15 03:00:00"  # RETENTION_DAYS=90 after CLOSED, and then some
PERIOD = (date(2024, 1, 1), date(2024, 6, 30))

# Primary keys far above anything a sequence hands out in a test, so that a number equal to
# one of them in any column can only be that person.
PHYSICIAN_USER_PK, PHYSICIAN_PK = 9_700_011, 9_700_012
REQUESTER_USER_PK, REQUESTER_PK = 9_700_021, 9_700_022
PHYSICIAN_NAME, PHYSICIAN_EMAIL = "Quillon Canarywood", "quillon.canarywood@example.org"
PHYSICIAN_HR = "CANARY-HR-5531"
REQUESTER_NAME, REQUESTER_EMAIL = "Zephyrine Canarysmith", "zephyrine.canarysmith@example.org"
REQUESTER_HR = "CANARY-HR-7702"
NOTE = "Canary note: found shaking after the code"
FOLLOW_UP = "Canary follow-up: call on Sunday"

CANARY_TEXT = (PHYSICIAN_NAME, PHYSICIAN_EMAIL, PHYSICIAN_HR, REQUESTER_NAME, REQUESTER_EMAIL)
CANARY_TEXT += (REQUESTER_HR, NOTE, FOLLOW_UP)
PERSON_PKS = (PHYSICIAN_USER_PK, PHYSICIAN_PK, REQUESTER_USER_PK, REQUESTER_PK)
NAMED = re.compile("|".join(re.escape(text) for text in CANARY_TEXT), re.IGNORECASE)
NAMED_OR_POINTED_AT = re.compile(
    "|".join([NAMED.pattern] + [rf"(?<![0-9A-Za-z]){pk}(?![0-9A-Za-z])" for pk in PERSON_PKS]),
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.RETENTION_DAYS = 90
    settings.RECIPIENT_FEEDBACK_DELAY_DAYS = 3


def _person(*, user_pk, physician_pk, name, email, hr, department) -> Physician:
    user = User.objects.create_user(pk=user_pk, email=email, name=name, password=None)
    return Physician.objects.create(
        pk=physician_pk,
        physician_id=hr,
        department=department,
        name=name,
        email=email,
        user=user,
    )


def _all_rows() -> dict[tuple[str, object], dict]:
    """Every row of every table of every installed model, by (model, primary key)."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk.attname
        for values in model._base_manager.values():
            rows[(model._meta.label, values[pk])] = values
    return rows


def _canaries(values: dict, pattern: re.Pattern = NAMED_OR_POINTED_AT) -> list[str]:
    return [
        f"{column}={value!r}"
        for column, value in values.items()
        if value is not None and pattern.search(json.dumps(value, default=str))
    ]


def _send_outbox() -> None:
    from post_program.models import OutboxEmail
    from post_program.outbox import outbox_send

    for pk in OutboxEmail.objects.pending().values_list("pk", flat=True):
        outbox_send(email_id=pk)


def _report() -> dict:
    """The RE-AIM report JSON of PERIOD, without the time it was made."""
    report = ReAimReport(period=period_parse(*PERIOD), scope=PROGRAM_SCOPE, threshold=None)
    data = json.loads(render_json(report))
    data.pop("generated_at")
    return data


def _campaign_rates() -> list:
    return [
        (campaign.pk, survey_selectors.campaign_results(campaign, exact_response_rate=True))
        for campaign in Campaign.objects.order_by("pk")
    ]


@pytest.fixture
def purged(cast):
    """The life cycle of the canary case, then the purge. Returns the rows before the case,
    the rows after the purge, and the report and campaign figures before and after."""
    trained(cast.supporter_a_profile, days_ago=400)
    physician = _person(
        user_pk=PHYSICIAN_USER_PK,
        physician_pk=PHYSICIAN_PK,
        name=PHYSICIAN_NAME,
        email=PHYSICIAN_EMAIL,
        hr=PHYSICIAN_HR,
        department=cast.department_a,
    )
    requester = _person(
        user_pk=REQUESTER_USER_PK,
        physician_pk=REQUESTER_PK,
        name=REQUESTER_NAME,
        email=REQUESTER_EMAIL,
        hr=REQUESTER_HR,
        department=cast.department_c,
    )
    RoleAssignment.objects.create(user=requester.user, role="coordinator", site=cast.north)
    supporter = cast.supporter_a_profile
    before = _all_rows()
    with freeze_time(RECEIVED):
        referral = services.referral_request(
            requester=requester.user,
            source=Source.THIRD_PARTY,
            department=physician.department,
            physician=physician,
            reason="patient_death",
            note=NOTE,
            urgency=Urgency.SAFETY,
            referrer_may_be_named=True,
        ).referral
        services.referral_request(
            requester=physician.user,
            source=Source.SELF,
            department=physician.department,
            physician=physician,
            reason="patient_death",
        )
        services.referrals_record_list(
            actor=requester.user, page="my_requests", referrals=[referral]
        )
        services.referral_record_view(actor=cast.coordinator, referral=referral)
        services.referral_assign(actor=cast.coordinator, referral=referral, supporter=supporter)
        services.referral_accept(actor=cast.supporter_a, referral=referral, supporter=supporter)
        services.outreach_record(
            actor=cast.supporter_a,
            referral=referral,
            supporter=supporter,
            attempted_at=referral.received_at,
            method="phone",
            reached=True,
        )
        _send_outbox()
    for day, minutes in ((date(2024, 3, 5), 50), (date(2024, 3, 12), 65)):
        with freeze_time(f"{day} 12:00:00"):
            interaction = interaction_logged(
                supporter=supporter,
                referral=referral,
                occurred_on=day,
                duration_minutes=minutes,
                follow_up_planned=True,
                follow_up_note=FOLLOW_UP,
            )
            services.interactions_record_list(
                actor=cast.supporter_a, page="interactions", interactions=[interaction]
            )
    with freeze_time(CLOSED):
        services.case_close(
            actor=cast.supporter_a, referral=referral, supporter=supporter, outcome="supported"
        )
        # The requester's own case closes too; the invitation job will not run for it.
        own = services.referral_request(
            requester=requester.user,
            source=Source.SELF,
            department=requester.department,
            physician=requester,
            reason="workplace",
            at=referral.received_at,
        ).referral
        services.referral_assign(actor=cast.coordinator, referral=own, supporter=supporter)
        services.referral_accept(actor=None, referral=own, supporter=supporter)
        services.referral_record_contact(actor=None, referral=own)
        services.referral_close(actor=None, referral=own, outcome="supported")
    with freeze_time(FEEDBACK_DUE):
        mail.outbox.clear()
        PlannedInvitation.objects.filter(source_key=f"referral:{own.pk}").update(
            due_at=F("due_at") + timedelta(days=365)  # its job is down: still waiting then
        )
        assert survey_services.invitations_create_due()["recipient_feedback"] == 1
        survey_services.invitations_send()
        (token,) = tokens_in(mail.outbox)
        survey_services.response_submit(token=token, answers=RECIPIENT_FEEDBACK_ANSWERS)
    # The month is over by the time of the purge: the answer is settled as a response.
    with freeze_time(SETTLED):
        assert survey_services.responses_settle() == 1
    assert Invitation.objects.filter(physician=physician, used=True).exists()
    assert PlannedInvitation.objects.filter(physician=requester).exists()
    report_before, rates_before = _report(), _campaign_rates()
    with freeze_time(AFTER_RETENTION):
        out = StringIO()
        call_command("purge_expired", stdout=out)
    return {
        "before": before,
        "after": _all_rows(),
        "referrals": (referral, own),
        "report": (report_before, _report()),
        "rates": (rates_before, _campaign_rates()),
        "out": out.getvalue(),
    }


def test_no_row_the_case_left_names_the_physician_or_the_requester(purged):
    before, after = purged["before"], purged["after"]
    assert Referral.objects.filter(deidentified_at__isnull=False).count() == 2
    written = {key: values for key, values in after.items() if before.get(key) != values}
    assert len(written) > 40  # the life cycle left rows everywhere
    links = {
        f"{model} {pk}": found
        for (model, pk), values in written.items()
        if (found := _canaries(values))
    }
    assert links == {}


def test_the_people_themselves_appear_only_in_their_own_accounts_and_roster_entries(purged):
    own = {
        ("post_program.User", PHYSICIAN_USER_PK),
        ("post_program.User", REQUESTER_USER_PK),
        ("post_program.Physician", PHYSICIAN_PK),
        ("post_program.Physician", REQUESTER_PK),
    }
    holding = {key for key, values in purged["after"].items() if _canaries(values, NAMED)}
    assert holding - own == set()
    assert own <= holding  # the roster and the accounts stay


def test_report_figures_and_response_rates_are_exactly_the_same(purged):
    report_before, report_after = purged["report"]
    assert report_before["implementation"]["referrals"]["received"] == 2
    assert report_after == report_before
    rates_before, rates_after = purged["rates"]
    assert rates_after == rates_before
    assert Response.objects.count() == 1


def test_the_audit_keeps_the_requests_without_their_people(purged):
    referral, _ = purged["referrals"]
    rows = AuditEvent.objects.filter(object_type="interactions.referral", object_id=referral.pk)
    assert {"referral.request", "referral.request_again"} <= set(
        rows.values_list("action", flat=True)
    )
    requests = rows.filter(action__startswith="referral.request")
    assert not requests.filter(actor__isnull=False).exists()
    # Those who worked the case stay named: a coordinator assigned it, a supporter closed it.
    assert rows.filter(action="referral.assigned", actor__isnull=False).exists()
    assert rows.filter(action="referral.close", actor__isnull=False).exists()
    assert "requester(s) removed from audit rows" in purged["out"]


def test_purging_again_changes_nothing(purged):
    with freeze_time(AFTER_RETENTION):
        out = StringIO()
        call_command("purge_expired", stdout=out)
    assert "Nothing to de-identify" in out.getvalue()
    assert _all_rows() == purged["after"]


def test_a_purge_that_fails_changes_nothing_and_says_why(cast, purged, monkeypatch):
    """Half a purge would leave a case without its pseudonym but with its people."""
    with freeze_time(CLOSED):
        fresh = services.referral_request(
            requester=cast.physician,
            source=Source.THIRD_PARTY,
            department=cast.department_a,
            reason="litigation",
            named_colleague="Dr. Fenella Unlisted",
        ).referral
        supporter = cast.supporter_a_profile
        services.referral_assign(actor=None, referral=fresh, supporter=supporter)
        services.referral_accept(actor=None, referral=fresh, supporter=supporter)
        services.referral_record_contact(actor=None, referral=fresh)
        services.referral_close(actor=None, referral=fresh, outcome="declined")
    before = _all_rows()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("interactions.services.retention.audit_actor_forget", broken)
    with freeze_time(AFTER_RETENTION), pytest.raises(CommandError, match="nothing of it"):
        call_command("purge_expired", stdout=StringIO())
    assert _all_rows() == before
