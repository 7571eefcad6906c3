"""Color functions of the search language: keep, drop and paint colors; majority and minority."""

import numpy as np

from arc_ttt.domain.search import colors
from arc_ttt.domain.search.cells import color_counts, fits, key, majority_color
from search_tasks import changes_nothing, g

A = g([[1, 2, 2], [0, 1, 3]])


def test_keep_color_turns_every_other_color_to_background():
    assert np.array_equal(colors.keep_color(A, 1), [[1, 0, 0], [0, 1, 0]])
    assert np.array_equal(colors.keep_color(A, 2, background=9), [[9, 2, 2], [9, 9, 9]])


def test_keep_color_of_an_absent_color_leaves_nothing_and_of_the_only_color_changes_nothing():
    gone = colors.keep_color(A, 7)
    assert gone is None or not gone.any()
    full = np.full((2, 2), 4, dtype=np.uint8)
    assert changes_nothing(colors.keep_color(full, 4), full)


def test_drop_color_turns_it_to_background():
    assert np.array_equal(colors.drop_color(A, 2), [[1, 0, 0], [0, 1, 3]])
    assert changes_nothing(colors.drop_color(A, 7), A)
    assert changes_nothing(colors.drop_color(A, 0), A)  # dropping the background


def test_paint_all_recolors_every_non_background_cell():
    assert np.array_equal(colors.paint_all(A, 5), [[5, 5, 5], [0, 5, 5]])
    empty = np.zeros((2, 2), dtype=np.uint8)
    assert changes_nothing(colors.paint_all(empty, 5), empty)


def test_majority_cell_is_the_most_common_non_background_color():
    grid = g([[1, 2, 2], [0, 0, 0], [0, 0, 0]])
    assert np.array_equal(colors.majority_cell(grid), [[2]])
    assert np.array_equal(colors.majority_cell(g([[2, 1]])), [[1]])  # the lowest on a tie
    assert colors.majority_cell(np.zeros((2, 2), dtype=np.uint8)) is None


def test_minority_cell_is_the_least_common_color_present():
    grid = g([[1, 2, 2], [0, 0, 0], [0, 0, 0]])
    assert np.array_equal(colors.minority_cell(grid), [[1]])
    assert np.array_equal(colors.minority_cell(g([[3, 3, 0, 0, 0]]), background=3), [[0]])
    assert colors.minority_cell(np.zeros((2, 2), dtype=np.uint8)) is None


def test_color_functions_leave_their_input_unchanged():
    before = A.copy()
    colors.keep_color(A, 1)
    colors.drop_color(A, 2)
    colors.paint_all(A, 5)
    assert np.array_equal(A, before)


def test_cells_facts():
    assert color_counts(A).tolist() == [1, 2, 2, 1, 0, 0, 0, 0, 0, 0]
    assert majority_color(g([[3, 1], [1, 3]])) == 1
    assert key(g([[1, 2]])) != key(g([[1], [2]]))  # same bytes, different shapes
    assert (
        fits(np.zeros((31, 1))) is None
        and fits(np.zeros((0, 3))) is None
        and fits(np.zeros(3)) is None
    )
    legal = fits(np.ones((30, 30), dtype=np.int64))
    assert legal is not None and legal.dtype == np.uint8
