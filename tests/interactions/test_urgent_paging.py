"""An urgent referral pages the site's on-call person at once, the next one after the
acknowledgement window, then all its coordinators every window until someone acknowledges;
through email, or a signed webhook to a paging gateway that falls back to email when it is
down. Every page and the acknowledgement are in the referral's history."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from interactions import services
from interactions.models import (
    EventKind,
    ExceptionKind,
    Page,
    PageTarget,
    PagingChannel,
    Urgency,
    UrgentAlert,
)
from interactions.tasks import urgent_paging_process
from post_program.models import AuditEvent, OutboxEmail, RoleAssignment
from tests.concurrency import race
from tests.factories import PhysicianFactory, RoleAssignmentFactory, UserFactory
from tests.post_program.test_platform import PROD, _manage
from tests.webhook_receiver import Receiver, closed_port

from .factories import on_call_for_a_day, referral_new

pytestmark = pytest.mark.django_db

SECRET = "a-long-shared-secret-for-the-gateway"
COLLEAGUE = "Zebedee Quartermaine"
WINDOW = timedelta(minutes=15)
REPLY_LINK = re.compile(r"/referrals/page/([A-Za-z0-9_-]+)/")


@pytest.fixture
def roster(cast, settings):
    """Supporter A first on call at North and the coordinator second, for a day; a second
    coordinator of North who is not on call."""
    settings.URGENT_ACK_MINUTES = 15
    settings.PAGING_CHANNELS = ["email"]
    second = UserFactory(email="second.coordinator@example.org", name="Second Coordinator")
    RoleAssignmentFactory(user=second, role=RoleAssignment.Role.COORDINATOR, site=cast.north)
    on_call_for_a_day(
        site=cast.north, users=[cast.supporter_a, cast.coordinator], actor=cast.coordinator
    )
    cast.second_coordinator = second
    return cast


def _urgent(cast, at=None):
    colleague = PhysicianFactory(department=cast.department_a, name=COLLEAGUE)
    return referral_new(
        department=cast.department_a,
        physician=colleague,
        urgency=Urgency.SAFETY,
        note="Said something worrying on the ward",
        notify=True,
        at=at,
    )


def _paged(referral, round_: int) -> list:
    pages = Page.objects.filter(alert__referral=referral, round=round_, failed_at__isnull=True)
    return sorted(page.recipient.email for page in pages)


def test_rounds_page_on_call_then_next_then_all_coordinators_until_acknowledged(roster):
    cast, t0 = roster, timezone.now()
    referral = _urgent(cast, at=t0)
    alert = UrgentAlert.objects.get(referral=referral)
    assert _paged(referral, 1) == [cast.supporter_a.email]
    assert alert.next_page_at == t0 + WINDOW

    # Inside the window nothing more is paged.
    assert services.urgent_alerts_due_ids(now=t0 + WINDOW - timedelta(seconds=1)) == []
    assert services.urgent_alert_process(alert_id=alert.pk, now=t0 + timedelta(minutes=14)) == ""
    # Then the next on-call person, then all the site's coordinators, again every window.
    assert services.urgent_alerts_due_ids(now=t0 + WINDOW) == [alert.pk]
    assert services.urgent_alert_process(alert_id=alert.pk, now=t0 + WINDOW) == "paged"
    assert _paged(referral, 2) == [cast.coordinator.email]
    coordinators = sorted([cast.coordinator.email, cast.second_coordinator.email])
    for round_ in (3, 4):
        at = t0 + WINDOW * (round_ - 1)
        assert services.urgent_alert_process(alert_id=alert.pk, now=at) == "paged"
        assert _paged(referral, round_) == coordinators
    # Each page is an urgent email with its own reply link first.
    emails = OutboxEmail.objects.filter(kind="interactions.urgent")
    assert emails.count() == 1 + 1 + 2 + 2
    assert len({REPLY_LINK.search(email.body).group(1) for email in emails}) == 6

    services.urgent_alert_acknowledge(
        actor=cast.second_coordinator,
        referral=referral,
        via="referral page",
        at=t0 + timedelta(minutes=50),
    )
    later = t0 + timedelta(hours=3)
    assert services.urgent_alerts_due_ids(now=later) == []
    assert services.urgent_alert_process(alert_id=alert.pk, now=later) == ""
    assert Page.objects.filter(alert=alert).count() == 6
    labels = [e.label for e in referral.events.filter(kind__in=["paged", "acknowledged"])]
    assert labels == [
        "Paged the on-call person (round 1)",
        "Paged the next on-call person (round 2)",
        "Paged all coordinators of the site (round 3)",
        "Paged all coordinators of the site (round 4)",
        "Urgent alert acknowledged",
    ]
    audit = AuditEvent.objects.filter(action="referral.page").order_by("pk").last()
    assert audit.detail["round"] == 4
    assert (audit.detail["target"], audit.detail["pages"]) == ("coordinators", 2)


def test_nobody_on_call_pages_all_coordinators_at_once(cast, settings):
    settings.PAGING_CHANNELS = ["email"]
    referral = _urgent(cast)
    assert _paged(referral, 1) == [cast.coordinator.email]
    assert referral.urgent_alert.target == PageTarget.COORDINATORS


def test_only_one_person_on_call_goes_from_them_to_all_coordinators(cast, settings):
    settings.PAGING_CHANNELS = ["email"]
    t0 = timezone.now()
    services.on_call_exception_add(
        actor=None,
        site=cast.north,
        user=cast.supporter_a,
        kind=ExceptionKind.COVER,
        starts_at=t0 - timedelta(hours=1),
        ends_at=t0 + timedelta(hours=2),
    )
    referral = _urgent(cast, at=t0)
    services.urgent_alert_process(alert_id=referral.urgent_alert.pk, now=t0 + WINDOW)
    assert _paged(referral, 1) == [cast.supporter_a.email]
    assert _paged(referral, 2) == [cast.coordinator.email]
    assert Page.objects.get(round=2).target == PageTarget.COORDINATORS


def test_a_referral_closed_unacknowledged_stops_the_paging(roster):
    cast, t0 = roster, timezone.now()
    referral = _urgent(cast, at=t0)
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile, notify=False
    )
    services.referral_accept(actor=None, referral=referral, supporter=cast.supporter_a_profile)
    services.referral_record_contact(actor=None, referral=referral)
    services.referral_close(actor=None, referral=referral, outcome="referred_out")
    assert services.urgent_alert_process(alert_id=referral.urgent_alert.pk, now=t0 + WINDOW) == (
        "ended"
    )
    assert services.urgent_alerts_due_ids(now=t0 + WINDOW * 4) == []
    with pytest.raises(services.ReferralError, match="closed"):
        services.urgent_alert_acknowledge(actor=cast.coordinator, referral=referral, via="x")


def test_the_periodic_job_pages_the_round_that_fell_due(roster):
    cast = roster
    with freeze_time(timezone.now()) as clock:
        referral = _urgent(cast)
        clock.tick(WINDOW)
        assert urgent_paging_process() == {"paged": 1}
        assert urgent_paging_process() == {}
    assert _paged(referral, 2) == [cast.coordinator.email]


# --- acknowledging -------------------------------------------------------------------------------


def test_the_coordinator_acknowledges_on_the_referral_page_and_sees_who_did(roster):
    cast = roster
    referral = _urgent(cast)
    client = cast.client("coordinator")
    url = reverse("interactions:referral_detail", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Not acknowledged yet" in page and "Round 1: " in page
    response = client.post(reverse("interactions:referral_acknowledge", args=[referral.pk]))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert f"Acknowledged by {cast.coordinator.get_full_name()}" in page
    assert "Urgent alert acknowledged" in page
    assert reverse("interactions:referral_acknowledge", args=[referral.pk]) not in page
    # Twice: a clear message, nothing changed.
    response = client.post(
        reverse("interactions:referral_acknowledge", args=[referral.pk]), follow=True
    )
    assert "already acknowledged" in response.content.decode()
    assert referral.events.filter(kind=EventKind.ACKNOWLEDGED).count() == 1
    assert AuditEvent.objects.filter(action="referral.acknowledge").count() == 1


def test_the_supporter_of_the_case_sees_the_pages_in_the_history_without_names(roster):
    cast = roster
    referral = _urgent(cast)
    services.referral_assign(
        actor=cast.coordinator, referral=referral, supporter=cast.supporter_b_profile, notify=False
    )
    services.urgent_alert_acknowledge(actor=cast.coordinator, referral=referral, via="page")
    page = cast.client("supporter_b").get(
        reverse("interactions:referral_detail", args=[referral.pk])
    )
    text = page.content.decode()
    assert "Paged the on-call person (round 1)" in text and "Urgent alert acknowledged" in text
    assert cast.coordinator.get_full_name() not in text
    assert cast.supporter_a.get_full_name() not in text
    assert "Acknowledge</button>" not in text


def test_the_reply_link_acknowledges_without_sign_in_and_reveals_nothing(roster, client):
    cast = roster
    referral = _urgent(cast)
    (email,) = OutboxEmail.objects.filter(kind="interactions.urgent")
    path = REPLY_LINK.search(email.body).group(0)
    shown = client.get(path)
    assert shown.status_code == 200 and shown["Referrer-Policy"] == "no-referrer"
    text = shown.content.decode()
    for secret in (COLLEAGUE, referral.referral_id, "Emergency Medicine", "North", "worrying"):
        assert secret not in text
    assert "Acknowledge</button>" in text
    thanks = client.post(path).content.decode()
    assert "Thank you" in thanks and "Sign in to open the request" in thanks
    alert = UrgentAlert.objects.get(referral=referral)
    assert alert.acknowledged_by == cast.supporter_a
    event = referral.events.get(kind=EventKind.ACKNOWLEDGED)
    assert (event.actor, event.detail["via"]) == (cast.supporter_a, "reply link")
    # Again: it says so, and changes nothing.
    again = client.post(path).content.decode()
    assert "Already acknowledged" in again
    assert referral.events.filter(kind=EventKind.ACKNOWLEDGED).count() == 1
    unknown = reverse("interactions:page_acknowledge", args=["not-a-token"])
    assert client.get(unknown).status_code == 404


# --- two workers ---------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_processing_the_same_due_alert_page_once(roster):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks to race on; this test runs on PostgreSQL")
    cast, t0 = roster, timezone.now()
    referral = _urgent(cast, at=t0)
    alert_id = referral.urgent_alert.pk
    results = race(*[lambda: services.urgent_alert_process(alert_id=alert_id, now=t0 + WINDOW)] * 2)
    assert sorted(results) == ["", "paged"], results
    assert _paged(referral, 2) == [cast.coordinator.email]
    assert UrgentAlert.objects.get(pk=alert_id).round == 2


# --- the webhook channel -------------------------------------------------------------------------


@pytest.fixture
def webhook(settings, roster):
    settings.PAGING_CHANNELS = ["webhook", "email"]
    settings.PAGING_WEBHOOK_SECRET = SECRET
    settings.SITE_URL = "https://post.example.org"
    return settings


def test_a_webhook_receiver_gets_a_signed_page_with_links_and_no_names(
    roster, webhook, django_capture_on_commit_callbacks
):
    cast = roster
    with Receiver() as receiver:
        webhook.PAGING_WEBHOOK_URL = receiver.url
        with django_capture_on_commit_callbacks(execute=True):
            referral = _urgent(cast)
    ((headers, body),) = receiver.requests
    timestamp = headers["X-POST-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-POST-Signature"] == f"sha256={expected.hexdigest()}"
    assert headers["X-POST-Signature"] == services.webhook_signature(
        secret=SECRET, timestamp=timestamp, body=body
    )
    sent = json.loads(body)
    assert set(sent) == {"event", "round", "recipient", "link", "ack_link", "sent_at"}
    assert sent["event"] == "urgent_referral.page" and sent["round"] == 1
    assert sent["recipient"] == str(cast.supporter_a.pk)
    detail = reverse("interactions:referral_detail", args=[referral.pk])
    assert sent["link"] == f"https://post.example.org{detail}"
    assert REPLY_LINK.search(sent["ack_link"])
    text = body.decode()
    for name in (COLLEAGUE, cast.supporter_a.get_full_name(), cast.supporter_a.email, "worrying"):
        assert name not in text
    page = Page.objects.get(alert__referral=referral)
    assert (page.channel, page.attempts, page.payload) == (PagingChannel.WEBHOOK, 1, "")
    assert page.sent_at is not None and not mail.outbox
    # The reply link in the webhook acknowledges.
    path = REPLY_LINK.search(sent["ack_link"]).group(0)
    assert "Thank you" in cast.client("anonymous").post(path).content.decode()


@pytest.mark.parametrize("down", ["closed port", "server error"])
def test_a_gateway_that_is_down_is_retried_then_the_page_goes_by_email(
    roster, webhook, down, django_capture_on_commit_callbacks, caplog
):
    cast, t0 = roster, timezone.now()
    with Receiver(status=500) as receiver:
        webhook.PAGING_WEBHOOK_URL = (
            f"http://127.0.0.1:{closed_port()}/pages" if down == "closed port" else receiver.url
        )
        with django_capture_on_commit_callbacks(execute=True):
            referral = _urgent(cast, at=t0)
        page = Page.objects.get(alert__referral=referral)
        assert (page.attempts, page.sent_at, page.failed_at) == (1, None, None)
        # Tried once on commit; again a minute later, then two minutes after that.
        first_retry = page.next_attempt_at
        assert first_retry - timezone.now() <= timedelta(minutes=1)
        assert services.urgent_page_deliver(page_id=page.pk, now=t0) == ""  # not due yet
        assert services.urgent_pages_due_ids(now=first_retry) == [page.pk]
        assert services.urgent_page_deliver(page_id=page.pk, now=first_retry) == "retry"
        page.refresh_from_db()
        assert page.next_attempt_at == first_retry + timedelta(minutes=2)
        with django_capture_on_commit_callbacks(execute=True):
            last = services.urgent_page_deliver(page_id=page.pk, now=page.next_attempt_at)
        assert last == "fell_back"
        assert page.next_attempt_at - t0 < WINDOW  # all within the acknowledgement window
    if down == "server error":
        assert len(receiver.requests) == 3
    page.refresh_from_db()
    assert page.failed_at is not None and page.payload == ""
    assert page.last_error == ("ConnectionError" if down == "closed port" else "HTTP 500")
    fallback = Page.objects.exclude(pk=page.pk).get(alert__referral=referral)
    assert (fallback.channel, fallback.round, fallback.recipient) == (
        PagingChannel.EMAIL,
        1,
        cast.supporter_a,
    )
    (email,) = mail.outbox
    assert email.to == [cast.supporter_a.email] and REPLY_LINK.search(email.body)
    labels = [e.label for e in referral.events.filter(kind=EventKind.PAGED)]
    assert labels == [
        "Paged the on-call person (round 1)",
        "Paged the on-call person (round 1) by email, the paging gateway having failed",
    ]
    assert services.urgent_pages_due_ids(now=t0 + WINDOW) == []
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len([w for w in warnings if w.startswith(f"Webhook page {page.pk} ")]) == 3
    assert not any(SECRET in w or "/referrals/page/" in w for w in warnings)


def test_a_webhook_page_waiting_for_a_retry_stops_once_acknowledged(
    roster, webhook, django_capture_on_commit_callbacks
):
    cast, t0 = roster, timezone.now()
    webhook.PAGING_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/pages"
    with django_capture_on_commit_callbacks(execute=True):
        referral = _urgent(cast, at=t0)
    services.urgent_alert_acknowledge(actor=cast.coordinator, referral=referral, via="page")
    page = Page.objects.get(alert__referral=referral)
    assert services.urgent_page_deliver(page_id=page.pk, now=t0 + WINDOW) == "skipped"
    page.refresh_from_db()
    assert page.payload == "" and page.next_attempt_at is None and not mail.outbox


# --- settings ------------------------------------------------------------------------------------

GATEWAY = {"PAGING_CHANNELS": "webhook,email", "PAGING_WEBHOOK_SECRET": SECRET}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PAGING_CHANNELS": "pager"}, "PAGING_CHANNELS takes email and webhook"),
        ({"PAGING_CHANNELS": "webhook", "PAGING_WEBHOOK_URL": "https://g.example.org/"}, "SECRET"),
        ({**GATEWAY, "PAGING_WEBHOOK_URL": "http://gateway.example.org/"}, "https://"),
        ({**GATEWAY, "PAGING_WEBHOOK_URL": ""}, "https://"),
        ({"URGENT_ACK_MINUTES": "0"}, "URGENT_ACK_MINUTES must be at least 1"),
    ],
)
def test_paging_settings_that_cannot_work_stop_the_start(env, message):
    result = _manage("check", DJANGO_SETTINGS_MODULE="post_program.settings.test", **env)
    assert result.returncode != 0
    assert "Paging cannot work as set" in result.stderr and message in result.stderr


def test_plain_http_goes_only_to_loopback_and_never_in_production():
    loopback = {**GATEWAY, "PAGING_WEBHOOK_URL": "http://127.0.0.1:8025/pages"}
    test = _manage("check", DJANGO_SETTINGS_MODULE="post_program.settings.test", **loopback)
    assert test.returncode == 0, test.stderr
    production = _manage("check", **{**PROD, **loopback})
    assert production.returncode != 0
    assert "PAGING_WEBHOOK_URL cannot be used as set for production" in production.stderr


def test_the_reply_link_opens_before_mfa_set_up_and_stays_out_of_the_logs(
    roster, settings, _names_stay_inside
):
    """A paged coordinator who has not set up MFA yet still acknowledges through the reply
    link (it shows nothing of the case), and no log line holds the link's token."""
    settings.MFA_REQUIRED_ROLES = ["coordinator", "supporter"]
    _urgent(roster)
    email = OutboxEmail.objects.filter(kind="interactions.urgent").first()
    path, token = REPLY_LINK.search(email.body).group(0, 1)
    client = roster.client("coordinator")
    assert client.get(reverse("interactions:queue"))["Location"] == reverse("mfa_activate_totp")
    assert "Acknowledge</button>" in client.get(path).content.decode()
    assert client.put(path).status_code == 405
    assert client.get(path.replace(token, token[:-2])).status_code == 404
    logged = [text for kind, text in _names_stay_inside.outputs if kind.startswith("log record")]
    assert "Not Found: /referrals/page/[redacted]/" in logged
    assert not [text for text in logged if token[:-2] in text]
