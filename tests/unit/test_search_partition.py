"""A grid split into parts: separator lines, equal halves, cell-wise logic, overlays, picks."""

import numpy as np
import pytest

from arc_ttt.domain.search import partition
from search_tasks import g


def as_lists(parts):
    return [p.tolist() for p in parts]


def test_split_lines_at_rows_and_columns_of_one_color():
    a = g([[1, 5, 2], [5, 5, 5], [3, 5, 4]])
    assert as_lists(partition.split_lines(a)) == [[[1]], [[2]], [[3]], [[4]]]


def test_split_lines_at_a_separator_row():
    a = g([[1, 2], [5, 5], [3, 4], [6, 7]])
    assert as_lists(partition.split_lines(a)) == [[[1, 2]], [[3, 4], [6, 7]]]


def test_split_lines_at_a_thick_separator():
    a = g([[1, 8, 8, 2]])
    assert as_lists(partition.split_lines(a)) == [[[1]], [[2]]]


def test_split_lines_does_not_apply_without_a_separator():
    assert partition.split_lines(g([[1, 2], [3, 4]])) is None
    assert partition.split_lines(g([[1, 1], [2, 3]])) is None  # a uniform edge row leaves one part


def test_split_equal():
    a = g([[1, 2], [3, 4], [5, 6], [7, 8]])
    assert as_lists(partition.split_equal(a, axis=0)) == [[[1, 2], [3, 4]], [[5, 6], [7, 8]]]
    assert as_lists(partition.split_equal(a, axis=1)) == [
        [[1], [3], [5], [7]],
        [[2], [4], [6], [8]],
    ]
    assert as_lists(partition.split_equal(g([[1, 2, 3]]), axis=1, n=3)) == [[[1]], [[2]], [[3]]]
    assert partition.split_equal(g([[1, 2, 3]]), axis=1) is None


P = g([[3, 0, 3, 0]])
Q = g([[4, 4, 0, 0]])


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("and", [[1, 0, 0, 0]]),
        ("or", [[1, 1, 1, 0]]),
        ("xor", [[0, 1, 1, 0]]),
        ("nor", [[0, 0, 0, 1]]),
        ("left_only", [[0, 0, 1, 0]]),
        ("right_only", [[0, 1, 0, 0]]),
    ],
)
def test_combine_is_cell_wise_logic_with_true_as_1(how, expected):
    out = partition.combine([P, Q], how)
    assert out.dtype == np.uint8
    assert np.array_equal(out, expected)


def test_every_logic_has_a_case():
    assert set(partition.LOGIC) == {"and", "or", "xor", "nor", "left_only", "right_only"}


def test_combine_needs_two_parts_of_one_size():
    assert partition.combine(None, "and") is None
    assert partition.combine([P], "and") is None
    assert partition.combine([P, Q, P], "and") is None
    assert partition.combine([P, g([[1, 1]])], "and") is None


def test_overlay_stacks_parts_with_background_transparent():
    low, high = g([[1, 0], [0, 0]]), g([[2, 2], [0, 0]])
    assert np.array_equal(partition.overlay([low, high], last_on_top=True), [[2, 2], [0, 0]])
    assert np.array_equal(partition.overlay([low, high], last_on_top=False), [[1, 2], [0, 0]])
    assert partition.overlay([low, g([[1]])], last_on_top=True) is None
    assert partition.overlay(None, last_on_top=True) is None


ONE, TWO, THREE = g([[1, 0], [0, 0]]), g([[1, 1], [0, 0]]), g([[1, 1], [1, 0]])


@pytest.mark.parametrize(
    ("how", "parts", "expected"),
    [
        ("most_filled", [ONE, THREE, TWO], THREE),
        ("least_filled", [TWO, ONE, THREE], ONE),
        ("first", [TWO, ONE, THREE], TWO),
        ("last", [TWO, ONE, THREE], THREE),
        ("odd_one", [ONE, TWO, ONE], TWO),
        ("most_colors", [g([[1, 1]]), g([[1, 2]]), g([[2, 2]])], g([[1, 2]])),
        (
            "symmetric",
            [g([[1, 1], [0, 0]]), g([[1, 2], [0, 3]]), g([[3, 1], [0, 2]])],
            g([[1, 1], [0, 0]]),
        ),
        (
            "asymmetric",
            [g([[1, 1], [0, 0]]), g([[2, 2], [0, 0]]), g([[1, 2], [0, 3]])],
            g([[1, 2], [0, 3]]),
        ),
    ],
)
def test_pick_part(how, parts, expected):
    assert np.array_equal(partition.pick_part(parts, how), expected)


def test_every_part_pick_has_a_case():
    assert set(partition.PART_PICKS) == {
        "symmetric",
        "asymmetric",
        "most_filled",
        "least_filled",
        "odd_one",
        "most_colors",
        "first",
        "last",
    }


def test_pick_part_on_a_tie_does_not_apply():
    assert partition.pick_part([TWO, TWO.T], "most_filled") is None
    assert partition.pick_part([ONE, TWO, THREE], "odd_one") is None  # every part is odd
    assert partition.pick_part([ONE, TWO], "odd_one") is None  # two parts: which one is odd?
    assert partition.pick_part([ONE.T, ONE], "symmetric") is None  # neither is
    assert partition.pick_part([], "first") is None
    assert partition.pick_part(None, "first") is None
