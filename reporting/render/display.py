"""How the report's numbers read on the dashboard, in the PDF and in the workbook's sheet names."""

from __future__ import annotations

from typing import Any

DIMENSION_LABELS = {
    "reach": "Reach",
    "effectiveness": "Effectiveness",
    "adoption": "Adoption",
    "implementation": "Implementation",
    "maintenance": "Maintenance",
    "by_department": "By department",
    "supplementary": "Supplementary",
}

PERCENT_LEAVES = ("proportion", "escalation_rate", "acceptance_rate")


def is_percent(path: str) -> bool:
    """Whether the number at ``path`` is a proportion, shown as a percentage."""
    leaf = path.rpartition(".")[2]
    return leaf.startswith("proportion") or leaf in PERCENT_LEAVES


def display_number(path: str, value: Any, *, suppressed: bool = False) -> str:
    """A number as people read it: proportions as percentages (one decimal), other fractions
    with two decimals, counts as they are; "suppressed" and "not available" (null)."""
    if suppressed:
        return "suppressed"
    if value is None:
        return "not available"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if is_percent(path):
            return f"{value * 100:.1f}%"
        return f"{value:,.2f}"
    return str(value)


def metric_label(name: str) -> str:
    """``referrals.by_source.third_party`` -> ``Referrals · by source · third party``."""
    parts = [part.replace("_", " ") for part in name.split(".")]
    return " · ".join([parts[0][:1].upper() + parts[0][1:], *parts[1:]])
