"""Suppression of small counts (docs/metrics.md, Suppression): one rule for reports and surveys.

"With a threshold K, every count c with 0 < c < K ... becomes null, its name is listed in a
suppressed array beside it ... Where one breakdown would then hold exactly one suppressed cell
beside a shown total, the next smallest cell of that breakdown is suppressed as well. Zeros are
shown."
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SUPPRESSED_KEY = "suppressed"


@dataclass(frozen=True)
class SuppressedBreakdown:
    """A breakdown after suppression.

    ``values`` has every input name, in input order, with None for suppressed counts;
    ``suppressed`` lists the suppressed names in input order.
    """

    values: dict[str, int | None]
    suppressed: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The breakdown as the report writes it: the values plus the ``suppressed`` list."""
        return {**self.values, SUPPRESSED_KEY: list(self.suppressed)}


def check_threshold(threshold: int | None) -> None:
    if threshold is not None and (isinstance(threshold, bool) or threshold < 1):
        raise ValueError(f"suppression threshold must be a positive integer, got {threshold}")


def check_count(name: str, count: int) -> None:
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count {name!r} must be a non-negative integer, got {count!r}")


def is_small(count: int | None, threshold: int | None) -> bool:
    """Whether a count is suppressed on its own: "every count c with 0 < c < K".

    Never with no threshold (None); never a zero ("Zeros are shown").
    """
    return threshold is not None and count is not None and 0 < count < threshold


def suppress_counts(
    cells: Mapping[str, int],
    threshold: int | None,
    *,
    total_shown: bool = True,
) -> SuppressedBreakdown:
    """Suppress the small cells of one breakdown (``by_source``, ``referrals.outcomes``, ...).

    "With a threshold K, every count c with 0 < c < K ... becomes ``null``, its name is listed
    in a ``suppressed`` array beside it ... Where one breakdown would then hold exactly one
    suppressed cell beside a shown total, the next smallest cell of that breakdown is suppressed
    as well. Zeros are shown."

    The next smallest cell is the smallest non-zero cell not already suppressed, ties broken by
    name, so the result depends only on the cells, not on their order.  When every other cell is
    zero there is nothing to pull in and the single suppressed cell stays alone.
    ``total_shown=False`` is for a breakdown whose total is not displayed (then a lone
    suppressed cell cannot be recomputed).  ``threshold=None`` reports exact counts.
    """
    check_threshold(threshold)
    for name, count in cells.items():
        check_count(name, count)
    hidden = {name for name, count in cells.items() if is_small(count, threshold)}
    if total_shown and len(hidden) == 1:
        candidates = sorted(
            (count, name) for name, count in cells.items() if count > 0 and name not in hidden
        )
        if candidates:
            hidden.add(candidates[0][1])
    return SuppressedBreakdown(
        values={name: None if name in hidden else count for name, count in cells.items()},
        suppressed=[name for name in cells if name in hidden],
    )
