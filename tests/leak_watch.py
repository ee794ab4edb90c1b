"""Every test watches where the names and notes of its referrals travel.

docs/confidentiality.md: "names and notes never go into logs, task arguments, email bodies or
cookies". `LeakWatch` collects, as the models are saved, the name of every physician a referral
or an interaction is about, every colleague named in free text, every referral note and every
follow-up note, and records everything the program writes outside its database while the test
runs: log records (every level, every logger but the database driver's own query log, which
production never turns on), emails, background task arguments and cookies. At the end of the
test none may hold any of those texts.

Texts shorter than `MIN_LENGTH` characters are not watched: "Ana Li" could be part of an
unrelated word, and a canary is long by design.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery.app.task import Task
from django.core import mail
from django.db.models.signals import post_save
from django.http import HttpResponseBase

MIN_LENGTH = 8
QUERY_LOGGER = "django.db.backends"


@dataclass
class LeakWatch:
    physician_names: dict[int, str] = field(default_factory=dict)
    watched_physicians: set[int] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    outputs: list[tuple[str, str]] = field(default_factory=list)

    def learn(self, other: LeakWatch) -> None:
        """Watch for the texts `other` collected too: those of data saved before this watch
        began, that the test reads (tests/module_data.py)."""
        self.physician_names.update(other.physician_names)
        self.watched_physicians |= other.watched_physicians
        self.texts |= other.texts

    def sensitive(self) -> set[str]:
        names = {self.physician_names.get(pk, "") for pk in self.watched_physicians}
        return {text for text in names | self.texts if len(text.strip()) >= MIN_LENGTH}

    def leaks(self) -> list[str]:
        sensitive = self.sensitive()
        emails = [
            ("email", part)
            for message in mail.outbox
            for part in (
                message.subject,
                message.body,
                *[str(to) for to in message.to],
                *[content for content, _ in getattr(message, "alternatives", [])],
            )
        ]
        return [
            f"{kind} holds {text!r}: {output[:200]!r}"
            for kind, output in [*self.outputs, *emails]
            for text in sensitive
            if text in output
        ]


class _Records(logging.Handler):
    def __init__(self, watch: LeakWatch) -> None:
        super().__init__(logging.DEBUG)
        self.watch = watch

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(QUERY_LOGGER):
            return
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.watch.outputs.append((f"log record of {record.name}", text))


@contextmanager
def watching() -> Iterator[LeakWatch]:
    """Collect the sensitive texts and the outputs of one test."""
    from interactions.models import Interaction, Referral
    from post_program.models import Physician

    watch = LeakWatch()

    def physician_saved(sender, instance, **kwargs):
        watch.physician_names[instance.pk] = instance.name

    def physician_watched(instance) -> None:
        if not instance.physician_id:
            return
        watch.watched_physicians.add(instance.physician_id)
        # Saved before the watch began: its name is known only if the object came along.
        if type(instance).physician.is_cached(instance):
            watch.physician_names[instance.physician_id] = instance.physician.name

    def referral_saved(sender, instance, **kwargs):
        physician_watched(instance)
        watch.texts.update((instance.named_colleague, instance.note))

    def interaction_saved(sender, instance, **kwargs):
        physician_watched(instance)
        watch.texts.add(instance.follow_up_note)

    receivers = ((physician_saved, Physician), (referral_saved, Referral))
    receivers += ((interaction_saved, Interaction),)
    for receiver, model in receivers:
        post_save.connect(receiver, sender=model, weak=False)

    original_apply_async = Task.apply_async
    original_set_cookie = HttpResponseBase.set_cookie

    def apply_async(task, args=None, kwargs=None, *rest, **options):
        watch.outputs.append((f"arguments of task {task.name}", repr((args, kwargs))))
        return original_apply_async(task, args, kwargs, *rest, **options)

    def set_cookie(response, key, value="", *args, **kwargs):
        watch.outputs.append((f"cookie {key}", str(value)))
        return original_set_cookie(response, key, value, *args, **kwargs)

    root = logging.getLogger()
    handler = _Records(watch)
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    Task.apply_async = apply_async  # type: ignore[method-assign]
    HttpResponseBase.set_cookie = set_cookie  # type: ignore[method-assign]
    try:
        yield watch
    finally:
        Task.apply_async = original_apply_async  # type: ignore[method-assign]
        HttpResponseBase.set_cookie = original_set_cookie  # type: ignore[method-assign]
        root.removeHandler(handler)
        root.setLevel(level)
        for receiver, model in receivers:
            post_save.disconnect(receiver, sender=model)
