"""Invertible task augmentations: the 8 symmetries of the square x color permutations x demo order.

An ``Augmentation`` applies the same transform to every grid of a task, so the puzzle's rule is
carried into the augmented view; ``invert_grid`` maps an answer found in that view back.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.errors import InvalidAugmentationError
from arc_ttt.domain.grid import NUM_COLORS, Grid
from arc_ttt.domain.task import Example, Task


class Dihedral(IntEnum):
    """The 8 symmetries of the square: ``value = quarter_turns + 4 * mirrored``.

    Applying one first mirrors left-right (when mirrored), then turns counter-clockwise.
    """

    IDENTITY = 0
    ROT90 = 1
    ROT180 = 2
    ROT270 = 3
    FLIP_LR = 4
    TRANSPOSE = 5
    FLIP_UD = 6
    ANTI_TRANSPOSE = 7

    def apply(self, cells: npt.NDArray[Any]) -> npt.NDArray[Any]:
        turns, mirrored = self.value % 4, self.value >= 4
        out = np.fliplr(cells) if mirrored else cells
        return np.rot90(out, turns)

    def then(self, other: Dihedral) -> Dihedral:
        """The symmetry equal to applying ``self`` and then ``other``."""
        return Dihedral(_composition_table()[self.value][other.value])

    def inverse(self) -> Dihedral:
        return next(d for d in Dihedral if self.then(d) is Dihedral.IDENTITY)

    def swaps_axes(self) -> bool:
        """True when height and width trade places (odd number of quarter turns)."""
        return self.value % 2 == 1


@cache
def _composition_table() -> tuple[tuple[int, ...], ...]:
    # Found by applying both symmetries to an asymmetric probe: exact, and cheap to compute once.
    probe = np.arange(6).reshape(2, 3)
    images = [d.apply(probe) for d in Dihedral]

    def which(arr: npt.NDArray[Any]) -> int:
        return next(
            i for i, im in enumerate(images) if im.shape == arr.shape and np.array_equal(im, arr)
        )

    return tuple(tuple(which(b.apply(a.apply(probe))) for b in Dihedral) for a in Dihedral)


@dataclass(frozen=True, slots=True)
class ColorPermutation:
    """A bijection of the 10 colors: color ``c`` becomes ``mapping[c]``."""

    mapping: tuple[int, ...]

    def __post_init__(self) -> None:
        if sorted(self.mapping) != list(range(NUM_COLORS)):
            raise InvalidAugmentationError(
                f"a color permutation maps 0..9 onto 0..9 one-to-one, got {list(self.mapping)}"
            )

    @classmethod
    def identity(cls) -> ColorPermutation:
        return cls(tuple(range(NUM_COLORS)))

    @classmethod
    def random(cls, rng: random.Random, *, keep_background: bool = True) -> ColorPermutation:
        """A uniformly random permutation; with ``keep_background`` color 0 stays 0."""
        movable = list(range(1 if keep_background else 0, NUM_COLORS))
        shuffled = movable[:]
        rng.shuffle(shuffled)
        mapping = list(range(NUM_COLORS))
        for src, dst in zip(movable, shuffled, strict=True):
            mapping[src] = dst
        return cls(tuple(mapping))

    def apply(self, cells: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
        lookup = np.asarray(self.mapping, dtype=np.uint8)
        return np.take(lookup, cells)

    def inverse(self) -> ColorPermutation:
        inv = [0] * NUM_COLORS
        for src, dst in enumerate(self.mapping):
            inv[dst] = src
        return ColorPermutation(tuple(inv))

    def is_identity(self) -> bool:
        return self.mapping == tuple(range(NUM_COLORS))


IDENTITY_COLORS = ColorPermutation.identity()


@dataclass(frozen=True, slots=True)
class Augmentation:
    """One view of a task: a symmetry, a color permutation and an order of the demonstrations.

    ``order`` lists the original demonstration indices in their new order; ``None`` keeps the order.
    """

    transform: Dihedral = Dihedral.IDENTITY
    colors: ColorPermutation = IDENTITY_COLORS
    order: tuple[int, ...] | None = None

    def apply_grid(self, grid: Grid) -> Grid:
        return Grid.from_array(self.colors.apply(self.transform.apply(grid.cells)))

    def invert_grid(self, grid: Grid) -> Grid:
        """Map a grid seen in this view back to the original orientation and colors."""
        return Grid.from_array(
            self.transform.inverse().apply(self.colors.inverse().apply(grid.cells))
        )

    def apply_task(self, task: Task) -> Task:
        """The task as seen in this view; raises if ``order`` does not fit the task."""
        order = self._order_for(len(task.train))
        train = tuple(
            Example(self.apply_grid(task.train[i].input), self.apply_grid(task.train[i].output))
            for i in order
        )
        outputs = None
        if task.test_outputs is not None:
            outputs = tuple(self.apply_grid(g) for g in task.test_outputs)
        return Task(task.id, train, tuple(self.apply_grid(g) for g in task.test_inputs), outputs)

    def is_identity(self) -> bool:
        ordered = self.order is None or self.order == tuple(range(len(self.order)))
        return self.transform is Dihedral.IDENTITY and self.colors.is_identity() and ordered

    def describe(self) -> str:
        """Short, stable text for logs and result files, e.g. ``ROT90+colors[0,3,...]+order[1,0]``."""
        parts = [self.transform.name]
        if not self.colors.is_identity():
            parts.append("colors" + "".join(str(c) for c in self.colors.mapping))
        if self.order is not None:
            parts.append("order" + ",".join(str(i) for i in self.order))
        return "+".join(parts)

    def _order_for(self, n: int) -> Sequence[int]:
        if self.order is None:
            return range(n)
        if sorted(self.order) != list(range(n)):
            raise InvalidAugmentationError(
                f"order {list(self.order)} is not a permutation of the task's {n} demonstrations"
            )
        return self.order


def random_augmentation(
    rng: random.Random,
    n_train: int,
    *,
    transforms: Sequence[Dihedral] = tuple(Dihedral),
    permute_colors: bool = True,
    keep_background: bool = True,
    shuffle_order: bool = True,
) -> Augmentation:
    """Draw one augmentation for a task with ``n_train`` demonstrations."""
    transform = rng.choice(list(transforms))
    colors = (
        ColorPermutation.random(rng, keep_background=keep_background)
        if permute_colors
        else ColorPermutation.identity()
    )
    order = None
    if shuffle_order:
        indices = list(range(n_train))
        rng.shuffle(indices)
        order = tuple(indices)
    return Augmentation(transform, colors, order)
