"""Objects on a grid: 4-connected cells of one color, their bounding boxes, enclosed background.

These work on raw cell arrays so rules can combine them before building a ``Grid``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

BACKGROUND = 0

Cell = tuple[int, int]
_STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def objects(cells: npt.NDArray[Any], *, background: int = BACKGROUND) -> list[list[Cell]]:
    """Every object: the 4-connected cells of one non-background color, each list sorted.

    Objects come in reading order of their first cell, so ties are broken the same way every time.
    """
    # Python lists: indexing numpy scalars one cell at a time is several times slower.
    return connected(cells.tolist(), steps=_STEPS, by_color=True, background=background)


def connected(
    rows: list[list[int]],
    *,
    steps: Sequence[tuple[int, int]],
    by_color: bool,
    background: int = BACKGROUND,
) -> list[list[Cell]]:
    """The connected groups of non-background cells of ``rows`` (a grid as lists), each sorted,
    in reading order of their first cell. ``steps``: the neighbour offsets (4 or 8 of them);
    ``by_color``: a group holds one color, else any non-background colors that touch."""
    h, w = len(rows), len(rows[0])
    seen = [[False] * w for _ in range(h)]
    found: list[list[Cell]] = []
    for r in range(h):
        for c in range(w):
            color = rows[r][c]
            if color == background or seen[r][c]:
                continue
            seen[r][c] = True
            stack, members = [(r, c)], []
            while stack:
                y, x = stack.pop()
                members.append((y, x))
                for dy, dx in steps:
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < h and 0 <= nx < w and not seen[ny][nx]:
                        v = rows[ny][nx]
                        if v != background and (not by_color or v == color):
                            seen[ny][nx] = True
                            stack.append((ny, nx))
            members.sort()
            found.append(members)
    return found


def largest_object(cells: npt.NDArray[Any], *, background: int = BACKGROUND) -> list[Cell] | None:
    """The object with the most cells (the first in reading order on a tie), ``None`` if none."""
    found = objects(cells, background=background)
    return max(found, key=len) if found else None


def has_unique_largest(cells: npt.NDArray[Any], *, background: int = BACKGROUND) -> bool:
    """Whether there are at least two objects and exactly one of them is the largest."""
    sizes = sorted((len(o) for o in objects(cells, background=background)), reverse=True)
    return len(sizes) >= 2 and sizes[0] > sizes[1]


def bounding_box(points: Sequence[Cell]) -> tuple[slice, slice]:
    """Row and column slices of the smallest rectangle holding ``points`` (not empty)."""
    if not points:
        raise ValueError("the bounding box of no cells is undefined")
    ys = [p[0] for p in points]
    xs = [p[1] for p in points]
    return slice(min(ys), max(ys) + 1), slice(min(xs), max(xs) + 1)


def enclosed_background(
    cells: npt.NDArray[Any], *, background: int = BACKGROUND
) -> npt.NDArray[np.bool_]:
    """Mask of background cells that no 4-connected path of background links to the edge."""
    h, w = cells.shape
    open_: npt.NDArray[np.bool_] = np.asarray(cells == background, dtype=bool)
    outside = np.zeros((h, w), dtype=bool)
    stack = [(r, c) for r in range(h) for c in range(w) if r in (0, h - 1) or c in (0, w - 1)]
    stack = [(r, c) for r, c in stack if open_[r, c]]
    for r, c in stack:
        outside[r, c] = True
    while stack:
        y, x = stack.pop()
        for dy, dx in _STEPS:
            ny, nx = y + dy, x + dx
            if 0 <= ny < h and 0 <= nx < w and open_[ny, nx] and not outside[ny, nx]:
                outside[ny, nx] = True
                stack.append((ny, nx))
    return open_ & ~outside


def isolated_cells(
    cells: npt.NDArray[Any], *, background: int = BACKGROUND
) -> npt.NDArray[np.bool_]:
    """Mask of non-background cells whose four neighbours are all background (or off the grid)."""
    filled: npt.NDArray[np.bool_] = np.asarray(cells != background, dtype=bool)
    padded = np.pad(filled, 1)
    touching = padded[:-2, 1:-1] | padded[2:, 1:-1] | padded[1:-1, :-2] | padded[1:-1, 2:]
    return filled & ~touching
