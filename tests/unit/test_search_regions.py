"""Same-size grid functions of the search language: gravity, filling, outlines, symmetry, lines,
periodic patterns and fractals."""

import numpy as np
import pytest

from arc_ttt.domain.search import regions
from search_tasks import changes_nothing, g

FALLING = g([[1, 0, 0], [0, 2, 0], [3, 0, 4]])


@pytest.mark.parametrize(
    ("direction", "expected"),
    [
        ("down", [[0, 0, 0], [1, 0, 0], [3, 2, 4]]),
        ("up", [[1, 2, 4], [3, 0, 0], [0, 0, 0]]),
        ("left", [[1, 0, 0], [2, 0, 0], [3, 4, 0]]),
        ("right", [[0, 0, 1], [0, 0, 2], [0, 3, 4]]),
    ],
)
def test_gravity_slides_cells_to_an_edge_keeping_their_order(direction, expected):
    assert np.array_equal(regions.gravity(FALLING, direction), expected)


def test_gravity_with_another_background():
    assert np.array_equal(
        regions.gravity(g([[1], [5], [5]]), "down", background=5), [[5], [5], [1]]
    )


def test_fill_enclosed_fills_background_cut_off_from_the_edge():
    a = g([[1, 1, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0]])
    assert np.array_equal(regions.fill_enclosed(a, 4), [[1, 1, 1, 0], [1, 4, 1, 0], [1, 1, 1, 0]])


def test_fill_enclosed_is_four_connected():
    # the center touches the outside only diagonally: it is enclosed
    a = g([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert np.array_equal(regions.fill_enclosed(a, 2), [[0, 1, 0], [1, 2, 1], [0, 1, 0]])


def test_fill_enclosed_changes_nothing_when_nothing_is_enclosed():
    a = g([[1, 1, 0], [1, 0, 0]])
    assert changes_nothing(regions.fill_enclosed(a, 2), a)


def test_enclosed_mask():
    a = g([[2, 2, 2], [2, 0, 2], [2, 2, 0]])
    assert regions.enclosed(a).tolist() == [
        [False, False, False],
        [False, True, False],
        [False, False, False],
    ]


def test_outline_colors_the_background_next_to_objects():
    a = g([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert np.array_equal(regions.outline(a, 2), [[0, 2, 0], [2, 1, 2], [0, 2, 0]])
    assert np.array_equal(regions.outline(a, 2, diagonal=True), [[2, 2, 2], [2, 1, 2], [2, 2, 2]])


def test_outline_changes_nothing_without_background_next_to_an_object():
    for a in (np.zeros((3, 3), dtype=np.uint8), np.ones((3, 3), dtype=np.uint8)):
        assert changes_nothing(regions.outline(a, 2), a)


def test_hollow_empties_the_inside_of_a_block():
    a = np.zeros((5, 5), dtype=np.uint8)
    a[1:4, 1:4] = 3
    expected = a.copy()
    expected[2, 2] = 0
    assert np.array_equal(regions.hollow(a), expected)


def test_hollow_changes_nothing_in_thin_shapes():
    a = g([[0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]])
    assert changes_nothing(regions.hollow(a), a)


def test_symmetrize_fills_holes_from_the_mirror_image():
    assert np.array_equal(
        regions.symmetrize(g([[1, 2, 0], [3, 4, 0]]), "lr"), [[1, 2, 1], [3, 4, 3]]
    )
    assert np.array_equal(regions.symmetrize(g([[1, 2], [0, 0]]), "ud"), [[1, 2], [1, 2]])
    assert np.array_equal(regions.symmetrize(g([[1, 2], [0, 3]]), "transpose"), [[1, 2], [2, 3]])


def test_symmetrize_lr_ud_fills_from_all_three_images():
    a = g([[1, 2, 0], [3, 4, 0], [0, 0, 0]])
    assert np.array_equal(regions.symmetrize(a, "lr_ud"), [[1, 2, 1], [3, 4, 3], [1, 2, 1]])


def test_symmetrize_rot90_and_all():
    a = g([[1, 2, 1], [2, 5, 2], [1, 2, 0]])
    assert np.array_equal(regions.symmetrize(a, "rot90"), [[1, 2, 1], [2, 5, 2], [1, 2, 1]])
    assert np.array_equal(regions.symmetrize(a, "all"), [[1, 2, 1], [2, 5, 2], [1, 2, 1]])


def test_symmetrize_with_another_hole_color():
    assert np.array_equal(regions.symmetrize(g([[1, 5], [2, 2]]), "lr", hole=5), [[1, 1], [2, 2]])


def test_symmetrize_does_not_apply_when_the_known_cells_disagree():
    assert regions.symmetrize(g([[1, 2, 3]]), "lr") is None
    assert regions.symmetrize(g([[1, 0, 2]]), "transpose") is None  # not square
    assert regions.symmetrize(g([[1, 0, 2], [0, 0, 0]]), "rot90") is None


def test_symmetrize_changes_nothing_when_nothing_is_missing():
    a = g([[1, 2, 1]])
    assert changes_nothing(regions.symmetrize(a, "lr"), a)


def test_lines_from_cells():
    a = g([[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert np.array_equal(regions.lines_from_cells(a, "rows"), [[0, 0, 0], [1, 1, 1], [0, 0, 0]])
    assert np.array_equal(regions.lines_from_cells(a, "cols"), [[0, 1, 0], [0, 1, 0], [0, 1, 0]])
    assert np.array_equal(regions.lines_from_cells(a, "both"), [[0, 1, 0], [1, 1, 1], [0, 1, 0]])


def test_lines_from_cells_rows_cross_over_columns():
    # a 2 at the top middle and a 1 at the bottom left: where a row line meets a column line
    # of another color, the row's color shows ("rows drawn last, so they cross over columns")
    a = g([[0, 2, 0], [0, 0, 0], [1, 0, 0]])
    assert np.array_equal(regions.lines_from_cells(a, "both"), [[2, 2, 2], [1, 2, 0], [1, 1, 1]])


def test_lines_from_cells_changes_nothing_in_an_empty_grid():
    a = np.zeros((3, 3), dtype=np.uint8)
    assert changes_nothing(regions.lines_from_cells(a, "rows"), a)


def test_fill_boxes_fills_between_two_cells_of_one_color():
    assert np.array_equal(
        regions.fill_boxes(g([[1, 0, 0, 1], [0, 0, 0, 0]])), [[1, 1, 1, 1], [0, 0, 0, 0]]
    )
    assert np.array_equal(regions.fill_boxes(g([[2], [0], [2]])), [[2], [2], [2]])


def test_fill_boxes_does_not_join_different_colors():
    a = g([[1, 0, 0, 2]])
    assert changes_nothing(regions.fill_boxes(a), a)


def test_complete_pattern_fills_holes_of_a_checkerboard():
    a = g([[1, 2, 1, 2], [2, 1, 2, 1], [1, 2, 5, 2]])
    assert np.array_equal(
        regions.complete_pattern(a, 5), [[1, 2, 1, 2], [2, 1, 2, 1], [1, 2, 1, 2]]
    )


def test_complete_pattern_fills_holes_of_repeated_columns():
    a = g([[1, 2, 3, 1, 2, 3], [1, 2, 5, 5, 2, 3]])
    assert np.array_equal(regions.complete_pattern(a, 5), [[1, 2, 3, 1, 2, 3]] * 2)


def test_complete_pattern_needs_some_holes_and_some_known_cells():
    no_holes = g([[1, 2], [1, 2]])
    assert changes_nothing(regions.complete_pattern(no_holes, 5), no_holes)
    assert regions.complete_pattern(np.full((2, 2), 5, dtype=np.uint8), 5) is None


def test_pattern_under_holes_is_what_fills_the_holes_cropped():
    assert np.array_equal(
        regions.pattern_under_holes(g([[1, 2, 1, 2], [2, 1, 2, 1], [1, 2, 5, 2]]), 5), [[1]]
    )
    assert np.array_equal(
        regions.pattern_under_holes(g([[1, 2, 3, 1, 2, 3], [1, 2, 5, 5, 2, 3]]), 5), [[3, 1]]
    )
    assert regions.pattern_under_holes(g([[1, 2]]), 5) is None


def test_fractal_puts_a_copy_of_the_grid_in_every_non_background_cell():
    a = g([[1, 0], [0, 1]])
    assert np.array_equal(
        regions.fractal(a), [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    )
    assert np.array_equal(
        regions.fractal(a, inverse=True), [[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    )


def test_fractal_beyond_30_cells_does_not_apply():
    assert regions.fractal(np.ones((6, 5), dtype=np.uint8)) is None
    assert regions.fractal(np.ones((5, 5), dtype=np.uint8)).shape == (25, 25)
