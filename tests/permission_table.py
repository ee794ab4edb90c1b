"""The permission table: every URL of the project, and what each member of the cast gets.

Each app lists its rows in `tests/<app>/permission_rows.py` as `ROWS`. The table test walks
every URL pattern and fails for any named URL without a row, so no view can be added without
saying who may use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import MEMBERS, Cast

ANON_REDIRECT = 302  # anonymous visitors are sent to the sign-in page


@dataclass(frozen=True)
class Row:
    """`expect` maps each cast member to a status code; members left out get `default`."""

    name: str
    expect: Mapping[str, int]
    default: int | None = None
    kwargs: Callable[[Cast], dict] = field(default=lambda cast: {})
    method: str = "get"
    data: Callable[[Cast], dict] = field(default=lambda cast: {})

    def status_for(self, member: str) -> int:
        if member in self.expect:
            return self.expect[member]
        if self.default is None:
            raise AssertionError(f"row {self.name!r} says nothing about {member!r}")
        return self.default


def only(*members: str, ok: int = 200, others: int = 403, anonymous: int = ANON_REDIRECT):
    """Expectations for a page that only `members` may open."""
    expect = {member: (ok if member in members else others) for member in MEMBERS}
    if "anonymous" not in members:
        expect["anonymous"] = anonymous
    return expect


def everyone(status: int = 200, anonymous: int = ANON_REDIRECT) -> dict[str, int]:
    return {**dict.fromkeys(MEMBERS, status), "anonymous": anonymous}


def all_rows() -> list[Row]:
    rows: list[Row] = []
    for path in sorted(Path(__file__).parent.glob("*/permission_rows.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.permission_rows")
        rows.extend(module.ROWS)
    return rows
