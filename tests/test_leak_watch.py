"""The watch that every test runs under (tests/leak_watch.py) sees each way out it claims to."""

from __future__ import annotations

import contextlib
import logging

import pytest
from django.core import mail
from django.http import HttpResponse

from post_program.jobs import enqueue_on_commit, registered_task

from .interactions.factories import interaction_logged, referral_new, trained
from .leak_watch import watching

pytestmark = pytest.mark.django_db

CANARY_NAME = "Zebulon Canarywood"
CANARY_NOTE = "Canary note: call after the night shift"


@pytest.fixture
def planted(cast):
    cast.physician_profile.name = CANARY_NAME
    cast.physician_profile.save()
    return cast


def _leaks_after(cast, action, _names_stay_inside) -> list[str]:
    """What a watch started now reports once a canary referral is made and `action` runs."""
    with watching() as watch:
        referral_new(
            department=cast.department_a, physician=cast.physician_profile, note=CANARY_NOTE
        )
        action()
        leaks = watch.leaks()
    # The suite-wide watch saw the same output: forget it there, it was planted on purpose.
    _names_stay_inside.outputs.clear()
    mail.outbox.clear()
    return leaks


def _task_called_with(text: str) -> None:
    # The task itself refuses the text (it wants an id); the watch has seen it by then.
    with contextlib.suppress(ValueError):
        registered_task("post_program.tasks.outbox_send_task").apply_async((text,))


@pytest.mark.parametrize(
    "way_out",
    [
        lambda: logging.getLogger("interactions.services").info("Case of %s", CANARY_NAME),
        lambda: logging.getLogger("surveys").debug("note %s", CANARY_NOTE),
        lambda: mail.send_mail("Support", f"About {CANARY_NAME}", None, ["a@example.org"]),
        lambda: HttpResponse().set_cookie("flash", CANARY_NOTE),
        lambda: _task_called_with(CANARY_NAME),
    ],
    ids=["info log", "debug log", "email body", "cookie", "task argument"],
)
def test_each_way_out_is_seen(planted, _names_stay_inside, way_out):
    leaks = _leaks_after(planted, way_out, _names_stay_inside)

    assert leaks and all(CANARY_NAME in leak or CANARY_NOTE in leak for leak in leaks)


def test_identifiers_and_other_text_pass(planted, _names_stay_inside):
    def harmless():
        referral = planted.physician_profile.referrals.get()
        logging.getLogger("interactions").warning("Referral %s is overdue", referral.pk)
        mail.send_mail("A colleague asked for support", "Open POST.", None, ["a@example.org"])
        enqueue_on_commit("post_program.tasks.outbox_send_task", referral.pk)

    assert _leaks_after(planted, harmless, _names_stay_inside) == []


def test_interaction_follow_up_notes_are_watched(planted, _names_stay_inside):
    note = "Follow up: ask about the deposition"

    def log_note():
        trained(planted.supporter_a_profile)
        interaction_logged(
            supporter=planted.supporter_a_profile,
            department=planted.department_a,
            follow_up_note=note,
        )
        logging.getLogger("interactions").error("Saved %s", note)

    assert any(note in leak for leak in _leaks_after(planted, log_note, _names_stay_inside))
