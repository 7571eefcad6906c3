"""Objects changed by markers: single cells that name the color of the object lying in their
column (or row), corner markers that frame where an object belongs, and dashed objects."""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.objects import components


def recolor_by_aligned_marker(a: Cells, axis: str, background: int = 0) -> Cells | None:
    """Every object of two or more cells takes the color of the single-cell markers that lie
    within its column span (``axis="cols"``) or row span (``"rows"``) outside it, when they
    all have one color; the markers stay. Applies when at least one object is recolored."""
    objs = components(a, diagonal=False, by_color=True, background=background)
    markers = [o for o in objs if o.size == 1]
    bodies = [o for o in objs if o.size > 1]
    if not markers or not bodies:
        return None
    out = a.copy()
    changed = False
    for body in bodies:
        lo, hi = (body.left, body.right) if axis == "cols" else (body.top, body.bottom)
        colors = set()
        for m in markers:
            y, x = m.cells[0]
            along = x if axis == "cols" else y
            if lo <= along < hi:
                colors.add(int(a[y, x]))
        if len(colors) != 1:
            continue
        (color,) = colors
        for y, x in body.cells:
            if out[y, x] != color:
                out[y, x] = color
                changed = True
    return out if changed else None


def alternate_in_objects(a: Cells, color: int, background: int = 0) -> Cells | None:
    """In every one-color object of two or more cells (8-connected), every second cell in
    reading order, starting with the second, becomes ``color``: dashed lines."""
    out = a.copy()
    changed = False
    for o in components(a, diagonal=True, by_color=True, background=background):
        if o.size < 2:
            continue
        for y, x in sorted(o.cells)[1::2]:
            if out[y, x] != color:
                out[y, x] = color
                changed = True
    return out if changed else None


def center_in_frame(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Everything that is not ``color`` moves as one piece so that its bounding box is centred
    in the bounding box of the ``color`` cells (the frame markers stay); applies when the
    centring is exact on the grid and moves something."""
    frame = a == color
    rest = (a != background) & ~frame
    if not frame.any() or not rest.any():
        return None
    fy, fx = np.nonzero(frame)
    ry, rx = np.nonzero(rest)
    dy2 = (int(fy.min()) + int(fy.max())) - (int(ry.min()) + int(ry.max()))
    dx2 = (int(fx.min()) + int(fx.max())) - (int(rx.min()) + int(rx.max()))
    if dy2 % 2 or dx2 % 2 or (dy2 == 0 and dx2 == 0):
        return None
    dy, dx = dy2 // 2, dx2 // 2
    h, w = a.shape
    ny, nx = ry + dy, rx + dx
    if ny.min() < 0 or nx.min() < 0 or ny.max() >= h or nx.max() >= w:
        return None
    out = np.where(rest, np.uint8(background), a).astype(a.dtype)
    if np.any(frame[ny, nx]):
        return None
    out[ny, nx] = a[ry, rx]
    return out
