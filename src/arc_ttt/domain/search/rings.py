"""Concentric rings: a grid read as nested frames, each one color, whose colors are reordered.

A cell's depth is its distance to the nearest edge; the grid is ringed when every depth is one
color. The operations apply only to such grids with at least two rings.
"""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import Cells


def _depths(shape: tuple[int, int]) -> np.ndarray:
    h, w = shape
    ys = np.arange(h)[:, None]
    xs = np.arange(w)[None, :]
    return np.minimum(np.minimum(ys, h - 1 - ys), np.minimum(xs, w - 1 - xs))


def ring_colors(a: Cells) -> list[int] | None:
    """The color of each ring, outermost first, or ``None`` when a ring has two colors."""
    depth = _depths(a.shape)
    colors = []
    for d in range(int(depth.max()) + 1):
        values = np.unique(a[depth == d])
        if values.size != 1:
            return None
        colors.append(int(values[0]))
    return colors if len(colors) >= 2 else None


def _repaint(a: Cells, colors: list[int]) -> Cells:
    depth = _depths(a.shape)
    out: Cells = np.asarray(colors, dtype=a.dtype)[depth]
    return out


def ring_reverse(a: Cells) -> Cells | None:
    """The rings' colors in reverse order: the outermost takes the innermost's color."""
    colors = ring_colors(a)
    if colors is None or colors == colors[::-1]:
        return None
    return _repaint(a, colors[::-1])


def ring_cycle(a: Cells) -> Cells | None:
    """Each of the rings' distinct colors (in order of first appearance, outside in) becomes
    the one before it, the first becoming the last: the colors move one ring inward."""
    colors = ring_colors(a)
    if colors is None:
        return None
    distinct = list(dict.fromkeys(colors))
    if len(distinct) < 2:
        return None
    shift = {c: distinct[i - 1] for i, c in enumerate(distinct)}
    return _repaint(a, [shift[c] for c in colors])
