"""A rule for synthetic tasks: a known grid transform with the inputs that show it off.

A rule *family* is a ``Rule`` subclass; ``draw`` picks one instance's parameters (which color
maps to which, how far to shift), so every synthetic task gets its own rule of the family.
Randomness comes from ``random.Random`` only, so a seed gives the same grids on any numpy.
"""

from __future__ import annotations

import random
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.grid import MAX_SIDE, NUM_COLORS, Grid
from arc_ttt.domain.grid_objects import BACKGROUND, Cell
from arc_ttt.domain.task import Example

FOREGROUND = tuple(range(1, NUM_COLORS))
# Each rule's inputs are chosen so that a sample is rarely rejected; this only stops a broken one.
MAX_TRIES = 500


class SamplingError(ArcTTTError, RuntimeError):
    """A rule found no input that demonstrates it within the side bounds it was given."""


@dataclass(frozen=True)
class Rule(ABC):
    """One instance of a rule family: ``apply`` is the known answer, ``sample_input`` the puzzle.

    Subclasses set ``name`` (the family's registry name) and may narrow the input sides they
    accept, e.g. when the output grows (scaling) or the rule needs room (an enclosed area).
    """

    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def draw(cls, rng: random.Random) -> Self:
        """An instance of this family with parameters drawn from ``rng``."""

    @abstractmethod
    def apply(self, grid: Grid) -> Grid:
        """The rule's output for ``grid``; the ground truth of every synthetic example."""

    @abstractmethod
    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        """An input of exactly ``height x width`` cells suited to this rule."""

    def min_input_side(self) -> int:
        """The smallest input side on which this rule can show itself."""
        # A 1 x 1 grid shows almost no rule: no symmetry to break, no room for distinct inputs.
        return 2

    def max_input_side(self) -> int:
        """The largest input side whose output still fits in 30 x 30."""
        return MAX_SIDE

    def suits(self, grid: Grid) -> bool:
        """Whether ``grid`` shows this rule unambiguously (e.g. a unique largest object)."""
        return True

    def side_range(self, min_side: int, max_side: int) -> tuple[int, int]:
        """The input sides this rule will draw within ``min_side..max_side``.

        Raises ``ValueError`` when the bounds are not 1..30 or leave this rule no room.
        """
        if not 1 <= min_side <= max_side <= MAX_SIDE:
            raise ValueError(
                f"need 1 <= min_side <= max_side <= {MAX_SIDE}, got {min_side}..{max_side}"
            )
        lo = max(min_side, self.min_input_side())
        hi = min(max_side, self.max_input_side())
        if lo > hi:
            raise ValueError(
                f"{self!r} takes input sides {self.min_input_side()}..{self.max_input_side()}, "
                f"which miss the requested {min_side}..{max_side}"
            )
        return lo, hi

    def sample_input(self, rng: random.Random, min_side: int = 3, max_side: int = 10) -> Grid:
        """A fresh input with height and width each drawn from the rule's part of the range."""
        lo, hi = self.side_range(min_side, max_side)
        return Grid.from_array(self._draw_cells(rng, rng.randint(lo, hi), rng.randint(lo, hi)))

    def sample_example(self, rng: random.Random, min_side: int = 3, max_side: int = 10) -> Example:
        """A fresh (input, output) pair that demonstrates the rule.

        Rejected and redrawn: inputs the rule does not ``suit``, all-background inputs or
        outputs, and outputs equal to their input. Raises ``SamplingError`` if none is found.
        """
        for _ in range(MAX_TRIES):
            grid = self.sample_input(rng, min_side, max_side)
            if not self.suits(grid) or not _has_foreground(grid):
                continue
            out = self.apply(grid)
            if out != grid and _has_foreground(out):
                return Example(grid, out)
        raise SamplingError(f"{self!r} found no example in {MAX_TRIES} tries")


def _has_foreground(grid: Grid) -> bool:
    return bool((grid.cells != BACKGROUND).any())


def palette(rng: random.Random, k: int, *, exclude: Sequence[int] = ()) -> list[int]:
    """``k`` distinct foreground colors, none of them in ``exclude``."""
    choices = [c for c in FOREGROUND if c not in exclude]
    return rng.sample(choices, min(k, len(choices)))


def scatter(
    rng: random.Random, height: int, width: int, colors: Sequence[int], density: float
) -> npt.NDArray[np.uint8]:
    """Background with each cell, with probability ``density``, set to one of ``colors``."""
    cells = [
        [rng.choice(colors) if rng.random() < density else BACKGROUND for _ in range(width)]
        for _ in range(height)
    ]
    return np.array(cells, dtype=np.uint8)


def noisy_cells(rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
    """A general-purpose input: 1..4 colors scattered at a density between 30% and 80%."""
    colors = palette(rng, rng.randint(1, 4))
    return scatter(rng, height, width, colors, rng.uniform(0.3, 0.8))


def blob(rng: random.Random, height: int, width: int, size: int) -> list[Cell]:
    """About ``size`` 4-connected cells grown at random inside a ``height x width`` box.

    Fewer cells come back when the box is smaller than ``size``.
    """
    start = (rng.randrange(height), rng.randrange(width))
    members, chosen = [start], {start}
    target = min(size, height * width)
    for _ in range(20 * target):  # growth can stall against the box edges; give up quietly
        if len(members) >= target:
            break
        y, x = rng.choice(members)
        dy, dx = rng.choice(((1, 0), (-1, 0), (0, 1), (0, -1)))
        cell = (y + dy, x + dx)
        if 0 <= cell[0] < height and 0 <= cell[1] < width and cell not in chosen:
            chosen.add(cell)
            members.append(cell)
    return members


def paint(cells: npt.NDArray[Any], points: Sequence[Cell], color: int, at: Cell = (0, 0)) -> None:
    """Set ``points`` (offset by ``at``) to ``color`` in place."""
    for y, x in points:
        cells[y + at[0], x + at[1]] = color
