"""Shape-changing grid functions of the search language, on hand-made grids."""

import numpy as np
import pytest

from arc_ttt.domain.search import geometry
from search_tasks import g


def same(actual, expected) -> bool:
    return (
        actual is not None
        and actual.shape == np.shape(expected)
        and np.array_equal(actual, expected)
    )


def test_crop_keeps_the_smallest_rectangle_holding_every_non_background_cell():
    a = g([[0, 0, 0, 0], [0, 1, 2, 0], [0, 0, 3, 0], [0, 0, 0, 0]])
    assert same(geometry.crop(a), [[1, 2], [0, 3]])


def test_crop_with_another_background():
    a = g([[5, 5, 5], [5, 5, 1], [5, 5, 5]])
    assert same(geometry.crop(a, background=5), [[1]])


def test_crop_of_an_all_background_grid_does_not_apply():
    assert geometry.crop(g([[0, 0], [0, 0]])) is None


def test_crop_majority_crops_around_cells_that_are_not_the_most_common_color():
    a = g([[7, 7, 7, 7], [7, 1, 7, 7], [7, 7, 2, 7], [7, 7, 7, 7]])
    assert same(geometry.crop_majority(a), [[1, 7], [7, 2]])


def test_scale_up_turns_each_cell_into_a_block():
    assert same(geometry.scale_up(g([[1, 2]]), 2), [[1, 1, 2, 2], [1, 1, 2, 2]])
    assert same(geometry.scale_up(g([[3]]), 3), [[3, 3, 3]] * 3)


def test_scale_up_beyond_30_cells_does_not_apply():
    assert geometry.scale_up(np.zeros((16, 2), dtype=np.uint8), 2) is None
    assert geometry.scale_up(np.zeros((2, 11), dtype=np.uint8), 3) is None
    assert geometry.scale_up(np.zeros((15, 15), dtype=np.uint8), 2) is not None


def test_scale_down_undoes_scale_up():
    assert same(geometry.scale_down(g([[1, 1, 2, 2], [1, 1, 2, 2]]), 2), [[1, 2]])


def test_scale_down_needs_uniform_blocks_and_a_dividing_size():
    assert geometry.scale_down(g([[1, 1, 2, 2], [1, 3, 2, 2]]), 2) is None
    assert geometry.scale_down(g([[1, 1, 1], [1, 1, 1]]), 2) is None


def test_tile_repeats_the_grid():
    assert same(geometry.tile(g([[1, 2]]), 2, 2), [[1, 2, 1, 2], [1, 2, 1, 2]])
    assert same(geometry.tile(g([[1], [2]]), 1, 3), [[1, 1, 1], [2, 2, 2]])


def test_tile_beyond_30_cells_does_not_apply():
    assert geometry.tile(np.zeros((8, 8), dtype=np.uint8), 4, 4) is None


A = [[1, 2], [3, 4]]


def test_mirror_right_puts_the_mirror_image_to_the_right():
    assert same(geometry.mirror_right(g(A)), [[1, 2, 2, 1], [3, 4, 4, 3]])


def test_mirror_down_puts_the_mirror_image_below():
    assert same(geometry.mirror_down(g(A)), [[1, 2], [3, 4], [3, 4], [1, 2]])


def test_mirror_four_is_a_kaleidoscope_with_the_original_top_left():
    assert same(
        geometry.mirror_four(g(A)), [[1, 2, 2, 1], [3, 4, 4, 3], [3, 4, 4, 3], [1, 2, 2, 1]]
    )


def test_mirror_four_inward_has_the_original_bottom_right():
    out = geometry.mirror_four_inward(g(A))
    assert same(out, [[4, 3, 3, 4], [2, 1, 1, 2], [2, 1, 1, 2], [4, 3, 3, 4]])
    assert same(out[2:, 2:], A)


def test_mirrors_beyond_30_cells_do_not_apply():
    wide = np.zeros((2, 16), dtype=np.uint8)
    assert geometry.mirror_right(wide) is None
    assert geometry.mirror_four(wide) is None
    assert geometry.mirror_down(wide.T) is None


def test_halves_drop_the_middle_line_of_an_odd_grid():
    a = g([[1, 1, 0, 2, 2], [1, 1, 0, 2, 2], [0, 0, 0, 0, 0], [3, 3, 0, 4, 4], [3, 3, 0, 4, 4]])
    assert same(geometry.half(a, "top"), [[1, 1, 0, 2, 2]] * 2)
    assert same(geometry.half(a, "bottom"), [[3, 3, 0, 4, 4]] * 2)
    assert same(geometry.half(a, "left"), [[1, 1], [1, 1], [0, 0], [3, 3], [3, 3]])
    assert same(geometry.half(a, "right"), [[2, 2], [2, 2], [0, 0], [4, 4], [4, 4]])


def test_halves_of_an_even_grid_cover_it():
    a = g([[1, 2], [3, 4], [5, 6], [7, 8]])
    assert same(geometry.half(a, "top"), [[1, 2], [3, 4]])
    assert same(geometry.half(a, "bottom"), [[5, 6], [7, 8]])


def test_a_one_line_grid_has_no_half_across_it():
    assert geometry.half(g([[1, 2, 3]]), "top") is None
    assert geometry.half(g([[1], [2]]), "left") is None
    assert same(geometry.half(g([[1, 2, 3]]), "left"), [[1]])


def test_dedupe_lines_collapses_runs_of_equal_rows_and_columns():
    a = g([[1, 1, 2], [1, 1, 2], [3, 3, 4], [1, 1, 2]])
    # only adjacent repeats collapse: the last row equals the first but is kept
    assert same(geometry.dedupe_lines(a), [[1, 2], [3, 4], [1, 2]])


def test_dedupe_lines_of_a_uniform_grid_is_one_cell():
    assert same(geometry.dedupe_lines(np.full((4, 5), 6, dtype=np.uint8)), [[6]])


def test_drop_uniform_lines_removes_background_rows_and_columns():
    a = g([[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 0]])
    assert same(geometry.drop_uniform_lines(a), [[1, 2], [3, 0]])


def test_drop_uniform_lines_of_an_all_background_grid_does_not_apply():
    assert geometry.drop_uniform_lines(np.zeros((3, 3), dtype=np.uint8)) is None


def test_drop_uniform_lines_with_another_background():
    assert same(geometry.drop_uniform_lines(g([[5, 5], [5, 1]]), background=5), [[1]])


def test_top_left_cell():
    assert same(geometry.top_left_cell(g([[4, 1], [2, 3]])), [[4]])


@pytest.mark.parametrize("fn", [geometry.crop, geometry.dedupe_lines, geometry.drop_uniform_lines])
def test_cutting_functions_keep_the_input_unchanged(fn):
    a = g([[0, 0, 0], [0, 1, 1], [0, 1, 1]])
    before = a.copy()
    fn(a)
    assert np.array_equal(a, before)
