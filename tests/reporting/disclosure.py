"""What a suppressed report must never disclose, checked on the report's JSON as a reader would
work it out: a count of care from 1 to K - 1, a figure computed from a hidden count, or a hidden
count recomputed as a total minus the shown cells beside it.

Written from docs/metrics.md (Suppression), independently of reporting/report_suppression.py:
every integer of the report is a count of care unless its key names the program itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

PROGRAM_COUNTS = frozenset(
    {
        "departments_total",
        "departments_adopted",
        "departments_sustained",
        "departments_eligible_for_sustainment",
        "physicians_total",
        "physicians_in_adopting_departments",
        "eligible_physicians",
        "physicians",
        "supporters_trained",
        "supporters_trained_in_period",
        "supporters_active",
        "supporters_retained",
        "supporters_eligible_for_retention",
        "supporters_training_current",
    }
)
"""Counts that describe the program (departments, roster, trained supporters): never hidden."""

PROGRAM_FIGURES = frozenset(
    {
        "physician_years",
        "proportion_departments",
        "proportion_physicians_covered",
        "supporters_per_100_physicians",
    }
)
"""Figures computed from program counts only."""

LABELS = frozenset({"from", "to", "site", "department", "launched_on", "adopted", "suppressed"})
PARTS = ("reach", "effectiveness", "adoption", "implementation", "maintenance", "supplementary")


def numbers(data: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, value) of every number or null of the report, paths as key/index tuples."""

    def walk(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in LABELS:
                    yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, (*path, index))
        else:
            yield path, node

    for part in (*PARTS, "by_department"):
        yield from walk(data[part], (part,))


def get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def is_care_count(path: tuple[Any, ...], exact_value: Any) -> bool:
    return (
        isinstance(exact_value, int)
        and not isinstance(exact_value, bool)
        and path[-1] not in PROGRAM_COUNTS
    )


def bases(data: dict[str, Any], path: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The counts a figure is computed from (its base); [] for a figure of the program."""
    leaf, parent = path[-1], path[:-1]
    block = get(data, parent)
    local = {
        "proportion": [("agree" if "agree" in block else "yes"), "respondents"],
        "mean_index": ["respondents"],
        "proportion_poor": ["poor_wellbeing", "respondents"],
        "median": ["n"],
        "p25": ["n"],
        "p75": ["n"],
        "mean": ["n"],
        "interactions_per_100_physician_years": ["successful_interactions"],
        "median_duration_minutes": ["successful_interactions"],
        "proportion_supported": ["unique_physicians_supported"],
        "proportion_within_deadline": ["within_deadline", "received"],
    }
    successful = ("reach", "successful_interactions")
    if leaf in local:
        return [(*parent, key) for key in local[leaf]]
    if leaf == "total_support_hours":
        return [successful]
    if leaf == "escalation_rate":
        return [("implementation", "escalated"), successful]
    if leaf == "acceptance_rate":
        return [(*parent, "outcomes", "supported"), (*parent, "outcomes", "declined")]
    if leaf == "trend_ratio":
        last = len(data["maintenance"]["by_year"]) - 1
        return [
            ("maintenance", "by_year", 0, "successful_interactions"),
            ("maintenance", "by_year", last, "successful_interactions"),
        ]
    if leaf in PROGRAM_FIGURES:
        return []
    raise AssertionError(f"unclassified figure {path}")


def sums(exact: dict[str, Any]) -> list[tuple[tuple[Any, ...], list[tuple[Any, ...]], bool]]:
    """(total, cells, exact) for every sum a reader can subtract from: breakdowns, stages,
    windows, departments, survey answers. ``exact`` is False where the cells may add up to more
    than the total (distinct physicians counted per department)."""
    successful = ("reach", "successful_interactions")
    received = ("implementation", "referrals", "received")
    contacted = ("implementation", "referrals", "contacted")
    within = ("implementation", "referrals", "within_deadline")

    def cells(*path: Any) -> list[tuple[Any, ...]]:
        return [(*path, key) for key in get(exact, path) if key != "suppressed"]

    def column(part: str, *key: Any) -> list[tuple[Any, ...]]:
        return [(part, i, *key) for i in range(len(get(exact, (part,))))]

    relations = [
        (successful, cells("reach", "by_source"), True),
        (successful, cells("supplementary", "duration_histogram"), True),
        (("reach", "interactions_logged"), [successful], True),
        (successful, [("implementation", "escalated")], True),
        (successful, [("implementation", "duration_minutes", "n")], True),
        (("implementation", "duration_minutes", "n"), [successful], True),
        (received, cells("implementation", "referrals", "by_source"), True),
        (received, cells("implementation", "referrals", "outcomes"), True),
        (received, [contacted], True),
        (contacted, [within], True),
        (received, [within], True),
        (contacted, [("implementation", "referrals", "hours_to_first_contact", "n")], True),
        (("implementation", "referrals", "hours_to_first_contact", "n"), [contacted], True),
        (successful, window_counts(exact, "by_year"), True),
        (successful, window_counts(exact, "by_quarter"), True),
        (successful, column("by_department", "successful_interactions"), True),
        (
            ("reach", "unique_physicians_supported"),
            column("by_department", "unique_physicians_supported"),
            False,
        ),
        (
            ("reach", "survey_had_interaction", "respondents"),
            column("by_department", "survey_had_interaction", "respondents"),
            True,
        ),
        (
            ("reach", "survey_had_interaction", "yes"),
            column("by_department", "survey_had_interaction", "yes"),
            True,
        ),
        (
            ("effectiveness", "wellbeing", "respondents"),
            [("effectiveness", "wellbeing", "poor_wellbeing")],
            True,
        ),
    ]
    quarters = exact["maintenance"]["by_quarter"]
    for index, quarter in enumerate(exact["supplementary"]["quarterly_trend"]):
        shown_as = ("supplementary", "quarterly_trend", index, "successful_interactions")
        in_quarters = ("maintenance", "by_quarter", index, "successful_interactions")
        assert (quarter["from"], quarter["to"]) == (quarters[index]["from"], quarters[index]["to"])
        relations += [(shown_as, [in_quarters], True), (in_quarters, [shown_as], True)]
    for index, year in enumerate(exact["maintenance"]["by_year"]):
        inside = [i for i, q in enumerate(quarters) if year["from"] <= q["from"] <= year["to"]]
        if (
            inside
            and quarters[inside[0]]["from"] == year["from"]
            and quarters[inside[-1]]["to"] == year["to"]
        ):
            relations.append(
                (
                    ("maintenance", "by_year", index, "successful_interactions"),
                    [("maintenance", "by_quarter", i, "successful_interactions") for i in inside],
                    True,
                )
            )
    for path, _ in numbers(exact):
        if path[-1] == "respondents" and isinstance(get(exact, path[:-1]), dict):
            block = get(exact, path[:-1])
            positive = next((k for k in ("agree", "yes") if k in block), None)
            if positive is not None:
                relations.append((path, [(*path[:-1], positive)], True))
    return relations


def window_counts(exact: dict[str, Any], key: str) -> list[tuple[Any, ...]]:
    """The successful interactions of each ``by_year`` or ``by_quarter`` window."""
    windows = exact["maintenance"][key]
    return [("maintenance", key, i, "successful_interactions") for i in range(len(windows))]


def disclosures(data: dict[str, Any], exact: dict[str, Any], threshold: int) -> list[str]:
    """Everything the suppressed report ``data`` gives away; [] when it holds."""
    found = []
    for path, value in numbers(exact):
        shown = get(data, path)
        hidden = shown is None and value is not None
        if hidden and path[-1] not in get(data, path[:-1])["suppressed"]:
            found.append(f"{path} is null but not listed as suppressed")
        if not hidden and shown != value:
            found.append(f"{path} shows {shown!r} instead of {value!r}")
        if is_care_count(path, value):
            if shown is not None and 0 < shown < threshold:
                found.append(f"count of care {path} = {shown} is below {threshold}")
        elif path[-1] in PROGRAM_COUNTS and hidden:
            found.append(f"program count {path} is hidden")
        elif isinstance(value, float) or value is None:
            for base in bases(exact, path):
                base_shown = get(data, base)
                too_few = base_shown is None or 0 < base_shown < threshold
                if too_few and shown is not None:
                    found.append(f"{path} = {shown} is computed from {base} = {base_shown}")
    for total, cells, is_exact in sums(exact):
        if get(data, total) is None:
            continue
        unknown = [cell for cell in cells if get(data, cell) is None]
        rest = get(exact, total) - sum(get(exact, cell) for cell in cells)
        if is_exact and rest != 0:
            unknown.append(("the unreported rest",))
        if len(unknown) != 1:
            continue
        if unknown[0] == ("the unreported rest",):
            if 0 < rest < threshold:
                found.append(f"{total} minus {cells} gives a count of {rest}")
        else:
            found.append(f"{unknown[0]} = {total} minus the shown cells {cells}")
    return found
