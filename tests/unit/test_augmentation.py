import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arc_ttt import Augmentation, ColorPermutation, Dihedral, Grid
from arc_ttt.domain.augmentation import random_augmentation
from arc_ttt.domain.errors import InvalidAugmentationError
from strategies import augmentations, color_permutations, dihedrals, grids, tasks

PROPERTY = settings(max_examples=200)


@PROPERTY
@given(grids(), dihedrals, color_permutations)
def test_inverse_of_apply_is_identity(grid, transform, colors):
    aug = Augmentation(transform, colors)
    assert aug.invert_grid(aug.apply_grid(grid)) == grid


@PROPERTY
@given(dihedrals, dihedrals, grids(max_side=6))
def test_dihedral_group_is_closed_under_composition(a, b, grid):
    composed = a.then(b)
    assert composed in Dihedral
    assert np.array_equal(composed.apply(grid.cells), b.apply(a.apply(grid.cells)))


def test_dihedral_group_table_has_identity_inverses_and_associativity():
    for a in Dihedral:
        assert a.then(Dihedral.IDENTITY) is a and Dihedral.IDENTITY.then(a) is a
        assert a.then(a.inverse()) is Dihedral.IDENTITY
        for b in Dihedral:
            for c in Dihedral:
                assert a.then(b).then(c) is a.then(b.then(c))
    # 8 distinct images of an asymmetric grid: the transforms really differ.
    probe = Grid([[1, 2, 3], [4, 5, 6]])
    assert len({Grid.from_array(d.apply(probe.cells)) for d in Dihedral}) == 8


@pytest.mark.parametrize(
    ("transform", "expected"),
    [
        (Dihedral.IDENTITY, [[1, 2], [3, 4]]),
        (Dihedral.ROT90, [[2, 4], [1, 3]]),
        (Dihedral.ROT180, [[4, 3], [2, 1]]),
        (Dihedral.FLIP_LR, [[2, 1], [4, 3]]),
        (Dihedral.FLIP_UD, [[3, 4], [1, 2]]),
        (Dihedral.TRANSPOSE, [[1, 3], [2, 4]]),
        (Dihedral.ANTI_TRANSPOSE, [[4, 2], [3, 1]]),
    ],
)
def test_named_transforms_do_what_they_say(transform, expected):
    assert Augmentation(transform).apply_grid(Grid([[1, 2], [3, 4]])).to_lists() == expected


@PROPERTY
@given(color_permutations)
def test_color_permutation_is_a_bijection(perm):
    image = perm.apply(np.arange(10, dtype=np.uint8))
    assert sorted(image.tolist()) == list(range(10))
    assert perm.inverse().apply(image).tolist() == list(range(10))


@PROPERTY
@given(st.integers(0, 2**32 - 1))
def test_keep_background_fixes_color_zero(seed):
    perm = ColorPermutation.random(random.Random(seed), keep_background=True)
    assert perm.mapping[0] == 0
    assert sorted(perm.mapping) == list(range(10))


def test_not_a_bijection_is_rejected():
    with pytest.raises(InvalidAugmentationError, match="one-to-one"):
        ColorPermutation((0, 0, 2, 3, 4, 5, 6, 7, 8, 9))
    with pytest.raises(InvalidAugmentationError):
        ColorPermutation((0, 1, 2))


@PROPERTY
@given(st.data())
def test_task_augmentation_applies_consistently_and_inverts(data):
    task = data.draw(tasks())
    aug = data.draw(augmentations(len(task.train)))
    view = aug.apply_task(task)
    assert aug.order is not None
    for new_pos, old_pos in enumerate(aug.order):
        original = task.train[old_pos]
        assert view.train[new_pos].input == aug.apply_grid(original.input)
        assert view.train[new_pos].output == aug.apply_grid(original.output)
        assert aug.invert_grid(view.train[new_pos].output) == original.output
    assert [aug.invert_grid(g) for g in view.test_inputs] == list(task.test_inputs)
    assert view.test_outputs is not None and task.test_outputs is not None
    assert [aug.invert_grid(g) for g in view.test_outputs] == list(task.test_outputs)


def test_every_view_of_a_flip_task_is_a_task_with_one_consistent_rule():
    from arc_ttt.domain.task import Example, Task

    inputs = [Grid([[1, 2, 0], [0, 3, 4]]), Grid([[5, 0], [6, 7], [0, 8]]), Grid([[1, 1, 2, 3]])]
    flip = Dihedral.FLIP_LR
    task = Task(
        "flip",
        tuple(Example(g, Grid.from_array(flip.apply(g.cells))) for g in inputs[:2]),
        (inputs[2],),
        (Grid.from_array(flip.apply(inputs[2].cells)),),
    )
    for d in Dihedral:
        view = Augmentation(d, ColorPermutation.random(random.Random(d.value))).apply_task(task)
        pairs = [
            *((e.input, e.output) for e in view.train),
            (view.test_inputs[0], view.test_outputs[0]),
        ]
        rules = [
            {r for r in Dihedral if np.array_equal(r.apply(i.cells), o.cells)} for i, o in pairs
        ]
        # the view's rule is the conjugate d^-1 . flip . d, shared by every pair
        conjugate = d.inverse().then(flip).then(d)
        assert all(conjugate in found for found in rules)


def test_order_must_fit_the_task():
    from arc_ttt.domain.task import Example, Task

    task = Task("t", (Example(Grid([[1]]), Grid([[2]])),), (Grid([[1]]),))
    with pytest.raises(InvalidAugmentationError, match="not a permutation"):
        Augmentation(order=(0, 1)).apply_task(task)


def test_random_augmentation_is_seeded_and_varied():
    draw = [random_augmentation(random.Random(7), 4) for _ in range(2)]
    assert draw[0] == draw[1]
    rng = random.Random(0)
    many = {random_augmentation(rng, 4) for _ in range(200)}
    assert len({a.transform for a in many}) == 8
    assert len(many) > 150
    assert all(a.colors.mapping[0] == 0 for a in many)
    assert Augmentation().is_identity() and not next(iter(many - {Augmentation()})).is_identity()
