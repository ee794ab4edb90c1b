"""Data a test module writes once and its tests share: written in a transaction that is rolled
back when the module's tests are done. Each test still runs in a transaction of its own (a
savepoint inside that one), so what a test writes is undone after it and the next test sees the
data as it was written.

Only for tests on the `db` fixture: a transactional test (`transactional_db`, `live_server`)
empties the tables, and would take the shared data with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db import transaction

from .leak_watch import LeakWatch, watching

T = TypeVar("T")


@dataclass
class Kept(Generic[T]):
    data: T
    # The names and notes the writing saved: each test's watch learns them (tests/conftest.py,
    # `_names_stay_inside`), as it would have had the test written the data itself.
    watch: LeakWatch


@contextmanager
def kept_for_the_module(django_db_blocker, write: Callable[[], T]) -> Iterator[Kept[T]]:
    """Run `write` in a transaction kept open until the `with` block ends, then rolled back.
    The writing is watched as a test is (tests/leak_watch.py)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), watching() as watch:
            data = write()
            leaks = watch.leaks()
        assert not leaks, "Names or notes left the database:\n" + "\n".join(leaks)
        yield Kept(data=data, watch=watch)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
