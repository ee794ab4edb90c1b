"""Small-cell suppression: hand-worked breakdowns, then properties that hold for any input."""

import random
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from post_program.suppression import suppress_counts
from reporting import metrics as m

K = 11  # the default threshold, as in the CMS cell-size rule


# --- one breakdown, by hand --------------------------------------------------------------------


def test_a_single_small_cell_pulls_in_the_next_smallest() -> None:
    # event = 4 is under 11. Alone beside the shown total (84) it could be recomputed as
    # 84 - 40 - 25 - 15, so the next smallest, proactive = 15, is suppressed as well.
    result = suppress_counts({"self": 40, "third_party": 25, "event": 4, "proactive": 15}, K)
    assert result.values == {"self": 40, "third_party": 25, "event": None, "proactive": None}
    assert result.suppressed == ["event", "proactive"]


def test_zeros_are_shown_and_never_pulled_in() -> None:
    # third_party = 0 is smaller than proactive = 20 but zeros are shown: proactive goes.
    result = suppress_counts({"self": 40, "third_party": 0, "event": 3, "proactive": 20}, K)
    assert result.values == {"self": 40, "third_party": 0, "event": None, "proactive": None}
    assert result.suppressed == ["event", "proactive"]


def test_two_small_cells_need_no_complement() -> None:
    result = suppress_counts({"a": 3, "b": 5, "c": 50}, K)
    assert result.values == {"a": None, "b": None, "c": 50}
    assert result.suppressed == ["a", "b"]


def test_equal_candidates_are_broken_by_name() -> None:
    # c and b are both 20; b comes first by name whatever the order of the input.
    assert suppress_counts({"a": 2, "c": 20, "b": 20}, K).suppressed == ["a", "b"]
    assert suppress_counts({"c": 20, "b": 20, "a": 2}, K).suppressed == ["b", "a"]


def test_a_small_cell_beside_only_zeros_stays_alone() -> None:
    result = suppress_counts({"a": 0, "b": 7, "c": 0}, K)
    assert result.values == {"a": 0, "b": None, "c": 0}
    assert result.suppressed == ["b"]


def test_no_complement_when_the_total_is_not_shown() -> None:
    result = suppress_counts({"a": 4, "b": 30}, K, total_shown=False)
    assert result.values == {"a": None, "b": 30}


def test_threshold_none_reports_exact_counts() -> None:
    cells = {"self": 1, "third_party": 0, "event": 2, "proactive": 300}
    result = suppress_counts(cells, None)
    assert result.values == cells
    assert result.suppressed == []


def test_cells_at_or_above_the_threshold_are_unchanged() -> None:
    cells = {"supported": 11, "declined": 12, "unreachable": 0, "referred_out": 40, "open": 11}
    result = suppress_counts(cells, K)
    assert result.values == cells
    assert result.suppressed == []


def test_threshold_boundary() -> None:
    # 10 < 11 is suppressed, 11 is not; with 10 alone the next smallest (11) goes too.
    assert suppress_counts({"a": 10, "b": 11, "c": 12}, K).suppressed == ["a", "b"]
    # A threshold of 1 suppresses nothing: no count lies strictly between 0 and 1.
    assert suppress_counts({"a": 1, "b": 2}, 1).suppressed == []


def test_suppressed_names_follow_the_input_order() -> None:
    assert suppress_counts({"z": 3, "a": 4, "m": 50}, K).suppressed == ["z", "a"]


def test_empty_breakdown() -> None:
    result = suppress_counts({}, K)
    assert result.values == {}
    assert result.suppressed == []


def test_as_dict_lists_the_suppressed_cells_beside_the_values() -> None:
    result = suppress_counts({"self": 3, "third_party": 0, "event": 0, "proactive": 0}, K)
    assert result.as_dict() == {
        "self": None,
        "third_party": 0,
        "event": 0,
        "proactive": 0,
        "suppressed": ["self"],
    }


@pytest.mark.parametrize("threshold", [0, -5, True])
def test_invalid_thresholds_are_rejected(threshold: int) -> None:
    with pytest.raises(ValueError):
        suppress_counts({"a": 3}, threshold)


@pytest.mark.parametrize("count", [-1, True, 2.5])
def test_invalid_counts_are_rejected(count: Any) -> None:
    with pytest.raises(ValueError):
        suppress_counts({"a": count}, K)


def test_null_if_suppressed() -> None:
    assert m.null_if_suppressed(0.75, ["declined"], "supported", "declined") is None
    assert m.null_if_suppressed(0.75, ["open"], "supported", "declined") == 0.75
    assert m.null_if_suppressed(0.75, []) == 0.75


# --- survey item blocks ------------------------------------------------------------------------


def test_small_yes_count_hides_it_and_the_proportion() -> None:
    block = m.yes_block(5, 30)
    assert m.suppress_item(block, K) == {
        "yes": None,
        "respondents": 30,
        "proportion": None,
        "suppressed": ["yes"],
    }


def test_few_respondents_hide_respondents_and_proportion_but_show_zero() -> None:
    block = m.agree_block(0, 8)
    assert m.suppress_item(block, K) == {
        "agree": 0,
        "respondents": None,
        "proportion": None,
        "suppressed": ["respondents"],
    }


def test_large_item_block_is_unchanged() -> None:
    block = m.agree_block(20, 30)
    assert m.suppress_item(block, K) == {**block, "suppressed": []}
    assert m.suppress_item(m.agree_block(3, 4), None) == {
        "agree": 3,
        "respondents": 4,
        "proportion": 0.75,
        "suppressed": [],
    }


def test_item_block_needs_a_positive_count() -> None:
    with pytest.raises(ValueError):
        m.suppress_item({"respondents": 30, "proportion": None}, K)


def test_wellbeing_suppression() -> None:
    # 4 of 30 in poor well-being: the count and its proportion go; the mean of 30 stays.
    block = m.wellbeing_block(respondents=30, index_total=1770, poor_wellbeing=4)
    assert m.suppress_wellbeing(block, K) == {
        "respondents": 30,
        "mean_index": 59.0,
        "poor_wellbeing": None,
        "proportion_poor": None,
        "suppressed": ["poor_wellbeing"],
    }
    # 9 respondents: everything computed from them goes.
    few = m.wellbeing_block(respondents=9, index_total=540, poor_wellbeing=3)
    assert m.suppress_wellbeing(few, K) == {
        "respondents": None,
        "mean_index": None,
        "poor_wellbeing": None,
        "proportion_poor": None,
        "suppressed": ["respondents", "poor_wellbeing"],
    }


# --- by_department -----------------------------------------------------------------------------


def department(
    name: str,
    physicians: int,
    successful: int,
    unique: int,
    trained: int,
    survey: tuple[int, int],
) -> dict[str, Any]:
    return {
        "site": "North",
        "department": name,
        "launched_on": None,
        "adopted": True,
        "physicians": physicians,
        "successful_interactions": successful,
        "unique_physicians_supported": unique,
        "physician_years": physicians * 0.5,
        "interactions_per_100_physician_years": 12.5,
        "median_duration_minutes": 60.0,
        "supporters_trained": trained,
        "survey_had_interaction": m.yes_block(*survey),
    }


def test_by_department_suppresses_each_column_across_departments() -> None:
    rows = [
        department("A", physicians=40, successful=25, unique=20, trained=6, survey=(12, 30)),
        department("B", physicians=25, successful=3, unique=3, trained=12, survey=(15, 20)),
        department("C", physicians=8, successful=14, unique=12, trained=0, survey=(2, 9)),
    ]
    a, b, c = m.suppress_by_department(rows, K)
    # physicians 40/25/8: C is small, B (25) is the next smallest.
    # successful 25/3/14: B is small, C (14) is next.  unique 20/3/12: B, then C (12).
    # trained 6/12/0: A is small; C's zero is shown, so B (12) goes.
    # survey yes 12/15/2: C, then A (12).  respondents 30/20/9: C, then B (20).
    assert a["suppressed"] == ["supporters_trained"]
    assert b["suppressed"] == [
        "physicians",
        "successful_interactions",
        "unique_physicians_supported",
        "supporters_trained",
    ]
    assert c["suppressed"] == [
        "physicians",
        "successful_interactions",
        "unique_physicians_supported",
    ]
    assert (a["physicians"], b["physicians"], c["physicians"]) == (40, None, None)
    assert (a["supporters_trained"], b["supporters_trained"], c["supporters_trained"]) == (
        None,
        None,
        0,
    )
    # Values computed from suppressed counts go with them; A's stay.
    assert a["physician_years"] == 20.0
    assert a["interactions_per_100_physician_years"] == 12.5
    assert a["median_duration_minutes"] == 60.0
    for row in (b, c):
        assert row["physician_years"] is None
        assert row["interactions_per_100_physician_years"] is None
        assert row["median_duration_minutes"] is None
    assert a["survey_had_interaction"] == {
        "yes": None,
        "respondents": 30,
        "proportion": None,
        "suppressed": ["yes"],
    }
    assert b["survey_had_interaction"] == {
        "yes": 15,
        "respondents": None,
        "proportion": None,
        "suppressed": ["respondents"],
    }
    assert c["survey_had_interaction"] == {
        "yes": None,
        "respondents": None,
        "proportion": None,
        "suppressed": ["yes", "respondents"],
    }
    # Names and dates are untouched, and the input rows are not modified.
    assert (a["site"], a["department"], c["department"]) == ("North", "A", "C")
    assert rows[1]["physicians"] == 25
    assert "suppressed" not in rows[2]["survey_had_interaction"]


def test_by_department_without_threshold_only_adds_empty_lists() -> None:
    rows = [
        department("A", physicians=4, successful=2, unique=1, trained=1, survey=(1, 3)),
        department("B", physicians=7, successful=0, unique=0, trained=0, survey=(0, 0)),
    ]
    result = m.suppress_by_department(rows, None)
    for before, after in zip(rows, result, strict=True):
        assert after == {
            **before,
            "suppressed": [],
            "survey_had_interaction": {**before["survey_had_interaction"], "suppressed": []},
        }


def test_table_rows_need_distinct_keys() -> None:
    row = department("A", physicians=40, successful=25, unique=20, trained=16, survey=(12, 30))
    with pytest.raises(ValueError):
        m.suppress_by_department([row, dict(row)], K)


# --- properties --------------------------------------------------------------------------------

names = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
counts = st.integers(min_value=0, max_value=40)
breakdowns = st.dictionaries(names, counts, max_size=8)
thresholds = st.integers(min_value=1, max_value=20)


def shown(values: Mapping[str, int | None]) -> dict[str, int]:
    return {name: value for name, value in values.items() if value is not None}


@given(breakdowns, thresholds, st.booleans())
def test_no_shown_count_is_small(cells: dict[str, int], k: int, total_shown: bool) -> None:
    result = suppress_counts(cells, k, total_shown=total_shown)
    assert all(value == 0 or value >= k for value in shown(result.values).values())


@given(breakdowns, thresholds, st.booleans())
def test_shown_values_are_the_input_values(
    cells: dict[str, int], k: int, total_shown: bool
) -> None:
    result = suppress_counts(cells, k, total_shown=total_shown)
    assert list(result.values) == list(cells)
    assert all(cells[name] == value for name, value in shown(result.values).items())
    assert result.suppressed == [name for name in cells if result.values[name] is None]


@given(breakdowns, thresholds, st.booleans())
def test_zeros_are_never_suppressed(cells: dict[str, int], k: int, total_shown: bool) -> None:
    result = suppress_counts(cells, k, total_shown=total_shown)
    assert all(result.values[name] == 0 for name, count in cells.items() if count == 0)


@given(breakdowns, thresholds)
def test_a_lone_suppressed_cell_has_nothing_left_to_pull_in(cells: dict[str, int], k: int) -> None:
    result = suppress_counts(cells, k)
    if len(result.suppressed) == 1:
        (lone,) = result.suppressed
        assert all(count == 0 for name, count in cells.items() if name != lone)


@given(breakdowns, thresholds)
def test_at_most_one_cell_is_added_and_it_is_the_smallest_candidate(
    cells: dict[str, int], k: int
) -> None:
    result = suppress_counts(cells, k)
    small = {name for name, count in cells.items() if 0 < count < k}
    added = set(result.suppressed) - small
    assert small <= set(result.suppressed)
    assert len(added) <= 1
    if added:
        (extra,) = added
        assert len(small) == 1
        others = [(count, name) for name, count in cells.items() if count > 0 and name not in small]
        assert (cells[extra], extra) == min(others)


@given(breakdowns, thresholds, st.booleans(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(
    cells: dict[str, int], k: int, total_shown: bool, rnd: random.Random
) -> None:
    items = list(cells.items())
    rnd.shuffle(items)
    first = suppress_counts(cells, k, total_shown=total_shown)
    again = suppress_counts(cells, k, total_shown=total_shown)
    shuffled = suppress_counts(dict(items), k, total_shown=total_shown)
    assert again == first
    assert shuffled.values == first.values  # dict equality ignores order
    assert sorted(shuffled.suppressed) == sorted(first.suppressed)


@given(breakdowns, thresholds)
def test_a_second_pass_over_the_shown_cells_suppresses_nothing(
    cells: dict[str, int], k: int
) -> None:
    result = suppress_counts(cells, k)
    remaining = shown(result.values)
    again = suppress_counts(remaining, k, total_shown=False)
    assert again.values == remaining
    assert again.suppressed == []


@given(breakdowns, st.booleans())
def test_no_threshold_changes_nothing(cells: dict[str, int], total_shown: bool) -> None:
    result = suppress_counts(cells, None, total_shown=total_shown)
    assert result.values == cells
    assert result.suppressed == []


@given(breakdowns, thresholds)
def test_all_cells_at_or_above_threshold_change_nothing(cells: dict[str, int], k: int) -> None:
    raised = {name: count + k for name, count in cells.items()}
    result = suppress_counts(raised, k)
    assert result.values == raised
    assert result.suppressed == []


@given(counts, counts, thresholds)
def test_item_blocks_never_show_a_small_count(first: int, second: int, k: int) -> None:
    yes, respondents = sorted((first, second))
    result = m.suppress_item(m.yes_block(yes, respondents), k)
    for name in ("yes", "respondents"):
        value = result[name]
        assert value is None or value == 0 or value >= k
        assert (value is None) == (name in result["suppressed"])
    if result["suppressed"]:
        assert result["proportion"] is None
    else:
        assert result["proportion"] == m.proportion(yes, respondents)


department_counts = st.fixed_dictionaries(
    dict.fromkeys(m.BY_DEPARTMENT_COUNTS, counts)
    | {"survey": st.tuples(counts, counts).map(sorted)}
)
tables = st.dictionaries(st.text(alphabet="ABCDEF", min_size=1, max_size=2), department_counts)


@given(tables, thresholds)
def test_by_department_columns_behave_like_breakdowns(
    table: dict[str, dict[str, Any]], k: int
) -> None:
    rows = [
        {
            "site": "North",
            "department": name,
            **{column: values[column] for column in m.BY_DEPARTMENT_COUNTS},
            "physician_years": 1.5,
            "interactions_per_100_physician_years": 40.0,
            "median_duration_minutes": 55.0,
            "survey_had_interaction": m.yes_block(*values["survey"]),
        }
        for name, values in table.items()
    ]
    result = m.suppress_by_department(rows, k)
    assert [row["department"] for row in result] == list(table)

    columns: list[tuple[str, str | None]] = [(c, None) for c in m.BY_DEPARTMENT_COUNTS]
    columns += [("survey_had_interaction", "yes"), ("survey_had_interaction", "respondents")]
    for column, field in columns:

        def cell(row: Mapping[str, Any], column: str = column, field: str | None = field) -> Any:
            return row[column] if field is None else row[column][field]

        before = [cell(row) for row in rows]
        after = [cell(row) for row in result]
        for old, new in zip(before, after, strict=True):
            assert new is None or new == old
            assert new is None or new == 0 or new >= k
        hidden = [old for old, new in zip(before, after, strict=True) if new is None]
        if len(hidden) == 1:
            assert sum(before) == hidden[0]  # every other department is zero

    for row in result:
        for value, depends_on in m.BY_DEPARTMENT_DERIVED.items():
            expected_hidden = any(name in row["suppressed"] for name in depends_on)
            assert (row[value] is None) == expected_hidden
        block = row["survey_had_interaction"]
        assert (block["proportion"] is None) == (
            bool(block["suppressed"]) or block["respondents"] == 0
        )
