"""Moving notifications' emails to the core outbox keeps their history: a sent one stays sent
(with no body), a pending one is composed and will be sent."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("interactions", "0003_plan_recent_feedback"), ("post_program", "0006_outbox_email")]
AFTER = [("interactions", "0004_notification_email_in_core_outbox")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_notifications_keep_their_delivery_state_in_the_core_outbox():
    apps = _migrate(BEFORE)
    Notification = apps.get_model("interactions", "Notification")
    sent_at = timezone.now()
    sent = Notification.objects.create(
        kind="urgent", to_email="a@example.org", sent_at=sent_at, attempts=1
    )
    pending = Notification.objects.create(
        kind="new_referral", to_email="b@example.org", attempts=2, last_error="OSError"
    )
    try:
        apps = _migrate(AFTER)
        Notification = apps.get_model("interactions", "Notification")
        was_sent = Notification.objects.select_related("email").get(pk=sent.pk).email
        assert (was_sent.sent_at, was_sent.attempts, was_sent.body) == (sent_at, 1, "")
        assert was_sent.subject.startswith("POST: URGENT: ")
        to_send = Notification.objects.select_related("email").get(pk=pending.pk).email
        assert to_send.sent_at is None and to_send.to_email == "b@example.org"
        assert (to_send.attempts, to_send.last_error) == (2, "OSError")
        assert "Open it in POST" in to_send.body and to_send.kind == "interactions.new_referral"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
