"""Color functions: keep or drop one color, the majority and minority colors as 1 x 1 grids."""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import Cells, color_counts


def keep_color(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Only cells of ``color`` stay; the rest become background."""
    mask = a == color
    return np.where(mask, a, np.uint8(background)).astype(np.uint8)


def drop_color(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Cells of ``color`` become background."""
    mask = a == color
    out = a.copy()
    out[mask] = background
    return out


def paint_all(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Every non-background cell takes ``color``."""
    mask = a != background
    out = a.copy()
    out[mask] = color
    return out


def majority_cell(a: Cells, background: int = 0) -> Cells | None:
    """A 1 x 1 grid of the most common non-background color."""
    counts = color_counts(a)
    counts[background] = 0
    if counts.max() == 0:
        return None
    return np.array([[int(np.argmax(counts))]], dtype=np.uint8)


def minority_cell(a: Cells, background: int = 0) -> Cells | None:
    """A 1 x 1 grid of the least common color present (background aside)."""
    counts = color_counts(a).astype(float)
    counts[background] = 0
    counts[counts == 0] = np.inf
    if not np.isfinite(counts).any():
        return None
    return np.array([[int(np.argmin(counts))]], dtype=np.uint8)


def swap_colors(a: Cells, background: int = 0) -> Cells | None:
    """Exchange the two non-background colors; applies when there are exactly two."""
    present = [int(c) for c in np.unique(a) if c != background]
    if len(present) != 2:
        return None
    p, q = present
    out = a.copy()
    out[a == p] = q
    out[a == q] = p
    return out


def count_cells(a: Cells, background: int = 0) -> Cells | None:
    """A 1 x n row of the majority non-background color, n the number of non-background cells."""
    n = int(np.count_nonzero(a != background))
    cell = majority_cell(a, background)
    if cell is None or n > 30:
        return None
    return np.full((1, n), cell[0, 0], dtype=np.uint8)


def colors_by_count(a: Cells, background: int = 0, column: bool = True) -> Cells | None:
    """The non-background colors, most common first, as a column (or a row); equal counts
    in color order."""
    counts = color_counts(a)
    present = [c for c in range(10) if counts[c] and c != background]
    if not present:
        return None
    ordered = sorted(present, key=lambda c: (-counts[c], c))
    line = np.array(ordered, dtype=np.uint8)
    return line.reshape(-1, 1) if column else line.reshape(1, -1)


def color_count(a: Cells, background: int = 0) -> int:
    """How many colors other than the background the grid uses."""
    return int(np.count_nonzero(color_counts(a))) - int(color_counts(a)[background] > 0)


def histogram(a: Cells, background: int = 0) -> Cells | None:
    """One column per non-background color, most common first (equal counts in color order),
    filled from the top with as many cells of that color as the grid has."""
    counts = color_counts(a)
    present = sorted(
        (c for c in range(10) if counts[c] and c != background), key=lambda c: (-counts[c], c)
    )
    if not present or counts[present[0]] > 30 or len(present) > 30:
        return None
    out = np.full((int(counts[present[0]]), len(present)), background, dtype=np.uint8)
    for x, c in enumerate(present):
        out[: counts[c], x] = c
    return out
