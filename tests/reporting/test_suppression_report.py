"""Suppression on the report as shown to leads and in shareable exports: whatever the counts,
no count from 1 to K-1 is shown in a breakdown or a survey item, nothing computed from a hidden
count is shown, and no breakdown leaves a single hidden cell beside its shown total."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting import metrics
from reporting.report import ReAimReport, period_parse
from tests.factories import (
    DepartmentFactory,
    PeerSupporterFactory,
    PhysicianFactory,
    SiteFactory,
)
from tests.surveys.factories import builtin_instruments, make_response, version_of

from .factories import make_interaction, make_referral

SOURCES = ("self", "third_party", "event")
OUTCOMES = (None, "supported", "declined", "unreachable", "referred_out")
INTERACTION_SOURCES = ("self", "third_party", "event", "proactive")

department_strategy = st.fixed_dictionaries(
    {
        "physicians": st.integers(0, 14),
        "referrals": st.lists(
            st.tuples(st.sampled_from(SOURCES), st.sampled_from(OUTCOMES)), max_size=14
        ),
        "had_interaction": st.lists(st.booleans(), max_size=14),
        "interactions": st.lists(
            st.tuples(
                st.sampled_from(INTERACTION_SOURCES),
                st.booleans(),  # successful
                st.booleans(),  # linked to a roster entry
                st.integers(1, 150),  # minutes
            ),
            max_size=14,
        ),
    }
)


def shown_counts(data: dict) -> list[tuple[str, dict, list[str]]]:
    """(name, block, count keys) of every block the suppression rule covers."""
    blocks = []
    blocks.append(("reach.by_source", data["reach"]["by_source"], list(INTERACTION_SOURCES)))
    histogram = data["supplementary"]["duration_histogram"]
    blocks.append(("duration_histogram", histogram, [k for k in histogram if k != "suppressed"]))
    referrals = data["implementation"]["referrals"]
    blocks.append(("referrals.by_source", referrals["by_source"], list(SOURCES)))
    blocks.append(
        (
            "referrals.outcomes",
            referrals["outcomes"],
            [k for k in referrals["outcomes"] if k != "suppressed"],
        )
    )
    blocks.append(
        ("survey_had_interaction", data["reach"]["survey_had_interaction"], ["yes", "respondents"])
    )
    effectiveness = data["effectiveness"]
    blocks.append(("would_recommend", effectiveness["would_recommend"], ["yes", "respondents"]))
    for name, block in effectiveness["recipient_feedback"].items():
        keys = ["agree" if "agree" in block else "yes", "respondents"]
        blocks.append((name, block, keys))
    for row in data["by_department"]:
        blocks.append(
            (
                row["department"],
                row,
                [c for c in metrics.BY_DEPARTMENT_COUNTS if c in row],
            )
        )
        blocks.append((row["department"], row["survey_had_interaction"], ["yes", "respondents"]))
    return blocks


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    departments=st.lists(department_strategy, min_size=1, max_size=4), threshold=st.integers(2, 12)
)
def test_no_small_count_is_ever_shown(db, departments, threshold):
    with transaction.atomic():
        builtin_instruments()
        evaluation = version_of("program_evaluation")
        site = SiteFactory(name="Site")
        supporter = None
        for index, spec in enumerate(departments):
            department = DepartmentFactory(
                site=site, name=f"D{index}", launched_on=date(2020, 1, 1)
            )
            PhysicianFactory.create_batch(spec["physicians"], department=department)
            if supporter is None:
                supporter = PeerSupporterFactory(physician=PhysicianFactory(department=department))
            for day, (source, successful, linked, minutes) in enumerate(
                spec["interactions"], start=1
            ):
                make_interaction(
                    department=department,
                    supporter=supporter,
                    physician=PhysicianFactory(department=department) if linked else None,
                    occurred_on=date(2020, 4, day),
                    successful=successful,
                    duration_minutes=minutes if successful else 0,
                    source=source,
                )
            for day, (source, outcome) in enumerate(spec["referrals"], start=1):
                make_referral(
                    department,
                    datetime(2020, 3, day, 9, tzinfo=UTC),
                    source,
                    contact_hours=2 if outcome else None,
                    outcome=outcome,
                )
            for answer in spec["had_interaction"]:
                make_response(
                    None,
                    department,
                    {"had_interaction": answer},
                    submitted_on=date(2020, 5, 1),
                    version=evaluation,
                )
        report = ReAimReport(period=period_parse("2020-01-01", "2020-12-31"), threshold=threshold)
        data, exact = report.data, report.exact
        transaction.set_rollback(True)

    for name, block, keys in shown_counts(data):
        for key in keys:
            value = block[key]
            assert value is None or value == 0 or value >= threshold, (name, key, value)
            if value is None:
                assert key in block["suppressed"], (name, key)
        if "proportion" in block and block["suppressed"]:
            assert block["proportion"] is None, name
    # A hidden count hides what is computed from it.
    referrals = data["implementation"]["referrals"]
    if {"supported", "declined"} & set(referrals["outcomes"]["suppressed"]):
        assert referrals["acceptance_rate"] is None
    for row in data["by_department"]:
        if "physicians" in row["suppressed"]:
            assert row["physician_years"] is None
            assert row["interactions_per_100_physician_years"] is None
        if "successful_interactions" in row["suppressed"]:
            assert row["median_duration_minutes"] is None
            assert row["interactions_per_100_physician_years"] is None
    # Complementary suppression: never exactly one hidden cell when another could be hidden.
    for name, block, exact_cells in (
        (
            "referrals.by_source",
            referrals["by_source"],
            exact["implementation"]["referrals"]["by_source"],
        ),
        (
            "referrals.outcomes",
            referrals["outcomes"],
            exact["implementation"]["referrals"]["outcomes"],
        ),
        ("reach.by_source", data["reach"]["by_source"], exact["reach"]["by_source"]),
        (
            "duration_histogram",
            data["supplementary"]["duration_histogram"],
            exact["supplementary"]["duration_histogram"],
        ),
    ):
        cells = {k: v for k, v in block.items() if k != "suppressed"}
        others = [k for k, v in exact_cells.items() if v > 0 and k not in block["suppressed"]]
        assert len(block["suppressed"]) != 1 or not others, (name, cells)
    for column in [c for c in metrics.BY_DEPARTMENT_COUNTS if c in data["by_department"][0]]:
        hidden = [r for r in data["by_department"] if column in r["suppressed"]]
        nonzero_shown = [
            r for r in data["by_department"] if column not in r["suppressed"] and r[column]
        ]
        assert len(hidden) != 1 or not nonzero_shown, column
    # Totals are exact counts and are never hidden; zeros are shown.
    assert referrals["received"] == exact["implementation"]["referrals"]["received"]
