"""Notifications: written with the change, their emails go through the core outbox (sent after
commit, swept again when the broker was down) and say nothing but what kind of thing happened
and where. The outbox itself is tested in tests/post_program/test_outbox.py."""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from interactions import services
from interactions.models import Notification, NotificationKind, Referral, Urgency
from post_program import outbox
from post_program import tasks as core_tasks
from post_program.celery import app as celery_app
from post_program.models import OutboxEmail
from tests.concurrency import race
from tests.factories import PhysicianFactory

from .factories import referral_assigned, referral_new

NOTE = "Colleague Zebedee was shaken after the case"


def _request_data(cast, colleague, **extra) -> dict:
    return {
        "for_whom": "colleague",
        "colleague": colleague.pk,
        "reason": "adverse_event",
        "note": NOTE,
        "urgency": "routine",
        "contact_method": "phone",
        "department_preference": "none",
        "submission_key": str(uuid.uuid4()),
        **extra,
    }


def _identifying(cast, colleague) -> list[str]:
    """Everything that would identify someone in this story."""
    return [
        colleague.name,
        colleague.email,
        cast.physician.name,
        cast.physician.email,
        NOTE,
        "Zebedee",
    ]


# --- what an email says ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", NotificationKind.values)
def test_an_email_holds_a_link_and_no_names_or_details(cast, kind, settings):
    settings.SITE_URL = "https://post.example.org/"
    colleague = PhysicianFactory(department=cast.department_a, name="Zebedee Quartermaine")
    referral = referral_new(
        department=cast.department_a, physician=colleague, requester=cast.physician, note=NOTE
    )
    subject, body = services.notification_message(Notification(kind=kind, referral=referral))
    # A debrief request is about a supporter, not a referral: it links to the coordinators'
    # page of supporters.
    page = (
        reverse("interactions:supporter_load")
        if kind == NotificationKind.DEBRIEF
        else reverse("interactions:referral_detail", args=[referral.pk])
    )
    link = "https://post.example.org" + page
    assert link in body
    text = subject + body
    for secret in [*_identifying(cast, colleague), referral.referral_id, "Emergency"]:
        assert secret not in text


# Each subject is a sentence saying what happened; each body says it again, with what to do.
SAYS = {
    NotificationKind.NEW_REFERRAL: (
        "A new request for peer support needs a supporter",
        "A request for peer support arrived for your site. It needs a supporter",
    ),
    NotificationKind.URGENT: (
        "URGENT: a request for peer support reports a safety concern",
        "reports an urgent safety concern. Please look at it now: first contact is due within "
        "4 hours.",
    ),
    NotificationKind.ASSIGNED: (
        "You were asked to support a colleague",
        "You were asked to support a colleague through the peer support program. Please "
        "accept or decline within 3 hours.",
    ),
    NotificationKind.RETURNED: (
        "A referral is back in the queue and needs a supporter",
        "was not taken up by its supporter and is back in the queue",
    ),
    NotificationKind.REMINDER: (
        "First contact for a referral you hold is due soon",
        "First contact for a referral you hold is due soon. Please reach out",
    ),
    NotificationKind.OVERDUE: (
        "First contact for a referral is overdue",
        "First contact for a referral of your site is overdue.",
    ),
    NotificationKind.DEBRIEF: (
        "A peer supporter asked for a debrief",
        "A peer supporter of your site asked for a debrief with a coordinator.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", NotificationKind.values)
def test_an_email_says_in_sentences_what_it_is_about(cast, kind, settings):
    settings.ACCEPT_WITHIN_HOURS = 3
    settings.URGENT_FIRST_CONTACT_HOURS = 4
    referral = referral_new(department=cast.department_a)
    subject, body = services.notification_message(Notification(kind=kind, referral=referral))
    expected_subject, about = SAYS[kind]
    assert subject == expected_subject
    assert about in body.split("\n\n")[0]
    assert "POST:" not in subject


# --- who is told, in the same transaction as the change ----------------------------------------


@pytest.mark.django_db
def test_a_new_referral_tells_the_site_coordinators(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral_new(department=cast.department_a, requester=cast.physician, notify=True)
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
    assert "new request" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_site_without_coordinators_tells_the_directors(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral_new(department=cast.department_b, requester=cast.physician, notify=True)
    assert [m.to for m in mail.outbox] == [[cast.director.email]]


@pytest.mark.django_db
def test_urgency_alerts_coordinators_at_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        referral_new(department=cast.department_a, urgency=Urgency.SAFETY, notify=True)
    assert len(callbacks) == 1
    (email,) = mail.outbox
    assert email.subject == "URGENT: a request for peer support reports a safety concern"


@pytest.mark.django_db
def test_an_assignment_emails_the_supporter_only_a_link(cast, django_capture_on_commit_callbacks):
    colleague = PhysicianFactory(department=cast.department_a, name="Zebedee Quartermaine")
    referral = referral_new(department=cast.department_a, physician=colleague, note=NOTE)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_assign(
            actor=cast.coordinator, referral=referral, supporter=cast.supporter_a_profile
        )
    (email,) = mail.outbox
    assert email.to == [cast.supporter_a.email]
    assert reverse("interactions:referral_detail", args=[referral.pk]) in email.body
    for secret in _identifying(cast, colleague):
        assert secret not in email.subject + email.body


@pytest.mark.django_db
def test_nothing_is_queued_when_the_change_rolls_back(cast, django_capture_on_commit_callbacks):
    referral = referral_assigned(department=cast.department_a, supporter=cast.supporter_a_profile)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.ReferralChanged),
    ):
        services.referral_assign(
            actor=None, referral=referral, supporter=cast.supporter_b_profile, expected_version=0
        )
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


# --- the broker is down when the request commits -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_submit_the_request_succeeds_and_the_sweeper_sends_later(cast, caplog):
    colleague = PhysicianFactory(department=cast.department_a, name="Zebedee Quartermaine")
    client = cast.client("physician")
    with mock.patch.object(
        core_tasks.outbox_send_task, "delay", side_effect=OperationalError("connection refused")
    ):
        response = client.post(
            reverse("interactions:referral_request"), _request_data(cast, colleague), follow=True
        )
    assert response.status_code == 200
    assert b"Your request was received" in response.content
    referral = Referral.objects.get(physician=colleague)
    notification = Notification.objects.get(referral=referral)
    assert notification.email.sent_at is None and mail.outbox == []
    assert "left for the sweeper" in caplog.text
    for secret in _identifying(cast, colleague):
        assert secret not in caplog.text

    # The broker is back: the sweeper's run sends it, once.
    _age(notification)
    assert core_tasks.outbox_sweep() == 1
    assert core_tasks.outbox_sweep() == 0
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]


def _age(notification: Notification) -> None:
    """Make the notification's email old enough for the sweep."""
    OutboxEmail.objects.filter(pk=notification.email_id).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )


# --- the same with a real Redis: stopped, then running again ------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
CLOSED_PORT_URL = "redis://127.0.0.1:1/15"  # nothing listens there: Redis "stopped"


@contextmanager
def _real_broker(url: str, queue: str | None = None):
    """Publish tasks to `url` for real (tests otherwise run them eagerly)."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.task_routes)

    def reset():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)  # rebuilt from task_routes on next use

    conf.broker_url, conf.task_always_eager = url, False
    if queue:
        conf.task_routes = {"post_program.tasks.*": {"queue": queue}}
    reset()
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager, conf.task_routes = saved
        reset()


@pytest.mark.skipif(not REDIS_URL, reason="needs a Redis server: set REDIS_URL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_then_restarted(cast, caplog):
    caplog.set_level(logging.WARNING)
    colleague = PhysicianFactory(department=cast.department_a, name="Zebedee Quartermaine")
    client = cast.client("physician")

    with _real_broker(CLOSED_PORT_URL):
        response = client.post(
            reverse("interactions:referral_request"), _request_data(cast, colleague)
        )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    notification = Notification.objects.get(referral__physician=colleague)
    assert notification.email.sent_at is None and mail.outbox == []
    assert "OperationalError" in caplog.text

    queue = f"post-test-{uuid.uuid4().hex}"
    _age(notification)
    with _real_broker(REDIS_URL, queue=queue):
        assert core_tasks.outbox_sweep() == 1  # as beat would run it once Redis is back
        with celery_app.connection_for_read() as conn:
            simple = conn.SimpleQueue(queue)
            try:
                message = simple.get(timeout=10)
                raw = message.body
                message.ack()
                task_name = message.headers["task"]
                args = message.decode()[0]
            finally:
                simple.queue.delete()
                simple.close()
    # The broker carried the task name and the id, nothing identifying.
    assert task_name == "post_program.tasks.outbox_send_task"
    assert args == [notification.email_id]
    for secret in _identifying(cast, colleague):
        assert secret.encode() not in (raw if isinstance(raw, bytes) else raw.encode())

    # A worker runs it, and a duplicate delivery sends nothing more.
    celery_app.tasks[task_name].apply(args=args)
    celery_app.tasks[task_name].apply(args=args)
    assert [m.to for m in mail.outbox] == [[cast.coordinator.email]]
    notification.email.refresh_from_db()
    assert notification.email.sent_at is not None


# --- two workers sending the same row at once --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_row_send_one_email(cast):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every writer; this race is tested on PostgreSQL")
    email = OutboxEmail.objects.create(kind="t", to_email="c@example.org", subject="POST")
    results = race(
        lambda: outbox.outbox_send(email_id=email.pk),
        lambda: outbox.outbox_send(email_id=email.pk),
    )
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
