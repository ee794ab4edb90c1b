"""The report as JSON: the numbers of ``report.data`` as they are."""

from __future__ import annotations

import json

from ..report import ReAimReport


def render_json(report: ReAimReport) -> str:
    """The JSON contract of ``docs/metrics.md`` (numbers unrounded)."""
    return json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"
