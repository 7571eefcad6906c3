"""Ring recoloring, marker recoloring, alternating rays, centre lines, empty windows, the
parity local rule and the count lookup, on hand-made grids."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt.domain.search import SearchOptions, fitting, geometry, markers, moves, regions, rings
from arc_ttt.domain.search import search as run_search
from search_tasks import task_of


def g(rows):
    return np.array(rows, dtype=np.uint8)


RINGED = g(
    [
        [8, 8, 8, 8],
        [8, 1, 1, 8],
        [8, 1, 1, 8],
        [8, 8, 8, 8],
    ]
)


def test_ring_colors_reads_outside_in():
    assert rings.ring_colors(RINGED) == [8, 1]
    a = g([[3, 3, 3, 3, 3], [3, 0, 0, 0, 3], [3, 0, 5, 0, 3], [3, 0, 0, 0, 3], [3, 3, 3, 3, 3]])
    assert rings.ring_colors(a) == [3, 0, 5]


def test_a_ring_of_two_colors_is_not_ringed():
    a = RINGED.copy()
    a[0, 1] = 2
    assert rings.ring_colors(a) is None
    assert rings.ring_reverse(a) is None
    assert rings.ring_cycle(a) is None
    assert rings.ring_colors(g([[4, 4], [4, 4]])) is None  # one ring only


def test_ring_reverse_swaps_the_outside_and_the_inside():
    assert rings.ring_reverse(RINGED).tolist() == [
        [1, 1, 1, 1],
        [1, 8, 8, 1],
        [1, 8, 8, 1],
        [1, 1, 1, 1],
    ]


def test_ring_cycle_moves_the_distinct_colors_one_ring_inward():
    # rings 8, 0, 5, 8 (outside in) -> distinct 8, 0, 5 -> each takes the one before it
    a = np.full((8, 8), 8, dtype=np.uint8)
    a[1:7, 1:7] = 0
    a[2:6, 2:6] = 5
    a[3:5, 3:5] = 8
    out = rings.ring_cycle(a)
    assert rings.ring_colors(out) == [5, 8, 0, 5]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), min_size=2, max_size=5), st.integers(0, 3))
def test_reversing_rings_twice_is_the_identity(colors, extra):
    side = 2 * len(colors) + (extra % 2)
    depth = np.minimum.reduce(
        [
            np.arange(side)[:, None] + 0 * np.arange(side)[None, :],
            side - 1 - np.arange(side)[:, None] + 0 * np.arange(side)[None, :],
            np.arange(side)[None, :] + 0 * np.arange(side)[:, None],
            side - 1 - np.arange(side)[None, :] + 0 * np.arange(side)[:, None],
        ]
    )
    a = np.asarray(colors, dtype=np.uint8)[np.minimum(depth, len(colors) - 1)]
    once = rings.ring_reverse(a)
    if once is None:
        return
    assert np.array_equal(rings.ring_reverse(once), a)


def test_objects_take_the_color_of_the_marker_in_their_columns():
    a = g(
        [
            [1, 0, 0, 4],
            [0, 0, 0, 0],
            [5, 5, 0, 5],
            [5, 5, 0, 5],
        ]
    )
    out = markers.recolor_by_aligned_marker(a, "cols")
    assert out.tolist() == [[1, 0, 0, 4], [0, 0, 0, 0], [1, 1, 0, 4], [1, 1, 0, 4]]
    assert markers.recolor_by_aligned_marker(a.T.copy(), "rows").tolist() == out.T.tolist()


def test_an_object_under_markers_of_two_colors_is_left_alone():
    a = g([[1, 2], [0, 0], [5, 5]])
    assert markers.recolor_by_aligned_marker(a, "cols") is None


def test_smear_alternate_alternates_the_color_along_the_ray():
    a = g([[0, 2, 0, 0, 0, 0]])
    assert moves.smear_alternate(a, "right", 5).tolist() == [[0, 2, 5, 2, 5, 2]]
    assert moves.smear_alternate(a, "left", 5).tolist() == [[5, 2, 0, 0, 0, 0]]
    assert moves.smear_alternate(g([[0, 0, 5]]), "right", 5) is None


def test_keep_center_line_keeps_the_middle_only():
    a = g([[1, 2, 3], [4, 5, 6]])
    assert geometry.keep_center_line(a, "cols").tolist() == [[0, 2, 0], [0, 5, 0]]
    assert geometry.keep_center_line(a, "rows") is None  # two rows: no middle
    assert geometry.keep_center_line(g([[0, 2, 0]]), "cols") is None  # nothing erased


def test_fill_windows_paints_every_empty_two_by_two():
    a = g(
        [
            [0, 0, 1, 0],
            [0, 0, 0, 1],
            [1, 0, 0, 0],
        ]
    )
    assert regions.fill_windows(a, 2).tolist() == [[2, 2, 1, 0], [2, 2, 2, 1], [1, 2, 2, 0]]
    assert regions.fill_windows(g([[0, 1], [1, 0]]), 2) is None
    assert regions.fill_windows(g([[0, 0], [0, 0]]), 2) is None  # all empty: nothing singled out


def test_the_parity_rule_learns_a_color_by_distance_to_the_right_edge():
    xs = [g([[5, 5, 5, 5]]), g([[5, 5, 5]]), g([[5, 0, 5, 5, 5]])]
    ys = [g([[5, 3, 5, 3]]), g([[3, 5, 3]]), g([[3, 0, 3, 5, 3]])]
    test = g([[5, 5, 5, 5, 5, 5]])
    found = [f for f in fitting.local_rules(xs, ys, [test]) if "parity" in f.name]
    assert found
    assert found[0].predict(test).tolist() == [[5, 3, 5, 3, 5, 3]]


def _count_task():
    def blocks(n):
        a = np.zeros((6, 6), dtype=np.uint8)
        for i in range(n):
            a[(i // 3) * 2, (i % 3) * 2] = 2
        return a

    def answer(n):
        return (np.arange(9) < n).astype(np.uint8).reshape(3, 3)

    train = [(blocks(n), answer(n)) for n in (1, 2, 2, 3)]
    return task_of(train, blocks(3), answer(3))


def test_count_lookup_maps_the_number_of_objects_to_an_output():
    task = _count_task()
    xs = [e.input.cells for e in task.train]
    ys = [e.output.cells for e in task.train]
    name, outputs = fitting.count_lookup(xs, ys, [task.test_inputs[0].cells])
    assert name == "count_lookup(objects4c)"
    assert outputs[0].tolist() == [[1, 1, 1], [0, 0, 0], [0, 0, 0]]


def test_count_lookup_needs_a_repeated_value_and_a_known_test_value():
    task = _count_task()
    xs = [e.input.cells for e in task.train]
    ys = [e.output.cells for e in task.train]
    # every count seen once: a lookup of each demonstration, no evidence of a rule
    assert fitting.count_lookup([xs[0], xs[1], xs[3]], [ys[0], ys[1], ys[3]], [xs[0]]) is None
    unseen = np.zeros((6, 6), dtype=np.uint8)
    unseen[::2, ::2] = 2  # nine objects, never demonstrated
    assert fitting.count_lookup(xs, ys, [unseen]) is None


def test_the_search_finds_the_count_lookup():
    task = _count_task()
    result = run_search(task, SearchOptions(max_depth=1, seconds=20))
    assert result.findings[0].program.text == "count_lookup(objects4c)"
    assert result.candidates(0)[0][0].to_lists() == [[1, 1, 1], [0, 0, 0], [0, 0, 0]]


def test_the_search_draws_the_input_back_over_a_program():
    # outline8 paints over single cells too; drawing the input back restores them
    def case(y, x):
        a = np.zeros((7, 7), dtype=np.uint8)
        a[y, x] = 4
        b = a.copy()
        b[max(y - 1, 0) : y + 2, max(x - 1, 0) : x + 2] = 3
        b[y, x] = 4
        return a, b

    train = [case(3, 3), case(1, 5), case(5, 1)]
    test, answer = case(2, 2)
    result = run_search(task_of(train, test, answer), SearchOptions(max_depth=2, seconds=20))
    best = result.candidates(0)[0][0]
    assert best.to_lists() == answer.tolist()


def test_alternate_dashes_each_object_in_reading_order():
    a = g([[9, 0, 0], [0, 9, 0], [0, 0, 9]])
    assert markers.alternate_in_objects(a, 4).tolist() == [[9, 0, 0], [0, 4, 0], [0, 0, 9]]
    assert markers.alternate_in_objects(g([[9, 0, 9]]), 4) is None  # single cells only


def test_center_in_frame_moves_the_shape_between_the_markers():
    a = g(
        [
            [2, 2, 2, 0, 0],
            [3, 0, 0, 0, 3],
            [0, 0, 0, 0, 0],
            [3, 0, 0, 0, 3],
            [0, 0, 0, 0, 0],
        ]
    )
    assert markers.center_in_frame(a, 3).tolist() == [
        [0, 0, 0, 0, 0],
        [3, 0, 0, 0, 3],
        [0, 2, 2, 2, 0],
        [3, 0, 0, 0, 3],
        [0, 0, 0, 0, 0],
    ]
    assert markers.center_in_frame(markers.center_in_frame(a, 3), 3) is None  # already centred


def test_center_in_frame_needs_an_exact_centre():
    a = g([[3, 0, 0, 3], [0, 5, 0, 0], [3, 0, 0, 3]])
    # the 5 would have to move by half a cell sideways
    assert markers.center_in_frame(a, 3) is None
    b = g([[3, 0, 0, 0, 3], [5, 0, 0, 0, 0], [3, 0, 0, 0, 3]])
    assert markers.center_in_frame(b, 3).tolist() == [
        [3, 0, 0, 0, 3],
        [0, 0, 5, 0, 0],
        [3, 0, 0, 0, 3],
    ]


def test_the_object_with_most_cells_of_the_rarest_color_is_picked():
    from arc_ttt.domain.search.objects import components, pick

    a = g(
        [
            [1, 2, 1, 0, 1, 1, 1],
            [1, 1, 1, 0, 1, 2, 1],
            [0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 0, 2, 1, 2],
        ]
    )
    objs = components(a, diagonal=True, by_color=False)
    found = pick(objs, "most_rare_color")
    assert (found.top, found.left) == (3, 4)  # two 2s; the others have one or none
    a[1, 1] = 2  # now the top-left object has two as well: a tie singles out nothing
    assert pick(components(a, diagonal=True, by_color=False), "most_rare_color") is None


def test_corners_overlay_lays_the_four_corner_squares_over_each_other():
    a = g(
        [
            [4, 0, 0, 0, 0, 0, 4],
            [0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0],
            [0, 0, 0, 0, 0, 0, 0],
            [4, 0, 0, 0, 0, 4, 4],
        ]
    )
    assert geometry.corners_overlay(a).tolist() == [[4, 0, 4], [0, 0, 0], [4, 4, 4]]
    assert geometry.corners_overlay(g([[1]])) is None


def test_continue_period_repeats_the_columns_to_the_edge():
    a = g([[1, 2, 1, 2, 0, 0, 0], [0, 3, 0, 3, 0, 0, 0]])
    assert geometry.continue_period(a).tolist() == [
        [1, 2, 1, 2, 1, 2, 1],
        [0, 3, 0, 3, 0, 3, 0],
    ]
    assert geometry.continue_period(a.T.copy(), down=True).tolist() == (
        geometry.continue_period(a).T.tolist()
    )
    # a pattern not seen twice, or one that already reaches the edge, is left alone
    assert geometry.continue_period(g([[1, 2, 3, 0, 0]])) is None
    assert geometry.continue_period(g([[1, 2, 1, 2]])) is None


def test_slide_to_diagonal_moves_an_unaligned_cell_until_it_touches():
    a = g(
        [
            [5, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 0, 2, 2],
            [0, 0, 2, 2],
        ]
    )
    assert moves.slide_to(a, 2) is None  # neither in its rows nor its columns
    assert moves.slide_to(a, 2, diagonal=True).tolist() == [
        [0, 0, 0, 0],
        [0, 5, 0, 0],
        [0, 0, 2, 2],
        [0, 0, 2, 2],
    ]


def test_count_lookup_can_key_on_the_shape_of_the_cells():
    shapes = [g([[1, 1], [0, 0]]), g([[0, 1], [0, 1]]), g([[2, 2], [0, 0]]), g([[0, 3], [0, 3]])]
    answers = [g([[1]]), g([[2]]), g([[1]]), g([[2]])]
    name, outputs = fitting.count_lookup(shapes, answers, [g([[4, 4], [0, 0]])])
    assert name == "count_lookup(mask)" and outputs[0].tolist() == [[1]]
