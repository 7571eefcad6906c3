"""Rule families about objects: crop to one, keep the largest, fill what they enclose, count them.

An object is a 4-connected group of cells of one non-background color (see ``grid_objects``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar, Self

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.grid import MAX_SIDE, Grid
from arc_ttt.domain.grid_objects import (
    BACKGROUND,
    bounding_box,
    enclosed_background,
    has_unique_largest,
    isolated_cells,
    largest_object,
)
from arc_ttt.domain.synthetic_rule import FOREGROUND, Rule, blob, paint, palette


def _blank(height: int, width: int) -> npt.NDArray[np.uint8]:
    return np.full((height, width), BACKGROUND, dtype=np.uint8)


def _scene(
    rng: random.Random, height: int, width: int, n: int, min_size: int = 1
) -> npt.NDArray[np.uint8]:
    """``n`` blobs of distinct colors, each in a box up to half the grid, placed anywhere."""
    cells = _blank(height, width)
    for color in palette(rng, n):
        bh = rng.randint(1, max(2, (height + 1) // 2))
        bw = rng.randint(1, max(2, (width + 1) // 2))
        bw = max(bw, min_size) if bh * bw < min_size else bw
        size = rng.randint(min(min_size, bh * bw), bh * bw)
        at = (rng.randint(0, height - bh), rng.randint(0, width - bw))
        paint(cells, blob(rng, bh, bw, size), color, at)
    return cells


@dataclass(frozen=True)
class CropObject(Rule):
    """Cut out the bounding box of everything that is not background (inputs hold one object)."""

    name: ClassVar[str] = "crop_object"

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls()

    def apply(self, grid: Grid) -> Grid:
        points = [(int(r), int(c)) for r, c in np.argwhere(grid.cells != BACKGROUND)]
        if not points:
            return grid
        return Grid.from_array(grid.cells[bounding_box(points)])

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        # One connected shape, 1 or 2 colors, in a box smaller than the grid so cropping shows.
        bh, bw = rng.randint(1, height - 1), rng.randint(1, width - 1)
        colors = palette(rng, rng.randint(1, 2))
        cells = _blank(height, width)
        at = (rng.randint(0, height - bh), rng.randint(0, width - bw))
        for point in blob(rng, bh, bw, rng.randint((bh * bw + 1) // 2, bh * bw)):
            paint(cells, [point], rng.choice(colors), at)
        return cells


class _LargestObjectRule(Rule):
    """A rule about the largest object of a scene of 2 to 4 objects, shown only by scenes whose
    largest object is unique; no parameters."""

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls()

    def min_input_side(self) -> int:
        return 3

    def suits(self, grid: Grid) -> bool:
        return has_unique_largest(grid.cells)

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        return _scene(rng, height, width, rng.randint(2, 4))


@dataclass(frozen=True)
class CropLargest(_LargestObjectRule):
    """Cut out the bounding box of the largest object (the first in reading order on a tie)."""

    name: ClassVar[str] = "crop_largest"

    def apply(self, grid: Grid) -> Grid:
        largest = largest_object(grid.cells)
        return grid if largest is None else Grid.from_array(grid.cells[bounding_box(largest)])


@dataclass(frozen=True)
class KeepLargest(_LargestObjectRule):
    """Erase every object but the largest (the first in reading order on a tie)."""

    name: ClassVar[str] = "keep_largest"

    def apply(self, grid: Grid) -> Grid:
        largest = largest_object(grid.cells)
        if largest is None:
            return grid
        out = _blank(*grid.shape)
        for r, c in largest:
            out[r, c] = grid.cells[r, c]
        return Grid.from_array(out)


@dataclass(frozen=True)
class Denoise(Rule):
    """Erase isolated pixels: non-background cells whose four neighbours are all background."""

    name: ClassVar[str] = "denoise"

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls()

    def min_input_side(self) -> int:
        return 3

    def apply(self, grid: Grid) -> Grid:
        out = grid.cells.copy()
        out[isolated_cells(grid.cells)] = BACKGROUND
        return Grid.from_array(out)

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        cells = _scene(rng, height, width, rng.randint(1, 3), min_size=2)
        colors = sorted({int(v) for v in cells.flat} - {BACKGROUND}) or list(FOREGROUND)
        empty = [(r, c) for r in range(height) for c in range(width) if cells[r, c] == BACKGROUND]
        for r, c in rng.sample(empty, min(len(empty), rng.randint(1, 4))):
            cells[r, c] = rng.choice(colors)
        return cells


@dataclass(frozen=True)
class FillEnclosed(Rule):
    """Paint ``color`` into every background area that cannot reach the edge (4-connected)."""

    name: ClassVar[str] = "fill_enclosed"
    color: int = 1

    def __post_init__(self) -> None:
        if self.color not in FOREGROUND:
            raise ValueError(f"fill color must be 1..9, got {self.color}")

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls(rng.choice(FOREGROUND))

    def min_input_side(self) -> int:
        return 3

    def apply(self, grid: Grid) -> Grid:
        out = grid.cells.copy()
        out[enclosed_background(grid.cells)] = self.color
        return Grid.from_array(out)

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        # Hollow rectangles enclose areas; the fill color stays out so the fill is always visible.
        colors = palette(rng, rng.randint(1, 2), exclude=(self.color,))
        cells = _blank(height, width)
        for _ in range(rng.randint(1, 3)):
            rh, rw = rng.randint(3, min(height, 7)), rng.randint(3, min(width, 7))
            top, left = rng.randint(0, height - rh), rng.randint(0, width - rw)
            color = rng.choice(colors)
            cells[top, left : left + rw] = cells[top + rh - 1, left : left + rw] = color
            cells[top : top + rh, left] = cells[top : top + rh, left + rw - 1] = color
        return cells


@dataclass(frozen=True)
class CountToBar(Rule):
    """A one-row bar of the non-background cells' colors, in reading order.

    Raises ``ValueError`` for a grid with more than 30 such cells (the bar would not fit).
    """

    name: ClassVar[str] = "count_to_bar"

    @classmethod
    def draw(cls, rng: random.Random) -> Self:
        return cls()

    def apply(self, grid: Grid) -> Grid:
        values = grid.cells[grid.cells != BACKGROUND]  # boolean indexing reads row by row
        if values.size == 0:
            return grid
        if values.size > MAX_SIDE:
            raise ValueError(f"count_to_bar: {values.size} cells make a bar over {MAX_SIDE} long")
        return Grid.from_array(values.reshape(1, -1))

    def _draw_cells(self, rng: random.Random, height: int, width: int) -> npt.NDArray[np.uint8]:
        # One color per input, so the bar's length is the count that the task is about.
        cells = _blank(height, width)
        n = rng.randint(1, min(height * width - 1, 9))
        color = rng.choice(FOREGROUND)
        for spot in rng.sample(range(height * width), n):
            cells[divmod(spot, width)] = color
        return cells
