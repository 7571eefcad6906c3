"""Synthetic tasks: seeded, valid, non-degenerate, and each family does what its name says."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt.domain.grid import MAX_SIDE, Grid
from arc_ttt.domain.grid_objects import (
    enclosed_background,
    has_unique_largest,
    isolated_cells,
    objects,
)
from arc_ttt.domain.synthetic import (
    FAMILIES,
    Rule,
    generate_task,
    generate_tasks,
    make_rule,
    task_from_rule,
    task_rule,
)
from arc_ttt.domain.synthetic_object_rules import (
    CountToBar,
    CropLargest,
    CropObject,
    Denoise,
    FillEnclosed,
    KeepLargest,
)
from arc_ttt.domain.synthetic_rules import (
    Border,
    FlipHorizontal,
    FlipVertical,
    Gravity,
    MirrorExtend,
    Recolor,
    Rotate,
    Scale,
    Shift,
    Tile,
    Transpose,
)
from arc_ttt.domain.task import Task

seeds = st.integers(0, 2**32 - 1)


def grid_of(rows: list[list[int]]) -> Grid:
    return Grid(rows)


def assert_demonstrates(task: Task, rule: Rule) -> None:
    """Every pair follows the rule, changes something, and no input repeats."""
    assert task.test_outputs is not None
    pairs = [(e.input, e.output) for e in task.train]
    pairs += list(zip(task.test_inputs, task.test_outputs, strict=True))
    for inp, out in pairs:
        assert rule.apply(inp) == out
        assert out != inp
        assert inp.cells.any() and out.cells.any(), "all-background grid"
        assert max(out.shape) <= MAX_SIDE
    assert len({inp for inp, _ in pairs}) == len(pairs)


# --- the registry and determinism -------------------------------------------------------------


def test_there_are_at_least_twelve_distinct_families() -> None:
    assert len(FAMILIES) >= 12
    assert len(set(FAMILIES)) == len(FAMILIES)


def test_same_seed_gives_identical_tasks() -> None:
    assert generate_tasks(40, seed=3) == generate_tasks(40, seed=3)
    assert generate_task("gravity", 11) == generate_task("gravity", 11)


def test_different_seeds_give_different_tasks() -> None:
    for family in FAMILIES:
        assert generate_task(family, 1).train != generate_task(family, 2).train
    assert generate_tasks(20, seed=1) != generate_tasks(20, seed=2)


def test_task_id_names_family_and_seed_and_rebuilds_the_task() -> None:
    task = generate_task("tile", random.Random(5))
    family, seed = task.id.removeprefix("syn-").rsplit("-", 1)
    assert family == "tile"
    assert generate_task(family, int(seed)) == task
    assert generate_task("rotate", 42).id == "syn-rotate-42"


def test_generate_tasks_cycles_families_with_unique_ids() -> None:
    tasks = generate_tasks(3 * len(FAMILIES), seed=0)
    assert len({t.id for t in tasks}) == len(tasks)
    assert [t.id.split("-")[1] for t in tasks[: len(FAMILIES)]] == list(FAMILIES)
    only = generate_tasks(6, seed=0, families=["scale", "transpose"])
    assert [t.id.split("-")[1] for t in only] == ["scale", "transpose"] * 3


def test_unknown_family_and_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"unknown rule family 'spin'.*recolor"):
        generate_task("spin", 0)
    with pytest.raises(ValueError, match="unknown rule families"):
        generate_tasks(2, seed=0, families=["spin"])
    with pytest.raises(ValueError, match="n_train"):
        generate_task("recolor", 0, n_train=0)
    with pytest.raises(ValueError, match="min_side"):
        generate_task("recolor", 0, min_side=5, max_side=4)
    with pytest.raises(ValueError, match=r"miss the requested 11\.\.20"):
        Scale(3).sample_example(random.Random(0), 11, 20)
    with pytest.raises(ValueError, match="n must be"):
        generate_tasks(-1, seed=0)


# --- every family, many seeds: valid, bounded, non-degenerate ---------------------------------


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=100)
@given(seed=seeds)
def test_every_family_makes_valid_tasks_that_show_the_rule(family: str, seed: int) -> None:
    task = generate_task(family, seed)
    assert task.id == f"syn-{family}-{seed}"
    assert 3 <= len(task.train) <= 5
    assert len(task.test_inputs) == 1
    for inp in [e.input for e in task.train] + list(task.test_inputs):
        assert min(inp.shape) >= 3 and max(inp.shape) <= 10
    assert_demonstrates(task, task_rule(family, seed))


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=15)
@given(seed=seeds, sides=st.tuples(st.integers(1, 30), st.integers(1, 30)).map(sorted))
def test_outputs_fit_30x30_for_any_side_bounds(family: str, seed: int, sides: list[int]) -> None:
    rng = random.Random(seed)
    rule = make_rule(family, rng)
    try:
        lo, hi = rule.side_range(*sides)
    except ValueError:
        return  # bounds that leave the rule no room are refused up front, tested above
    task = task_from_rule(rule, rng, "t", n_train=2, min_side=sides[0], max_side=sides[1])
    for e in task.train:
        assert lo <= min(e.input.shape) and max(e.input.shape) <= hi
    assert_demonstrates(task, rule)


@pytest.mark.parametrize("family", FAMILIES)
def test_tightest_and_widest_bounds_still_give_tasks(family: str) -> None:
    for seed in range(20):
        rng = random.Random(seed)
        rule = make_rule(family, rng)
        for side in (rule.min_input_side(), rule.max_input_side()):
            task = task_from_rule(rule, rng, "t", n_train=5, n_test=2, min_side=side, max_side=side)
            assert {e.input.shape for e in task.train} == {(side, side)}
            assert_demonstrates(task, rule)


def test_one_rule_instance_gives_a_stream_of_fresh_examples() -> None:
    # What the "learning works" test needs: a fixed rule, varied inputs, sides 3..6.
    for family in ("recolor", "flip_horizontal", "transpose"):
        rng = random.Random(0)
        rule = make_rule(family, rng)
        examples = [rule.sample_example(rng, 3, 6) for _ in range(100)]
        assert len({e.input for e in examples}) == 100
        assert {e.input.shape for e in examples} >= {(3, 3), (6, 6), (3, 6)}
        assert all(rule.apply(e.input) == e.output for e in examples)


def test_recolor_inputs_show_every_mapped_color() -> None:
    rng = random.Random(1)
    rule = Recolor(((1, 2), (4, 7), (6, 1)))
    for _ in range(30):
        assert {1, 4, 6} <= rule.sample_example(rng).input.colors()


# --- each family's meaning on hand-made grids -------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "grid", "expected"),
    [
        (Recolor(((1, 2), (2, 3))), [[1, 2, 0, 5]], [[2, 3, 0, 5]]),
        (FlipHorizontal(), [[1, 2]], [[2, 1]]),
        (FlipVertical(), [[1], [2]], [[2], [1]]),
        (Rotate(1), [[1, 2], [3, 4]], [[2, 4], [1, 3]]),
        (Rotate(2), [[1, 2], [3, 4]], [[4, 3], [2, 1]]),
        (Rotate(3), [[1, 2], [3, 4]], [[3, 1], [4, 2]]),
        (Transpose(), [[1, 2, 3]], [[1], [2], [3]]),
        (Shift(0, 1), [[1, 2, 3]], [[3, 1, 2]]),
        (Shift(-1, 0), [[1], [2], [3]], [[2], [3], [1]]),
        (MirrorExtend("horizontal"), [[1, 2]], [[1, 2, 2, 1]]),
        (MirrorExtend("vertical"), [[1], [2]], [[1], [2], [2], [1]]),
        (Scale(2), [[1, 2]], [[1, 1, 2, 2], [1, 1, 2, 2]]),
        (Scale(3), [[4]], [[4, 4, 4]] * 3),
        (Tile(2, 3), [[1, 2]], [[1, 2, 1, 2, 1, 2]] * 2),
        (Border(5), [[1]], [[5, 5, 5], [5, 1, 5], [5, 5, 5]]),
        (Gravity("down"), [[3, 0], [0, 2], [4, 0]], [[0, 0], [3, 0], [4, 2]]),
        (Gravity("up"), [[0, 0], [0, 2], [4, 0]], [[4, 2], [0, 0], [0, 0]]),
        (Gravity("left"), [[0, 1, 0, 2]], [[1, 2, 0, 0]]),
        (Gravity("right"), [[1, 0, 2, 0]], [[0, 0, 1, 2]]),
        (CropObject(), [[0, 0, 0], [0, 1, 2], [0, 0, 3]], [[1, 2], [0, 3]]),
        (
            CropLargest(),
            [[1, 0, 0, 0], [0, 0, 2, 2], [0, 0, 2, 0], [3, 0, 0, 0]],
            [[2, 2], [2, 0]],
        ),
        (
            KeepLargest(),
            [[1, 0, 0, 0], [0, 0, 2, 2], [0, 0, 2, 0], [3, 0, 0, 0]],
            [[0, 0, 0, 0], [0, 0, 2, 2], [0, 0, 2, 0], [0, 0, 0, 0]],
        ),
        (Denoise(), [[1, 0, 0], [0, 0, 2], [0, 3, 2]], [[0, 0, 0], [0, 0, 2], [0, 3, 2]]),
        (Denoise(), [[1, 0], [0, 1]], [[0, 0], [0, 0]]),
        (
            FillEnclosed(4),
            [[1, 1, 1, 0], [1, 0, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]],
            [[1, 1, 1, 0], [1, 4, 1, 0], [1, 1, 1, 0], [0, 0, 0, 0]],
        ),
        (FillEnclosed(4), [[1, 1, 1], [1, 0, 0], [1, 1, 1]], [[1, 1, 1], [1, 0, 0], [1, 1, 1]]),
        (CountToBar(), [[0, 3, 0], [3, 0, 0]], [[3, 3]]),
        (CountToBar(), [[0, 6], [2, 0]], [[6, 2]]),
    ],
    ids=lambda v: repr(v) if isinstance(v, Rule) else "",
)
def test_family_semantics(rule: Rule, grid: list[list[int]], expected: list[list[int]]) -> None:
    assert rule.apply(grid_of(grid)) == grid_of(expected)


def test_every_family_has_a_hand_made_check() -> None:
    checked: set[type[Rule]] = {
        Recolor, FlipHorizontal, FlipVertical, Rotate, Transpose, Shift, MirrorExtend, Scale,
        Tile, Border, Gravity, CropObject, CropLargest, KeepLargest, Denoise, FillEnclosed,
        CountToBar,
    }  # fmt: skip
    assert {cls.name for cls in checked} == set(FAMILIES)


def test_rules_that_grow_grids_narrow_their_input_sides() -> None:
    assert Scale(3).side_range(1, 30) == (2, 10)
    assert Tile(1, 3).side_range(1, 30) == (2, 10)
    assert Border(2).side_range(3, 30) == (3, 28)
    assert MirrorExtend("vertical").side_range(3, 30) == (3, 15)
    assert FillEnclosed(1).side_range(1, 5) == (3, 5)
    assert Shift(2, -1).side_range(1, 5) == (3, 5)


def test_count_to_bar_refuses_a_bar_longer_than_30() -> None:
    with pytest.raises(ValueError, match="over 30"):
        CountToBar().apply(Grid.from_array(np.ones((6, 6), dtype=np.uint8)))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Recolor(((1, 1),)),
        lambda: Recolor(((1, 2), (1, 3))),
        lambda: Recolor(()),
        lambda: Rotate(4),
        lambda: Shift(0, 0),
        lambda: Scale(4),
        lambda: Tile(1, 1),
        lambda: Border(0),
        lambda: FillEnclosed(10),
    ],
)
def test_bad_rule_parameters_are_named(make: object) -> None:
    with pytest.raises(ValueError):
        make()  # type: ignore[operator]


# --- grid objects -----------------------------------------------------------------------------


def test_objects_are_same_colored_4_connected_groups_in_reading_order() -> None:
    cells = np.array([[1, 1, 0], [0, 2, 1], [1, 0, 1]])
    assert objects(cells) == [[(0, 0), (0, 1)], [(1, 1)], [(1, 2), (2, 2)], [(2, 0)]]
    assert not has_unique_largest(cells)  # two objects of two cells
    assert has_unique_largest(np.array([[1, 1, 0, 2]]))


def test_enclosed_background_and_isolated_cells() -> None:
    cells = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]])
    assert enclosed_background(cells).tolist() == [
        [False, False, False],
        [False, True, False],
        [False, False, False],
    ]
    assert (isolated_cells(cells) == (cells != 0)).all()  # no two colored cells touch
    assert isolated_cells(np.array([[1, 2]])).sum() == 0
