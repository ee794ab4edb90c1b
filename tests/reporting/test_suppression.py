"""Small-cell suppression: hand-worked breakdowns, then properties that hold for any input."""

import random
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from post_program.suppression import Relation, suppress_counts, suppress_related

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


# --- counts tied by sums (suppress_related) -------------------------------------------------


def test_a_small_unreported_rest_pulls_in_the_shown_part() -> None:
    # 28 of 30 answered yes: the 2 "no" answers are not reported, but 30 - 28 would give them.
    counts = {"respondents": 30, "yes": 28}
    relations = [Relation("respondents", ("yes",))]
    assert suppress_related(counts, K, relations) == {"yes"}


def test_a_rest_of_k_or_more_may_be_worked_out() -> None:
    counts = {"respondents": 30, "yes": 12}
    assert suppress_related(counts, K, [Relation("respondents", ("yes",))]) == set()


def test_a_complementary_cell_is_protected_in_every_relation_it_is_in() -> None:
    # x = 4 is small; y = 36 goes with it (total 40); y is also the total of y1 + y2, so
    # beside it y1 goes too (ties broken by name), or y would follow from y1 + y2.
    counts = {"total": 40, "x": 4, "y": 36, "y1": 18, "y2": 18}
    relations = [Relation("total", ("x", "y")), Relation("y", ("y1", "y2"))]
    assert suppress_related(counts, K, relations) == {"x", "y", "y1"}


def test_the_total_goes_when_no_cell_is_left_to_hide() -> None:
    # c = 20 is hidden beside d = 3; t holds the same count as c, so t goes too.
    counts = {"c": 20, "d": 3, "t": 20}
    relations = [Relation(None, ("c", "d")), Relation("t", ("c",)), Relation("c", ("t",))]
    assert suppress_related(counts, K, relations) == {"c", "d", "t"}


def test_cells_that_add_up_to_more_than_the_total_are_still_a_breakdown() -> None:
    # Distinct physicians per department: 11 + 2 > 12 (one was supported in both).
    counts = {"unique": 12, "a": 11, "b": 2}
    assert suppress_related(counts, K, [Relation("unique", ("a", "b"))]) == {"a", "b"}


def test_no_threshold_hides_nothing_in_relations() -> None:
    counts = {"respondents": 3, "yes": 1}
    assert suppress_related(counts, None, [Relation("respondents", ("yes",))]) == set()


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
