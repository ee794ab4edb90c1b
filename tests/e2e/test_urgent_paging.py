"""An urgent request in Chromium: a physician reports a safety concern, the paging gateway on
loopback pages the coordinator on call, nobody acknowledges within the window so the next
person on call is paged, and the coordinator acknowledges on the referral page; paging stops
and the history says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions import services
from interactions.models import Referral, UrgentAlert
from interactions.tasks import urgent_paging_process
from post_program.models import RoleAssignment
from tests.factories import PASSWORD, PhysicianFactory, RoleAssignmentFactory, UserFactory
from tests.interactions.factories import on_call_for_a_day
from tests.webhook_receiver import Receiver

from .conftest import signed_in
from .programs import north_hospital

SECRET = "a-long-shared-secret-for-the-gateway"


@pytest.fixture
def gateway():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def program(transactional_db, live_server, settings, gateway):
    settings.SITE_URL = live_server.url
    settings.URGENT_ACK_MINUTES = 15
    settings.PAGING_CHANNELS = ["webhook", "email"]
    settings.PAGING_WEBHOOK_URL = gateway.url
    settings.PAGING_WEBHOOK_SECRET = SECRET
    hospital = north_hospital()
    drew = UserFactory(email="drew@example.org", name="Drew Deputy")
    RoleAssignmentFactory(user=drew, role=RoleAssignment.Role.COORDINATOR, site=hospital.site)
    on_call_for_a_day(
        site=hospital.site, users=[hospital.coordinator, drew], actor=hospital.coordinator
    )
    rita = UserFactory(email="rita@example.org", name="Rita Requester")
    PhysicianFactory(department=hospital.emergency, name=rita.name, email=rita.email, user=rita)
    return {"coordinator": hospital.coordinator, "drew": drew, "rita": rita}


def _window_passes(alert: UrgentAlert) -> None:
    """Nobody acknowledged in time: the next round falls due now, and the job runs."""
    UrgentAlert.objects.filter(pk=alert.pk).update(next_page_at=timezone.now())
    urgent_paging_process()


def test_an_urgent_request_pages_on_call_then_the_next_and_the_coordinator_acknowledges(
    browser, live_server, program, gateway
):
    # A physician reports a safety concern through the request form.
    context, page = signed_in(browser, live_server, program["rita"], PASSWORD)
    page.get_by_role("link", name="Request peer support").first.click()
    page.get_by_label("Myself").check()
    page.get_by_label("What happened (category)").select_option(label="Personal loss or stress")
    page.get_by_label("Urgent: safety concern").check()
    page.get_by_role("button", name="Send request").click()
    page.get_by_role("heading", name="Your request was received").wait_for()
    context.close()

    # The gateway got round 1 for the coordinator first on call: links only, no names.
    referral = Referral.objects.get()
    (first,) = gateway.pages()
    assert (first["round"], first["recipient"]) == (1, str(program["coordinator"].pk))
    assert first["link"] == f"{live_server.url}/referrals/{referral.pk}/"
    assert "Rita" not in gateway.requests[0][1].decode()

    # The window passes unacknowledged: the next person on call is paged.
    alert = UrgentAlert.objects.get(referral=referral)
    _window_passes(alert)
    assert [(p["round"], p["recipient"]) for p in gateway.pages()][1:] == [
        (2, str(program["drew"].pk))
    ]

    # The coordinator opens the referral, sees who was paged, and acknowledges.
    context, page = signed_in(browser, live_server, program["coordinator"], PASSWORD)
    page.goto(f"/referrals/{referral.pk}/")
    box = page.get_by_role("region", name="Urgent alert")
    assert "Not acknowledged yet" in box.inner_text()
    assert "Round 2: Drew Deputy" in box.inner_text()
    box.get_by_role("button", name="Acknowledge").click()
    acknowledged = page.locator("#urgent-acknowledged")
    acknowledged.wait_for()
    assert "Acknowledged by Casey Coordinator" in acknowledged.inner_text()
    history = page.get_by_role("region", name="History").inner_text()
    assert "Paged the on-call person (round 1)" in history
    assert "Paged the next on-call person (round 2)" in history
    assert "Urgent alert acknowledged" in history and "by Casey Coordinator" in history
    assert page.get_by_role("button", name="Acknowledge").count() == 0
    context.close()

    # Nobody is paged any more, however long the job keeps running.
    later = timezone.now() + timedelta(hours=2)
    assert services.urgent_alerts_due_ids(now=later) == []
    assert services.urgent_alert_process(alert_id=alert.pk, now=later) == ""
    urgent_paging_process()
    assert len(gateway.pages()) == 2
