"""Extent operations (unique cells, diagonal halos, repeated bands, the largest empty rectangle,
mirroring about an anchor, marking inside a box), block operations between separator lines,
mask painting, and recoloring of background regions, on hand-made grids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt.domain.search import extents, lines, partition
from arc_ttt.domain.search.object_recolor import fit_object_recolor


def g(rows):
    return np.array(rows, dtype=np.uint8)


grids = st.integers(1, 9).flatmap(
    lambda h: st.integers(1, 9).flatmap(
        lambda w: st.lists(
            st.lists(st.integers(0, 9), min_size=w, max_size=w), min_size=h, max_size=h
        )
    )
)


@settings(max_examples=150, deadline=None)
@given(grids, st.integers(1, 9))
def test_every_extent_and_block_operation_is_total(rows, color):
    a = g(rows)
    results = [
        extents.keep_unique_cells(a),
        extents.diagonal_halo(a, color),
        extents.repeat_band(a),
        extents.repeat_band(a, down=False),
        extents.fill_largest_empty_rect(a, color),
        extents.mirror_about(a, color),
        extents.mirror_about_symmetric(a),
        extents.mark_in_box(a, color),
        partition.block_counts(a),
        partition.fill_fullest_blocks(a),
        partition.paint_mask(partition.split_lines(a)),
        lines.fill_empty_lines(a, color, inner=True),
    ]
    for r in results:
        assert r is None or (r.dtype == np.uint8 and r.ndim == 2 and r.max() <= 9)


def test_keep_unique_cells_keeps_the_colors_seen_once():
    a = g([[1, 1, 0], [0, 4, 2], [2, 0, 0]])
    assert extents.keep_unique_cells(a).tolist() == [[0, 0, 0], [0, 4, 0], [0, 0, 0]]
    assert extents.keep_unique_cells(g([[1, 2]])) is None  # every cell is unique already


def test_diagonal_halo_paints_only_diagonal_neighbours():
    a = g([[0, 0, 0], [0, 5, 0], [0, 0, 0]])
    assert extents.diagonal_halo(a, 8).tolist() == [[8, 0, 8], [0, 5, 0], [8, 0, 8]]


def test_repeat_band_keeps_its_phase():
    a = g([[0, 0], [1, 2], [3, 4], [0, 0], [0, 0]])
    assert extents.repeat_band(a).tolist() == [[3, 4], [1, 2], [3, 4], [1, 2], [3, 4]]
    assert extents.repeat_band(a.T.copy(), down=False).tolist() == (
        extents.repeat_band(a).T.tolist()
    )
    assert extents.repeat_band(g([[1], [2]])) is None  # the band is the whole grid


def test_the_largest_empty_rectangle_is_painted_when_it_is_unique():
    a = g([[0, 0, 0, 1], [0, 0, 0, 1], [1, 1, 0, 1]])
    assert extents.fill_largest_empty_rect(a, 6).tolist() == [
        [6, 6, 6, 1],
        [6, 6, 6, 1],
        [1, 1, 0, 1],
    ]
    tie = g([[0, 0, 0, 1], [0, 0, 0, 1], [1, 0, 0, 1]])  # 2 x 3 and 3 x 2: no single one
    assert extents.fill_largest_empty_rect(tie, 6) is None
    thin = g([[0, 0, 0, 0], [1, 1, 1, 1]])  # one row high: below the minimum side
    assert extents.fill_largest_empty_rect(thin, 6) is None


def test_mirror_about_a_color_completes_four_fold_symmetry():
    a = np.zeros((6, 8), dtype=np.uint8)
    a[0, 0:3] = 2
    a[1, 0] = 2  # an L: no symmetry of its own
    a[2:4, 3:5] = 3  # the anchor, centred between rows 2-3 and columns 3-4
    out = extents.mirror_about(a, 3)
    assert np.array_equal(out, out[::-1]) and np.array_equal(out, out[:, ::-1])
    assert out[5, 7] == 2 and out[4, 7] == 2 and out[0, 5] == 2
    assert extents.mirror_about_symmetric(a).tolist() == out.tolist()  # the block is the anchor
    off = g([[2, 0, 0], [0, 0, 3]])  # the image of the 2 would leave the grid
    assert extents.mirror_about(off, 3) is None


def test_mark_in_box_marks_other_colors_inside_the_box_only():
    a = g([[8, 1, 0, 1], [1, 0, 8, 1]])
    assert extents.mark_in_box(a, 8).tolist() == [[8, 8, 0, 1], [8, 0, 8, 1]]


BLOCKS = g(
    [
        [6, 0, 5, 6, 6, 5, 0, 0],
        [0, 6, 5, 0, 0, 5, 0, 6],
        [5, 5, 5, 5, 5, 5, 5, 5],
        [0, 0, 5, 6, 0, 5, 6, 6],
        [0, 0, 5, 0, 0, 5, 6, 6],
    ]
)


def test_block_counts_reads_one_cell_per_block():
    assert partition.block_counts(BLOCKS).tolist() == [[2, 2, 1], [0, 1, 4]]


def test_fill_fullest_blocks_fills_the_fullest_and_clears_the_rest():
    out = partition.fill_fullest_blocks(BLOCKS)
    assert out[3:, 6:].tolist() == [[6, 6], [6, 6]]
    assert not out[:2, :2].any() and not out[:2, 3:5].any()
    assert (out[2] == 5).all() and (out[:, 2] == 5).all()  # separators stay


def test_paint_mask_colors_a_mask_with_a_scaled_palette():
    palette = g([[1, 2], [3, 4]])
    mask = g([[7, 7, 0, 0], [7, 0, 0, 7], [0, 0, 7, 7], [7, 7, 7, 7]])
    out = partition.paint_mask([palette, mask])
    assert out.tolist() == [[1, 1, 0, 0], [1, 0, 0, 2], [0, 0, 4, 4], [3, 3, 4, 4]]
    assert partition.paint_mask([mask, mask]) is None  # no palette


def test_inner_empty_lines_are_judged_inside_the_frame():
    a = g([[8, 8, 8, 8], [8, 0, 0, 2], [8, 1, 0, 2], [2, 2, 2, 2]])
    assert lines.fill_empty_lines(a, 3, inner=True).tolist() == [
        [8, 8, 8, 8],
        [8, 3, 3, 2],
        [8, 1, 3, 2],
        [2, 2, 2, 2],
    ]


def test_background_regions_are_recolored_by_a_learned_property():
    # walls of 5; regions of one cell become 3, of two cells 2
    def case(rows, out):
        return g(rows), g(out)

    x1, y1 = case(
        [[0, 5, 0, 0], [5, 5, 5, 5], [0, 0, 5, 0]], [[3, 5, 2, 2], [5, 5, 5, 5], [2, 2, 5, 3]]
    )
    x2, y2 = case([[0, 0, 5, 0], [5, 5, 5, 5]], [[2, 2, 5, 3], [5, 5, 5, 5]])
    test = g([[0, 5, 0, 0, 5, 0]])
    found = dict(fit_object_recolor([x1, x2], [y1, y2], [test]))
    (name,) = [n for n in found if n.startswith("recolor_regions")]
    assert found[name](test).tolist() == [[3, 5, 2, 2, 5, 3]]
