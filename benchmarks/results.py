"""The benchmark's figures: value against floor, the target each must meet, and the results file.

Pure Python (no Django, no database), so that tests can check the arithmetic. A size's run
(`benchmarks.size`) emits `Figure`s as dicts; the parent (`benchmarks.__main__`) gathers them
over the sizes, fits how each grows with the size and writes `bench/results.json`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .misses import explained

# What a target compares, and how.
RATIO_AT_MOST = "ratio<="  # value / floor <= limit (a time against the time of its floor)
RATIO_AT_LEAST = "ratio>="  # value / floor >= limit (a rate against the rate of its floor)
BELOW = "value<"  # value < limit, in the figure's unit
SAME_ACROSS_SIZES = "same across sizes"  # the value does not change with the size (query counts)


@dataclass(frozen=True)
class Target:
    kind: str
    limit: float | None = None

    def label(self) -> str:
        if self.kind == SAME_ACROSS_SIZES:
            return self.kind
        if self.kind == BELOW:
            return f"< {self.limit:g}"
        return f"{'≤' if self.kind == RATIO_AT_MOST else '≥'} {self.limit:g}x"


@dataclass(frozen=True)
class Figure:
    """One measured figure at one size: its value, its floor (None when it has none), its unit
    and its target (None when it has none)."""

    name: str
    unit: str
    value: float | None
    floor: float | None = None
    target: Target | None = None

    @property
    def ratio(self) -> float | None:
        return ratio(self.value, self.floor)

    @property
    def met(self) -> bool | None:
        return met(self.target, self.value, self.floor)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "value": self.value,
            "floor": self.floor,
            "ratio": self.ratio,
            "target": asdict(self.target) if self.target else None,
            "met": self.met,
        }


def ratio(value: float | None, floor: float | None) -> float | None:
    """value / floor; None without both or with a floor of 0."""
    if value is None or floor is None or floor == 0:
        return None
    return value / floor


def met(target: Target | None, value: float | None, floor: float | None) -> bool | None:
    """Whether one size's figure meets its target; None when there is no target, nothing to
    compare, or the target is judged across sizes (`same_across_sizes`)."""
    if target is None or value is None or target.kind == SAME_ACROSS_SIZES:
        return None
    assert target.limit is not None
    if target.kind == BELOW:
        return value < target.limit
    r = ratio(value, floor)
    if r is None:
        return None
    return r <= target.limit if target.kind == RATIO_AT_MOST else r >= target.limit


def exponent(sizes: Sequence[float], values: Sequence[float | None]) -> float | None:
    """k of value ∝ size^k, by least squares on log(value) against log(size) over the sizes
    with a positive value; None with fewer than two such sizes (or all of one size)."""
    points = [
        (math.log(s), math.log(v))
        for s, v in zip(sizes, values, strict=True)
        if v is not None and v > 0 and s > 0
    ]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def size_key(size: float) -> str:
    """How a size is written in the results and in database names: 0.1, 0.333, 1."""
    return f"{size:g}"


def gather(
    sizes: Sequence[float], runs: Mapping[str, Iterable[Mapping[str, Any]]]
) -> list[dict[str, Any]]:
    """One entry per figure over every size: the per-size figures of `runs` (size key ->
    figure dicts), the exponents of value and floor, and whether the largest size met the
    target (for `same_across_sizes`, whether every size gave the same value)."""
    keys = [size_key(s) for s in sizes]
    by_name: dict[str, dict[str, Any]] = {}
    for key in keys:
        for figure in runs.get(key, ()):
            entry = by_name.setdefault(
                figure["name"],
                {"name": figure["name"], "unit": figure["unit"], "target": figure["target"]},
            )
            entry.setdefault("by_size", {})[key] = {
                field: figure[field] for field in ("value", "floor", "ratio", "met")
            }
    gathered = []
    for entry in by_name.values():
        measured = entry["by_size"]
        present = [(s, k) for s, k in zip(sizes, keys, strict=True) if k in measured]
        entry["exponent"] = {
            field: exponent([s for s, _ in present], [measured[k][field] for _, k in present])
            for field in ("value", "floor")
        }
        target = entry["target"]
        if target and target["kind"] == SAME_ACROSS_SIZES:
            values = {measured[k]["value"] for _, k in present}
            entry["met"] = len(values) == 1 if present else None
        else:
            entry["met"] = measured[present[-1][1]]["met"] if present else None
        gathered.append(entry)
    return gathered


def results_document(
    *, sizes: Sequence[float], runs: Mapping[str, Iterable[Mapping[str, Any]]], about: dict
) -> dict[str, Any]:
    """The content of bench/results.json: each missed figure says why (``misses.CAUSES``)."""
    return {
        **about,
        "sizes": [size_key(s) for s in sizes],
        "figures": explained(gather(sizes, runs)),
    }


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value == int(value) and abs(value) >= 1:
        return f"{int(value)}"
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"


def _met(value: bool | None) -> str:
    return {True: "met", False: "MISSED", None: ""}[value]


def table(document: Mapping[str, Any]) -> str:
    """The results as a plain-text table: one line per figure and size, with its exponent on
    the line of the largest size and the verdict (at the largest size) on it too."""
    header = ("figure", "unit", "size", "value", "floor", "ratio", "target", "met", "k")
    lines = [header]
    for entry in document["figures"]:
        target = Target(**entry["target"]).label() if entry["target"] else ""
        keys = [k for k in document["sizes"] if k in entry["by_size"]]
        for i, key in enumerate(keys):
            row = entry["by_size"][key]
            last = i == len(keys) - 1
            k = entry["exponent"]["value"]
            lines.append(
                (
                    entry["name"] if i == 0 else "",
                    entry["unit"] if i == 0 else "",
                    key,
                    _number(row["value"]),
                    _number(row["floor"]),
                    f"{row['ratio']:.2f}" if row["ratio"] is not None else "-",
                    target if last else "",
                    _met(entry["met"]) if last else "",
                    f"{k:.2f}" if last and k is not None else "",
                )
            )
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def misses(document: Mapping[str, Any]) -> str:
    """Each missed figure and why, one a line (or that no cause is written)."""
    return "\n".join(
        f"MISSED {entry['name']}: {entry.get('why') or 'no measured cause written'}"
        for entry in document["figures"]
        if entry.get("met") is False
    )
