"""The learned last step of a program: a color map, and local rules that must generalise."""

import random

import numpy as np

from arc_ttt.domain.search.fitting import agreement, color_map, fits
from search_tasks import g


def test_color_map_learned_from_every_demonstration():
    xs = [g([[1, 2]]), g([[3, 1]])]
    ys = [g([[4, 2]]), g([[5, 4]])]
    assert color_map(xs, ys) == {1: 4, 2: 2, 3: 5}


def test_no_color_map_when_a_color_goes_two_ways():
    assert color_map([g([[1, 1]])], [g([[2, 3]])]) is None  # within one demonstration
    assert color_map([g([[1]]), g([[1]])], [g([[2]]), g([[3]])]) is None  # across two


def test_a_color_map_may_merge_colors():
    assert color_map([g([[1, 2]])], [g([[3, 3]])]) == {1: 3, 2: 3}


def test_fits_of_identical_grids_is_the_empty_step():
    xs = [g([[1, 2]]), g([[3]])]
    found = fits(xs, [x.copy() for x in xs], local=True)
    assert [f.name for f in found] == [""]
    assert np.array_equal(found[0].predict(g([[7, 8]])), [[7, 8]])


def test_fits_a_recoloring_and_applies_it_to_a_new_grid():
    xs = [g([[1, 0], [0, 2]]), g([[2, 2, 1]])]
    ys = [g([[3, 0], [0, 2]]), g([[2, 2, 3]])]
    found = fits(xs, ys, local=False)
    assert found and found[0].name == "recolor(1->3)"
    assert np.array_equal(found[0].predict(g([[1, 2, 0, 1]])), [[3, 2, 0, 3]])


def test_no_fit_when_the_sizes_differ():
    assert fits([g([[1, 2]])], [g([[1], [2]])], local=True) == []


def test_no_fit_without_local_rules_when_no_color_map_exists():
    assert fits([g([[1, 1]]), g([[1]])], [g([[2, 3]]), g([[2]])], local=False) == []


def _outline8(a: np.ndarray, color: int) -> np.ndarray:
    p = np.pad(a != 0, 1)
    near = np.zeros(a.shape, dtype=bool)
    for dy in range(3):
        for dx in range(3):
            near |= p[dy : dy + a.shape[0], dx : dx + a.shape[1]]
    return np.where((a == 0) & near, np.uint8(color), a).astype(np.uint8)


def _dots(shape: tuple[int, int], where: list[tuple[int, int]]) -> np.ndarray:
    a = np.zeros(shape, dtype=np.uint8)
    for y, x in where:
        a[y, x] = 1
    return a


def test_a_local_rule_is_learned_and_generalises_to_a_new_grid():
    # every dot gets a ring of 2s: a rule of each cell's neighbourhood, not of its position
    xs = [_dots((5, 5), [(2, 2)]), _dots((6, 5), [(1, 1), (4, 3)]), _dots((5, 7), [(2, 4)])]
    ys = [_outline8(x, 2) for x in xs]
    found = fits(xs, ys, local=True)
    assert found, "no local rule found for a ring around every dot"
    assert all(f.name.startswith("local(") or f.name.startswith("object") for f in found)
    new = _dots((7, 7), [(1, 1), (5, 4)])
    assert any(
        (p := f.predict(new)) is not None and np.array_equal(p, _outline8(new, 2)) for f in found
    )


def test_local_rules_do_not_memorise_noise():
    rng = np.random.default_rng(7)
    for _ in range(10):
        xs = [rng.integers(0, 10, (4, 4), dtype=np.uint8) for _ in range(3)]
        ys = [rng.integers(0, 10, (4, 4), dtype=np.uint8) for _ in range(3)]
        assert fits(xs, ys, local=True) == []


def test_a_local_rule_seen_in_one_demonstration_only_is_not_trusted():
    # one demonstration cannot be checked by leaving it out: no local rule is offered
    x = _dots((5, 5), [(2, 2)])
    found = fits([x], [_outline8(x, 2)], local=True)
    assert not any(f.name.startswith("local(") for f in found)


def test_a_rule_that_differs_per_demonstration_is_rejected():
    # the same dot becomes 3 in one demonstration and 4 in another: nothing consistent to learn
    rnd = random.Random(3)
    xs, ys = [], []
    for color in (3, 4, 3):
        x = _dots((5, 5), [(rnd.randint(1, 3), rnd.randint(1, 3))])
        xs.append(x)
        ys.append(np.where(x == 1, np.uint8(color), x).astype(np.uint8))
    assert fits(xs, ys, local=True) == []


def test_agreement_is_the_mean_fraction_of_equal_cells():
    assert agreement([g([[1, 2]]), g([[1]])], [g([[1, 3]]), g([[1], [1]])]) == 0.25
