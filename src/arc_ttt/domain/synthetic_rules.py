"""Rule families that move, repeat or recolor every cell: symmetries, scaling, tiling, gravity.

Rotations turn counter-clockwise, like ``Dihedral`` and ``numpy.rot90``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar, Literal, Self

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.grid import MAX_SIDE, NUM_COLORS, Grid
from arc_ttt.domain.grid_objects import BACKGROUND
from arc_ttt.domain.synthetic_rule import FOREGROUND, Rule, noisy_cells, palette, scatter


@dataclass(frozen=True)
class Recolor(Rule):
    """Each ``(source, target)`` pair of ``mapping`` repaints source cells; other colors stay."""

    name: ClassVar[str] = "recolor"
    mapping: tuple[tuple[int, int], ...]

    def __post_init__(self) -> None:
        sources = [s for s, _ in self.mapping]
        ok = all(s in FOREGROUND and t in FOREGROUND and s != t for s, t in self.mapping)
        if not self.mapping or not ok or len(set(sources)) != len(sources):
            raise ValueError(
                f"recolor maps distinct colors 1..9 each to another color 1..9, got {self.mapping}"
            )

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        sources = sorted(rng.sample(FOREGROUND, rng.randint(1, 4)))
        return cls(tuple((s, rng.choice([c for c in FOREGROUND if c != s])) for s in sources))

    def apply(self, grid: Grid) -> Grid:
        lookup = np.arange(NUM_COLORS, dtype=np.uint8)
        for source, target in self.mapping:
            lookup[source] = target
        return Grid.from_array(lookup[grid.cells])

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        sources = [s for s, _ in self.mapping]
        cells = scatter(rng, height, width, sources, rng.uniform(0.4, 0.9))
        # Every source color appears, so each demonstration shows the whole mapping.
        spots = rng.sample(range(height * width), min(len(sources), height * width))
        for spot, color in zip(spots, sources, strict=False):
            cells[divmod(spot, width)] = color
        return cells


@dataclass(frozen=True)
class _Symmetry(Rule):
    """Shared sampler of the rules that only rearrange cells: busy grids break symmetry."""

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls()

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        return noisy_cells(rng, height, width)


@dataclass(frozen=True)
class FlipHorizontal(_Symmetry):
    """Mirror left-right: ``[[1, 2]]`` becomes ``[[2, 1]]``."""

    name: ClassVar[str] = "flip_horizontal"

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.fliplr(grid.cells))


@dataclass(frozen=True)
class FlipVertical(_Symmetry):
    """Mirror top-bottom: the first row becomes the last."""

    name: ClassVar[str] = "flip_vertical"

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.flipud(grid.cells))


@dataclass(frozen=True)
class Transpose(_Symmetry):
    """Swap rows and columns: cell ``(r, c)`` moves to ``(c, r)``."""

    name: ClassVar[str] = "transpose"

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(grid.cells.T)


@dataclass(frozen=True)
class Rotate(_Symmetry):
    """Turn the grid ``turns`` quarter turns counter-clockwise (1, 2 or 3)."""

    name: ClassVar[str] = "rotate"
    turns: int = 1

    def __post_init__(self) -> None:
        if self.turns not in (1, 2, 3):
            raise ValueError(f"rotate takes 1, 2 or 3 quarter turns, got {self.turns}")

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls(rng.randint(1, 3))

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.rot90(grid.cells, self.turns))


@dataclass(frozen=True)
class Shift(_Symmetry):
    """Translate by ``(down, right)`` cells; what leaves one edge wraps round to the other."""

    name: ClassVar[str] = "shift"
    down: int = 0
    right: int = 1

    def __post_init__(self) -> None:
        if self.down == 0 and self.right == 0:
            raise ValueError("shift by (0, 0) changes nothing")

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        offsets = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3) if (dy, dx) != (0, 0)]
        return cls(*rng.choice(offsets))

    def min_input_side(self) -> int:
        # Shifting a side of n cells by n wraps every cell back to where it was.
        return max(abs(self.down), abs(self.right)) + 1

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.roll(grid.cells, (self.down, self.right), axis=(0, 1)))


@dataclass(frozen=True)
class MirrorExtend(_Symmetry):
    """Append the grid's mirror image to its right (``horizontal``) or below it (``vertical``)."""

    name: ClassVar[str] = "mirror_extend"
    axis: Literal["horizontal", "vertical"] = "horizontal"

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls(rng.choice(("horizontal", "vertical")))

    def max_input_side(self) -> int:
        return MAX_SIDE // 2

    def apply(self, grid: Grid) -> Grid:
        c = grid.cells
        if self.axis == "horizontal":
            return Grid.from_array(np.hstack([c, np.fliplr(c)]))
        return Grid.from_array(np.vstack([c, np.flipud(c)]))


@dataclass(frozen=True)
class Scale(_Symmetry):
    """Blow each cell up into a ``factor x factor`` block (2 or 3)."""

    name: ClassVar[str] = "scale"
    factor: int = 2

    def __post_init__(self) -> None:
        if self.factor not in (2, 3):
            raise ValueError(f"scale takes a factor of 2 or 3, got {self.factor}")

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls(rng.choice((2, 3)))

    def max_input_side(self) -> int:
        return MAX_SIDE // self.factor

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.repeat(np.repeat(grid.cells, self.factor, 0), self.factor, 1))


@dataclass(frozen=True)
class Tile(_Symmetry):
    """Repeat the whole grid ``rows`` times downwards and ``cols`` times across (1..3 each)."""

    name: ClassVar[str] = "tile"
    rows: int = 2
    cols: int = 2

    def __post_init__(self) -> None:
        if not (1 <= self.rows <= 3 and 1 <= self.cols <= 3) or self.rows * self.cols == 1:
            raise ValueError(f"tile repeats 1..3 x 1..3 times, not once: {self.rows}x{self.cols}")

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls(*rng.choice([(r, c) for r in (1, 2, 3) for c in (1, 2, 3) if r * c > 1]))

    def max_input_side(self) -> int:
        return MAX_SIDE // max(self.rows, self.cols)

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.tile(grid.cells, (self.rows, self.cols)))


@dataclass(frozen=True)
class Border(Rule):
    """Frame the grid with a one-cell ring of ``color``: the output is 2 larger each way."""

    name: ClassVar[str] = "border"
    color: int = 1

    def __post_init__(self) -> None:
        if self.color not in FOREGROUND:
            raise ValueError(f"border color must be 1..9, got {self.color}")

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls(rng.choice(FOREGROUND))

    def max_input_side(self) -> int:
        return MAX_SIDE - 2

    def apply(self, grid: Grid) -> Grid:
        return Grid.from_array(np.pad(grid.cells, 1, constant_values=self.color))

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        # The frame's color stays out of the inputs, so the frame is always visible.
        colors = palette(rng, rng.randint(1, 3), exclude=(self.color,))
        return scatter(rng, height, width, colors, rng.uniform(0.2, 0.7))


Direction = Literal["down", "up", "left", "right"]


@dataclass(frozen=True)
class Gravity(Rule):
    """Every non-background cell falls towards ``direction`` and stacks, keeping its order."""

    name: ClassVar[str] = "gravity"
    direction: Direction = "down"

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        directions: tuple[Direction, ...] = ("down", "up", "left", "right")
        return cls(rng.choice(directions))

    def apply(self, grid: Grid) -> Grid:
        vertical = self.direction in ("down", "up")
        to_end = self.direction in ("down", "right")
        lines = grid.cells.T if vertical else grid.cells
        packed = np.array([_pack(line, to_end) for line in lines], dtype=np.uint8)
        return Grid.from_array(packed.T if vertical else packed)

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        # Sparse, so most cells have somewhere to fall.
        return scatter(rng, height, width, palette(rng, rng.randint(1, 3)), rng.uniform(0.15, 0.5))


def _pack(line: npt.NDArray[np.uint8], to_end: bool) -> npt.NDArray[np.uint8]:
    kept = line[line != BACKGROUND]
    gap = np.full(len(line) - len(kept), BACKGROUND, dtype=np.uint8)
    return np.concatenate([gap, kept] if to_end else [kept, gap])
