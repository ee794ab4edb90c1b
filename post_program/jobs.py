"""Queue background work only once the surrounding transaction has committed.

A task must be able to load everything it needs from the database, so it takes identifiers
only: never model instances, names or notes (they would sit in the broker and in its logs).
"""

from __future__ import annotations

import uuid

from django.db import transaction

_ID_TYPES = (int, uuid.UUID)


def enqueue_on_commit(task, *ids: int | uuid.UUID) -> None:
    """Call `task.delay(*ids)` after the current transaction commits (at once outside one)."""
    bad = [arg for arg in ids if isinstance(arg, bool) or not isinstance(arg, _ID_TYPES)]
    if bad:
        raise TypeError(
            f"{task.name} takes identifiers only; got {', '.join(type(a).__name__ for a in bad)}"
        )
    args = tuple(str(arg) if isinstance(arg, uuid.UUID) else arg for arg in ids)
    transaction.on_commit(lambda: task.delay(*args))
