"""The refresher reminder job, under a frozen clock."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from freezegun import freeze_time

from post_program.models import OutboxEmail, PeerSupporter
from tests.factories import PeerSupporterFactory, UserFactory
from training import services, tasks
from training.models import CourseKind, RefresherReminder

from .factories import TrainingCompletionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.REFRESHER_MONTHS = 24
    settings.REFRESHER_REMINDER_DAYS = 30
    settings.TIME_ZONE = "UTC"


def _supporter(completed_on: date, **kwargs) -> PeerSupporter:
    user = UserFactory()
    supporter = PeerSupporterFactory(physician__user=user, physician__email=user.email, **kwargs)
    TrainingCompletionFactory(
        physician=supporter.physician, course=CourseKind.INITIAL, completed_on=completed_on
    )
    return supporter


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the periodic job at a given time, sending what it queues as a worker would."""

    def _run(when: str) -> int:
        with freeze_time(when), django_capture_on_commit_callbacks(execute=True):
            return tasks.refresher_reminders_run()

    return _run


def test_reminder_is_created_ahead_and_sent_once_when_due(run):
    supporter = _supporter(date(2022, 5, 1))  # current until 2024-05-01
    mail.outbox.clear()
    assert run("2024-03-20 10:00") == 0
    reminder = RefresherReminder.objects.get(supporter=supporter)
    assert reminder.due_on == date(2024, 5, 1)
    assert reminder.remind_at.isoformat() == "2024-04-01T09:00:00+00:00"
    assert reminder.sent_at is None
    assert mail.outbox == []

    assert run("2024-04-01 08:59") == 0  # not yet
    assert run("2024-04-01 09:00") == 1
    reminder.refresh_from_db()
    assert reminder.sent_at.isoformat() == "2024-04-01T09:00:00+00:00"
    assert [m.to for m in mail.outbox] == [[supporter.physician.user.email]]
    body = mail.outbox[0].body
    assert reverse("training:my_training") in body
    assert mail.outbox[0].subject == "Your peer supporter training is due for a refresher"
    assert body.startswith("Your peer supporter training is due for a refresher: ")
    assert "2024" not in body and supporter.physician.name not in body

    # Reruns the same day and later send nothing more.
    assert run("2024-04-01 10:00") == 0
    assert run("2024-04-20 10:00") == 0
    assert len(mail.outbox) == 1
    assert RefresherReminder.objects.count() == 1


def test_a_renewal_drops_the_old_reminder_and_schedules_the_next(run):
    supporter = _supporter(date(2022, 5, 1))
    run("2024-03-20 10:00")
    TrainingCompletionFactory(
        physician=supporter.physician, course=CourseKind.REFRESHER, completed_on=date(2024, 3, 25)
    )
    mail.outbox.clear()
    assert run("2024-04-02 10:00") == 0
    assert mail.outbox == []
    assert list(RefresherReminder.objects.values_list("due_on", flat=True)) == [date(2026, 3, 25)]


def test_lapsed_and_retired_supporters_and_the_untrained_get_no_reminder(run):
    _supporter(date(2020, 1, 1))  # lapsed on 2022-01-01
    _supporter(date(2022, 5, 1), status=PeerSupporter.Status.RETIRED)
    PeerSupporterFactory()  # never trained
    paused = _supporter(date(2022, 5, 1), status=PeerSupporter.Status.PAUSED)
    run("2024-04-10 10:00")
    assert list(RefresherReminder.objects.values_list("supporter", flat=True)) == [paused.pk]


def test_a_claimed_reminder_is_not_written_again_by_a_second_worker():
    supporter = _supporter(date(2022, 5, 1))
    with freeze_time("2024-04-05 10:00"):
        ready = services.refresher_reminders_schedule()
        assert services.refresher_reminder_send(reminder_id=ready[0]) is True
        assert services.refresher_reminder_send(reminder_id=ready[0]) is False
    assert OutboxEmail.objects.filter(kind="training.refresher").count() == 1
    assert RefresherReminder.objects.get().supporter == supporter


def test_the_job_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["training-refresher-reminders"]
    assert entry["task"] == tasks.refresher_reminders_run.name
