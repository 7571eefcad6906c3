"""Whole rows and columns painted: the empty ones in one color, or each row (column) in the
color its edge cell shows."""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import Cells

EDGES = ("left", "right", "top", "bottom")


def fill_empty_lines(
    a: Cells, color: int, background: int = 0, inner: bool = False
) -> Cells | None:
    """Every row and column that is all background is painted ``color``; applies when the
    grid has such a line and is not all background. With ``inner``, the grid's border ring
    is a frame: lines are judged and painted inside it."""
    if inner:
        if a.shape[0] < 3 or a.shape[1] < 3:
            return None
        inside = fill_empty_lines(a[1:-1, 1:-1], color, background)
        if inside is None:
            return None
        out = a.copy()
        out[1:-1, 1:-1] = inside
        return out
    empty_rows = np.all(a == background, axis=1)
    empty_cols = np.all(a == background, axis=0)
    if empty_rows.all() or not (empty_rows.any() or empty_cols.any()):
        return None
    out = a.copy()
    out[empty_rows, :] = color
    out[:, empty_cols] = color
    return out


def paint_from_edge(a: Cells, edge: str, background: int = 0) -> Cells | None:
    """Every non-background cell away from ``edge`` takes the color of its row's (for left
    and right) or column's (top, bottom) cell on that edge, where that cell is not background:
    a header of colors painted across the grid."""
    t = a.T if edge in ("top", "bottom") else a
    at = 0 if edge in ("left", "top") else t.shape[1] - 1
    if t.shape[1] < 2:
        return None
    header = t[:, at]
    body = np.ones(t.shape, dtype=bool)
    body[:, at] = False
    paint = body & (t != background) & (header != background)[:, None]
    if not paint.any():
        return None
    out = t.copy()
    out[paint] = np.broadcast_to(header[:, None], t.shape)[paint]
    if np.array_equal(out, t):
        return None
    return np.ascontiguousarray(out.T if edge in ("top", "bottom") else out)
