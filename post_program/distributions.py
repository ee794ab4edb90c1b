"""Percentiles of whole numbers counted by value ({value: how many times}), as the database
returns them, without listing every value: the survey results' medians and the report's
duration statistics. The interpolation is the report's (docs/metrics.md): with the n values
sorted as v[0] ≤ … ≤ v[n-1], h = (n - 1) * q / 100 and the result is
v[⌊h⌋] + (h - ⌊h⌋) * (v[⌊h⌋ + 1] - v[⌊h⌋]), as PostgreSQL's ``percentile_cont``."""

from __future__ import annotations

import math
from collections.abc import Mapping


def percentile_of_counts(counts: Mapping[int, int], q: float) -> float | None:
    """The ``q``-th percentile (0 ≤ q ≤ 100) of the values ``counts`` holds; None when empty."""
    ordered = sorted((value, count) for value, count in counts.items() if count)
    n = sum(count for _, count in ordered)
    if n == 0:
        return None
    rank = (n - 1) * q / 100
    lower = math.floor(rank)
    fraction = rank - lower

    def at(index: int) -> int:
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    if fraction == 0:
        return float(at(lower))
    return at(lower) + fraction * (at(lower + 1) - at(lower))


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of the values ``counts`` holds; None when empty."""
    return percentile_of_counts(counts, 50)
