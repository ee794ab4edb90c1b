"""The chart descriptions shared by the dashboard and the PDF, and the server-drawn SVG."""

from __future__ import annotations

import pytest

from reporting.charts import Chart, Series, chart_svg, quarter_label


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        ("2023-07-01", "2023-09-30", "2023 Q3"),
        ("2023-10-01", "2023-12-31", "2023 Q4"),
        ("2023-07-15", "2023-09-30", "2023 Q3 (part)"),
        ("2024-01-01", "2024-02-10", "2024 Q1 (part)"),
        ("2024-01-01", "2024-03-31", "2024 Q1"),
    ],
)
def test_quarter_labels(start, end, label):
    assert quarter_label(start, end) == label


def test_svg_escapes_every_text_and_marks_gaps():
    chart = Chart(
        id="chart-x",
        title='Rate <by> "department"',
        dimension="by_department",
        labels=["North/<script>alert(1)</script>", "South/B&C"],
        series=[Series("Per 100 physician-years", [12.5, None])],
    )
    svg = str(chart_svg(chart))
    assert "<script>" not in svg
    assert "North/&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "South/B&amp;C" in svg
    assert 'aria-label="Rate &lt;by&gt; &quot;department&quot;"' in svg
    assert "12.50" in svg
    assert "not available" in svg and "suppressed" not in svg
    assert chart.has_gaps
    assert chart.rows == [("North/<script>alert(1)</script>", [12.5]), ("South/B&C", [None])]
