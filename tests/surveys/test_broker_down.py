"""A campaign opened while the broker is down: the director's request succeeds and the
periodic schedule opens it and sends its invitations once the broker is back."""

from __future__ import annotations

import pytest
from django.core import mail

from surveys import tasks
from surveys.models import Campaign
from tests.broker import own_redis, real_broker  # noqa: F401 - fixture

from .factories import evaluation_created


@pytest.mark.django_db(transaction=True)
def test_a_campaign_opening_today_while_the_broker_is_down_opens_when_it_is_back(
    cast,
    own_redis,  # noqa: F811 - the fixture imported above
):
    own_redis.start()
    own_redis.stop()  # Redis stopped
    with real_broker(own_redis.url):
        campaign = evaluation_created(cast)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED and mail.outbox == []

    own_redis.start()  # Redis is back: beat's schedule opens it and sends its invitations
    with real_broker(own_redis.url):
        assert tasks.surveys_run_schedule()["opened"] == 1
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    assert len(mail.outbox) == campaign.invitations.count() == 2
