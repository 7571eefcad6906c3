"""Rays, sliding objects and noise removal on hand-made grids."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt.domain.search import moves


def g(rows):
    return np.array(rows, dtype=np.uint8)


def test_smear_casts_a_ray_until_the_first_filled_cell():
    a = g([[0, 0, 0, 0], [3, 0, 0, 5], [0, 0, 0, 0]])
    assert moves.smear(a, "right").tolist() == [[0, 0, 0, 0], [3, 3, 3, 5], [0, 0, 0, 0]]
    assert moves.smear(a, "down").tolist() == [[0, 0, 0, 0], [3, 0, 0, 5], [3, 0, 0, 5]]


def test_smear_goes_diagonally_and_stops_at_the_edge():
    a = g([[2, 0, 0], [0, 0, 0], [0, 0, 0]])
    assert moves.smear(a, "down_right").tolist() == [[2, 0, 0], [0, 2, 0], [0, 0, 2]]


def test_smear_does_not_apply_when_nothing_changes():
    assert moves.smear(g([[0, 0, 4]]), "right") is None
    assert moves.smear(g([[0, 0]]), "left") is None


def test_slide_objects_stack_against_the_edge_in_order():
    a = g([[1, 0], [0, 0], [2, 0], [0, 0]])
    assert moves.slide_objects(a, "down").tolist() == [[0, 0], [0, 0], [1, 0], [2, 0]]
    assert moves.slide_objects(a, "up").tolist() == [[1, 0], [2, 0], [0, 0], [0, 0]]


def test_slide_objects_keep_their_shape():
    a = g([[0, 7, 7, 0, 0, 0], [0, 7, 0, 0, 0, 0]])
    assert moves.slide_objects(a, "right").tolist() == [[0, 0, 0, 0, 7, 7], [0, 0, 0, 0, 7, 0]]


def test_slide_to_moves_every_other_object_until_it_touches_the_anchor():
    a = g(
        [
            [0, 2, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0],
            [0, 8, 0, 0, 0],
            [0, 0, 0, 0, 3],
        ]
    )
    out = moves.slide_to(a, 8)
    assert out is not None
    assert out[2, 1] == 2 and out[0, 1] == 0  # came down to touch the 8
    assert out[4, 4] == 3  # not in line with the anchor: stays


def test_slide_to_needs_its_anchor_color():
    assert moves.slide_to(g([[1, 0, 0]]), 8) is None


def test_drop_small_removes_noise_and_keeps_objects():
    a = g([[1, 1, 0, 5], [1, 1, 0, 0], [0, 0, 0, 0], [6, 0, 0, 0]])
    assert moves.drop_small(a, 1).tolist() == [
        [1, 1, 0, 0],
        [1, 1, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
    ]
    assert moves.drop_small(g([[1, 0, 2]]), 1) is None  # everything is small: not noise


grids = st.integers(1, 8).flatmap(
    lambda h: st.integers(1, 8).flatmap(
        lambda w: st.lists(
            st.lists(st.sampled_from([0, 0, 0, 1, 2]), min_size=w, max_size=w),
            min_size=h,
            max_size=h,
        )
    )
)


@settings(max_examples=60, deadline=None)
@given(grids, st.sampled_from(sorted(moves.DIRECTIONS)))
def test_moves_are_total_and_keep_the_shape(rows, direction):
    a = g(rows)
    for out in (
        moves.smear(a, direction),
        moves.slide_objects(a, direction) if direction in ("up", "down", "left", "right") else None,
        moves.slide_to(a, 1),
        moves.drop_small(a, 2),
    ):
        assert out is None or out.shape == a.shape


@settings(max_examples=60, deadline=None)
@given(grids, st.sampled_from(["up", "down", "left", "right"]))
def test_sliding_keeps_every_color_count(rows, direction):
    a = g(rows)
    out = moves.slide_objects(a, direction)
    if out is not None:
        assert np.array_equal(
            np.bincount(out.ravel(), minlength=10), np.bincount(a.ravel(), minlength=10)
        )


@pytest.mark.parametrize("direction", ["up", "down", "left", "right"])
def test_sliding_twice_changes_nothing_more(direction):
    a = g([[0, 3, 0, 0], [0, 0, 0, 4], [5, 0, 0, 0], [0, 0, 0, 0]])
    once = moves.slide_objects(a, direction)
    assert once is not None
    assert moves.slide_objects(once, direction) is None


def test_each_object_mirrors_in_place():
    from arc_ttt.domain.augmentation import Dihedral

    a = g([[1, 2, 0, 0], [0, 0, 0, 0], [0, 0, 3, 4]])
    out = moves.per_object(a, Dihedral.FLIP_LR)
    assert out.tolist() == [[2, 1, 0, 0], [0, 0, 0, 0], [0, 0, 4, 3]]
    assert moves.per_object(a, Dihedral.ROT90) is None  # a 1x2 box cannot turn in place


def test_stack_objects_lays_smaller_ones_on_top():
    a = g([[5, 5, 0, 0], [5, 5, 0, 2], [0, 0, 0, 0]])
    assert moves.stack_objects(a).tolist() == [[2, 5], [5, 5]]


def test_bounce_reflects_off_the_side_walls_until_the_top():
    a = g([[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 0, 0]])
    assert moves.bounce(a, "up_right").tolist() == [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
        [0, 1, 0],
        [1, 0, 0],
    ]


def test_bounce_goes_down_and_keeps_cells_that_were_filled():
    a = g([[0, 4], [0, 0], [5, 0]])
    assert moves.bounce(a, "down_left").tolist() == [[0, 4], [4, 0], [5, 4]]


def test_bounce_does_not_apply_to_pictures_or_one_column():
    assert moves.bounce(g([[1], [0], [0]]), "down_right") is None
    assert moves.bounce(g([[1, 1, 1], [1, 1, 0], [0, 0, 0]]), "down_right") is None
    with pytest.raises(ValueError, match="not a diagonal"):
        moves.bounce(g([[1, 0]]), "up")
