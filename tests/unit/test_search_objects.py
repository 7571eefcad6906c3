"""Objects: connected components, picking one of them, labelling them by size."""

import numpy as np
import pytest

from arc_ttt.domain.search.objects import PICKS, components, label_objects, pick
from search_tasks import g

GRID = g([[1, 0, 2], [1, 0, 0], [0, 3, 3]])


def cells_of(objs):
    return [o.cells for o in objs]


def test_four_connected_components_in_reading_order():
    objs = components(GRID, diagonal=False, by_color=False)
    assert cells_of(objs) == [((0, 0), (1, 0)), ((0, 2),), ((2, 1), (2, 2))]


def test_eight_connected_components_join_diagonal_neighbours():
    objs = components(GRID, diagonal=True, by_color=False)
    assert cells_of(objs) == [((0, 0), (1, 0), (2, 1), (2, 2)), ((0, 2),)]
    joined = objs[0]
    assert (joined.top, joined.left, joined.bottom, joined.right) == (0, 0, 3, 3)
    # the image holds only the object: the 2 inside its box belongs to another one
    assert np.array_equal(joined.image, [[1, 0, 0], [1, 0, 0], [0, 3, 3]])
    assert joined.size == 4 and joined.box_area == 9
    assert joined.colors() == {1, 3}


def test_by_color_splits_touching_cells_of_different_colors():
    a = g([[1, 2], [0, 2]])
    assert cells_of(components(a, diagonal=False, by_color=False)) == [((0, 0), (0, 1), (1, 1))]
    assert cells_of(components(a, diagonal=False, by_color=True)) == [((0, 0),), ((0, 1), (1, 1))]
    assert len(components(GRID, diagonal=True, by_color=True)) == 3


def test_components_with_another_background():
    a = g([[5, 5, 1], [5, 2, 5]])
    objs = components(a, diagonal=False, by_color=False, background=5)
    assert cells_of(objs) == [((0, 2),), ((1, 1),)]
    assert np.array_equal(objs[0].image, [[1]])


def test_no_components_in_an_empty_grid():
    assert components(np.zeros((3, 3), dtype=np.uint8), diagonal=True, by_color=False) == ()


def test_shape_key_ignores_colors():
    a = g([[1, 1, 0, 2, 2]])
    left, right = components(a, diagonal=False, by_color=False)
    assert left.shape_key() == right.shape_key()


FOUR = {"diagonal": False, "by_color": False}
EIGHT = {"diagonal": True, "by_color": False}

# (how, grid, connectivity, image of the picked object)
PICK_CASES = [
    ("largest", [[1, 1, 0, 2]], FOUR, [[1, 1]]),
    ("smallest", [[1, 1, 0, 2]], FOUR, [[2]]),
    # a diagonal pair (size 2, box 4) and a vertical pair (size 2, box 2)
    ("largest_box", [[1, 0, 0, 2], [0, 1, 0, 2]], EIGHT, [[1, 0], [0, 1]]),
    ("smallest_box", [[1, 0, 0, 2], [0, 1, 0, 2]], EIGHT, [[2], [2]]),
    ("densest_box", [[1, 0, 0, 2], [0, 1, 0, 2]], EIGHT, [[2], [2]]),
    ("sparsest_box", [[1, 0, 0, 2], [0, 1, 0, 2]], EIGHT, [[1, 0], [0, 1]]),
    ("most_colors", [[1, 2, 0, 3, 3]], FOUR, [[1, 2]]),
    ("unique_color", [[1, 0, 1, 0, 2]], FOUR, [[2]]),
    ("unique_shape", [[1, 0, 2, 0, 3, 3]], FOUR, [[3, 3]]),
    ("common_shape", [[4, 4, 0, 2, 0, 3]], FOUR, [[2]]),
    ("top", [[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0]], FOUR, [[2]]),
    ("bottom", [[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0]], FOUR, [[3]]),
    ("left", [[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0]], FOUR, [[1]]),
    ("right", [[0, 2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 3, 0]], FOUR, [[3]]),
    ("symmetric", [[1, 1, 0, 2, 3], [0, 0, 0, 0, 3]], FOUR, [[1, 1]]),
    ("asymmetric", [[1, 1, 0, 2, 3], [0, 0, 0, 0, 3]], FOUR, [[2, 3], [0, 3]]),
    (
        "most_holes",
        [[1, 1, 1, 0, 2], [1, 0, 1, 0, 2], [1, 1, 1, 0, 2]],
        FOUR,
        [[1, 1, 1], [1, 0, 1], [1, 1, 1]],
    ),
    # 2 is the rarer color; the first object holds two of its three cells
    ("most_rare_color", [[1, 2, 2, 1, 0, 1, 1, 1, 0, 2]], FOUR, [[1, 2, 2, 1]]),
]


def test_every_pick_has_a_case():
    assert sorted({case[0] for case in PICK_CASES}) == sorted(PICKS)


@pytest.mark.parametrize(
    ("how", "rows", "conn", "expected"), PICK_CASES, ids=[c[0] for c in PICK_CASES]
)
def test_pick_singles_out_the_object(how, rows, conn, expected):
    found = pick(components(g(rows), **conn), how)
    assert found is not None
    assert np.array_equal(found.image, expected)


# (how, grid, connectivity): no object is singled out
TIE_CASES = [
    ("largest", [[1, 0, 0, 2], [0, 1, 0, 2]], EIGHT),
    ("smallest", [[1, 0, 2]], FOUR),
    ("largest_box", [[1, 0, 2]], FOUR),
    ("smallest_box", [[1, 0, 2]], FOUR),
    ("densest_box", [[1, 0, 2]], FOUR),
    ("sparsest_box", [[1, 0, 2]], FOUR),
    ("most_colors", [[1, 0, 2]], FOUR),
    ("unique_color", [[1, 0, 2]], FOUR),  # both colors are lonely
    ("unique_shape", [[1, 0, 2]], FOUR),
    ("common_shape", [[1, 0, 2, 2]], FOUR),  # one of each shape
    ("top", [[1, 0, 2]], FOUR),
    ("bottom", [[1, 0, 2]], FOUR),
    ("left", [[1], [0], [2]], FOUR),
    ("right", [[1], [0], [2]], FOUR),
    ("symmetric", [[1, 0, 2]], FOUR),
    ("asymmetric", [[1, 0, 2]], FOUR),
    ("most_holes", [[1, 0, 2]], FOUR),
]


@pytest.mark.parametrize(("how", "rows", "conn"), TIE_CASES, ids=[c[0] for c in TIE_CASES])
def test_pick_on_a_tie_does_not_apply(how, rows, conn):
    assert pick(components(g(rows), **conn), how) is None


@pytest.mark.parametrize("how", PICKS)
def test_a_lone_object_is_always_picked_and_none_from_nothing(how):
    lone = components(g([[0, 3, 3]]), **FOUR)
    assert pick(lone, how) is lone[0]
    assert pick((), how) is None


def test_an_unknown_pick_is_refused_by_name():
    with pytest.raises(ValueError, match="biggest"):
        pick(components(g([[1, 0, 2]]), **FOUR), "biggest")


def test_label_objects_by_size_rank_gives_1_to_the_largest():
    a = g([[1, 1, 0, 2], [0, 0, 0, 0], [3, 3, 0, 0]])
    assert np.array_equal(label_objects(a, "size_rank"), [[1, 1, 0, 2], [0, 0, 0, 0], [1, 1, 0, 0]])


def test_label_objects_by_size_gives_the_cell_count():
    a = g([[1, 1, 0, 2], [0, 0, 0, 0], [3, 3, 3, 0]])
    assert np.array_equal(label_objects(a, "size"), [[2, 2, 0, 1], [0, 0, 0, 0], [3, 3, 3, 0]])


def test_label_objects_needs_two_objects_and_labels_up_to_9():
    assert label_objects(g([[1, 1, 0, 0]]), "size") is None
    big = np.zeros((3, 12), dtype=np.uint8)
    big[0, :10] = 4  # a 10-cell object
    big[2, 0] = 5
    assert label_objects(big, "size") is None
    assert np.array_equal(label_objects(big, "size_rank")[[0, 2], 0], [1, 2])


def test_label_objects_connectivity():
    a = g([[1, 0], [0, 1]])
    assert label_objects(a, "size") is None  # one diagonal object
    assert np.array_equal(label_objects(a, "size", diagonal=False), [[1, 0], [0, 1]])
