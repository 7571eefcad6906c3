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
