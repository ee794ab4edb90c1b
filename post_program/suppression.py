"""Suppression of small counts (docs/metrics.md, Suppression): one rule for reports and surveys.

"With a threshold K, every count c with 0 < c < K ... becomes null, its name is listed in a
suppressed array beside it ... Where one breakdown would then hold exactly one suppressed cell
beside a shown total (or a shown total would let a cell be recomputed by subtraction), the next
smallest cell is suppressed as well. Zeros are shown."

``suppress_related`` applies the rule to named counts tied by sums (``Relation``: a total and
the cells that add up to it); ``suppress_counts`` is the same rule for one breakdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


@dataclass(frozen=True)
class Relation:
    """A sum between named counts: ``total`` = the sum of ``cells`` + an unreported rest.

    The rest (total - sum of cells, when positive) is a count nobody reports, such as the "no"
    answers beside ``yes`` and ``respondents``: hidden by nature, and protected like a
    suppressed cell when it is small.  ``total=None`` is a total shown outside the counts given
    (it is then the sum of the cells).  Cells that may add up to more than the total (distinct
    people counted in each department) leave no rest and are still protected as a breakdown.
    A count equal to another is the relation of each to the other.
    """

    total: str | None
    cells: tuple[str, ...]


def suppress_related(
    counts: Mapping[str, int], threshold: int | None, relations: Sequence[Relation]
) -> set[str]:
    """The names to suppress among ``counts`` so that no count 0 < c < K is shown and no hidden
    count can be recomputed by subtraction within a relation.

    First every small count is hidden.  Then, until nothing changes, each relation that holds
    exactly one hidden member (a hidden count, or a small unreported rest) gets a second: the
    smallest non-zero shown cell, ties broken by name, or the total when no cell is left.
    Zeros are never hidden.  ``threshold=None`` hides nothing.
    """
    check_threshold(threshold)
    for name, count in counts.items():
        check_count(name, count)
    if threshold is None:
        return set()
    hidden = {name for name, count in counts.items() if is_small(count, threshold)}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            extra = _complement(relation, counts, hidden, threshold)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return hidden


def _complement(
    relation: Relation, counts: Mapping[str, int], hidden: set[str], threshold: int
) -> str | None:
    """The count to hide beside a relation's one hidden member (None when none is needed)."""
    cells_sum = sum(counts[cell] for cell in relation.cells)
    rest = 0 if relation.total is None else counts[relation.total] - cells_sum
    members = [*relation.cells, *([relation.total] if relation.total is not None else [])]
    hidden_members = [name for name in members if name in hidden]
    if len(hidden_members) + (rest > 0) != 1:
        return None
    if not hidden_members and not is_small(rest, threshold):
        return None  # only a rest of K or more is unreported: it may be worked out
    candidates = sorted(
        (counts[cell], cell) for cell in relation.cells if cell not in hidden and counts[cell] > 0
    )
    if candidates:
        return candidates[0][1]
    total = relation.total
    if total is not None and total not in hidden and counts[total] > 0:
        return total
    return None


def suppress_counts(
    cells: Mapping[str, int],
    threshold: int | None,
    *,
    total_shown: bool = True,
) -> SuppressedBreakdown:
    """Suppress the small cells of one breakdown (a survey question's answers, ...).

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
    relations = [Relation(None, tuple(cells))] if total_shown else []
    hidden = suppress_related(cells, threshold, relations)
    return SuppressedBreakdown(
        values={name: None if name in hidden else count for name, count in cells.items()},
        suppressed=[name for name in cells if name in hidden],
    )
