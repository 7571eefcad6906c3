"""Noise removal, template stamps, line painting, histograms and part operations, on hand-made
grids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt.domain.search import cleanup, colors, lines, partition, stamps


def g(rows):
    return np.array(rows, dtype=np.uint8)


grids = st.integers(1, 8).flatmap(
    lambda h: st.integers(1, 8).flatmap(
        lambda w: st.lists(
            st.lists(st.integers(0, 9), min_size=w, max_size=w), min_size=h, max_size=h
        )
    )
)


def test_opening_keeps_solid_blocks_and_drops_specks_and_lines():
    a = g([[5, 5, 0, 0, 5], [5, 5, 0, 0, 0], [0, 0, 0, 0, 0], [5, 5, 5, 5, 0]])
    assert cleanup.opening(a).tolist() == [
        [5, 5, 0, 0, 0],
        [5, 5, 0, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ]


def test_opening_keeps_a_block_of_two_colors_only_where_each_color_is_solid():
    a = g([[1, 1, 2], [1, 1, 2]])
    assert cleanup.opening(a).tolist() == [[1, 1, 0], [1, 1, 0]]


def test_opening_does_not_apply_when_nothing_or_everything_goes():
    assert cleanup.opening(g([[3, 3], [3, 3]])) is None
    assert cleanup.opening(g([[3, 0], [0, 3]])) is None
    assert cleanup.opening(g([[3, 3, 3]])) is None


@settings(max_examples=150, deadline=None)
@given(grids)
def test_opening_is_idempotent(rows):
    a = g(rows)
    once = cleanup.opening(a)
    if once is not None:
        assert cleanup.opening(once) is None


def test_denoise_paints_noise_with_the_majority_of_its_neighbours():
    a = g([[3, 3, 3], [3, 8, 3], [3, 3, 3], [0, 0, 8], [0, 0, 0]])
    assert cleanup.denoise(a, 8).tolist() == [
        [3, 3, 3],
        [3, 3, 3],
        [3, 3, 3],
        [0, 0, 0],
        [0, 0, 0],
    ]


def test_denoise_breaks_a_tie_with_the_background_toward_the_color():
    a = g([[3, 3], [8, 0]])
    assert cleanup.denoise(a, 8).tolist() == [[3, 3], [3, 0]]


def test_denoise_sends_a_tie_between_two_colors_to_the_background():
    a = g([[1, 8, 2]])
    assert cleanup.denoise(a, 8).tolist() == [[1, 0, 2]]
    assert cleanup.denoise(a, 4) is None
    assert cleanup.denoise(g([[8, 8]]), 8) is None


def test_stamp_template_centres_the_template_on_each_single_cell():
    a = g(
        [
            [0, 2, 0, 0, 0, 0],
            [2, 1, 2, 0, 0, 0],
            [0, 2, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 5, 0],
            [0, 0, 0, 0, 0, 0],
        ]
    )
    out = stamps.stamp_template(a)
    assert out[3:6, 3:6].tolist() == [[0, 2, 0], [2, 1, 2], [0, 2, 0]]
    assert out[:3, :3].tolist() == a[:3, :3].tolist()


def test_stamp_template_replaces_solid_boxes_of_its_shape_and_clips_at_the_edge():
    a = g([[1, 2, 0, 5, 5], [2, 2, 0, 5, 5], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]])
    assert stamps.stamp_template(a).tolist() == [
        [1, 2, 0, 1, 2],
        [2, 2, 0, 2, 2],
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0],
    ]
    edge = g([[0, 4, 0, 0], [4, 3, 4, 0], [0, 4, 0, 0], [0, 0, 0, 7]])
    assert stamps.stamp_template(edge)[2:, 2:].tolist() == [[0, 4], [4, 3]]


def test_stamp_template_needs_exactly_one_many_colored_object():
    assert stamps.stamp_template(g([[1, 0, 5], [0, 0, 0]])) is None
    assert stamps.stamp_template(g([[1, 2, 0, 3, 4], [0, 0, 0, 0, 0], [5, 0, 0, 0, 0]])) is None


def test_fill_empty_lines_paints_every_background_row_and_column():
    a = g([[1, 0, 1], [0, 0, 0], [1, 0, 1]])
    assert lines.fill_empty_lines(a, 2).tolist() == [[1, 2, 1], [2, 2, 2], [1, 2, 1]]
    assert lines.fill_empty_lines(g([[1, 1], [1, 1]]), 2) is None
    assert lines.fill_empty_lines(g([[0, 0]]), 2) is None


def test_paint_from_edge_takes_each_rows_header_color():
    a = g([[1, 0, 5, 5], [0, 0, 5, 0], [2, 0, 5, 5]])
    assert lines.paint_from_edge(a, "left").tolist() == [[1, 0, 1, 1], [0, 0, 5, 0], [2, 0, 2, 2]]
    b = g([[3, 0], [5, 0], [5, 0]])
    assert lines.paint_from_edge(b, "top").tolist() == [[3, 0], [3, 0], [3, 0]]
    assert lines.paint_from_edge(b, "right") is None


def test_histogram_draws_one_column_per_color_by_count():
    a = g([[2, 2, 1], [2, 3, 1], [1, 1, 1]])
    assert colors.histogram(a).tolist() == [[1, 2, 3], [1, 2, 0], [1, 2, 0], [1, 0, 0], [1, 0, 0]]
    assert colors.histogram(g([[0, 0]])) is None


def test_broadcast_part_copies_the_most_filled_part_into_the_others():
    a = g([[1, 0, 4, 0, 0], [1, 1, 4, 0, 0]])
    assert partition.broadcast_part(a).tolist() == [[1, 0, 4, 1, 0], [1, 1, 4, 1, 1]]
    tie = g([[1, 0, 4, 0, 1], [0, 0, 4, 0, 0]])
    assert partition.broadcast_part(tie) is None


def test_line_boxes_match_the_parts_of_split_lines():
    a = g([[1, 0, 4, 0, 0], [1, 1, 4, 0, 3], [4, 4, 4, 4, 4], [0, 0, 4, 7, 0]])
    boxes = partition.line_boxes(a)
    parts = partition.split_lines(a)
    assert boxes == [(0, 2, 0, 2), (0, 2, 3, 5), (3, 4, 0, 2), (3, 4, 3, 5)]
    assert [p.tolist() for p in parts] == [a[t:b, c0:c1].tolist() for t, b, c0, c1 in boxes]


def test_kron_parts_draws_the_mask_in_each_color_cell():
    colors_part = g([[2, 0], [0, 3]])
    mask = g([[8, 0], [8, 8]])
    assert partition.kron_parts([colors_part, mask]).tolist() == [
        [2, 0, 0, 0],
        [2, 2, 0, 0],
        [0, 0, 3, 0],
        [0, 0, 3, 3],
    ]
    assert (
        partition.kron_parts([mask, colors_part]).tolist()
        == partition.kron_parts([colors_part, mask]).tolist()
    )
    assert partition.kron_parts([mask, mask]) is None
    assert partition.kron_parts([mask]) is None
