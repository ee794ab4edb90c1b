"""The periodic jobs named in the settings exist and take no arguments."""

from __future__ import annotations

from django.conf import settings

from post_program.celery import app


def test_survey_beat_entries_name_registered_tasks():
    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("surveys-")}
    assert set(entries) == {"surveys-schedule", "surveys-invite-after-events"}
    app.loader.import_default_modules()
    for entry in entries.values():
        assert entry["task"] in app.tasks
        assert not entry.get("args")
