"""Operations defined by an extent of the grid: the bounding box of one color, the band of
non-empty rows, the largest empty rectangle, a color's centre to mirror about."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.objects import components, pick


def keep_unique_cells(a: Cells, background: int = 0) -> Cells | None:
    """Only the cells whose color occurs exactly once in the grid stay."""
    counts = np.bincount(a.ravel(), minlength=10)
    keep = (a != background) & (counts[a] == 1)
    if not keep.any() or keep.sum() == np.count_nonzero(a != background):
        return None
    out: Cells = np.where(keep, a, np.uint8(background)).astype(np.uint8)
    return out


def diagonal_halo(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Background cells diagonally next to a non-background cell (and not beside one) become
    ``color``."""
    filled = np.pad(a != background, 1)
    h, w = a.shape
    diag = np.zeros((h, w), dtype=bool)
    for dy, dx in ((0, 0), (0, 2), (2, 0), (2, 2)):
        diag |= filled[dy : dy + h, dx : dx + w]
    paint = diag & (a == background)
    if not paint.any():
        return None
    out = a.copy()
    out[paint] = color
    return out


def repeat_band(a: Cells, down: bool = True, background: int = 0) -> Cells | None:
    """The band of non-empty rows (``down``; else columns), one block, repeats over the whole
    grid with its phase kept: row i becomes band row (i - top) mod the band's height."""
    t = a if down else a.T
    filled = np.nonzero(np.any(t != background, axis=1))[0]
    if filled.size == 0:
        return None
    top, bottom = int(filled[0]), int(filled[-1]) + 1
    if bottom - top == t.shape[0]:
        return None
    rows = top + (np.arange(t.shape[0]) - top) % (bottom - top)
    out = t[rows]
    out = np.ascontiguousarray(out if down else out.T)
    return None if np.array_equal(out, a) else out


def fill_largest_empty_rect(
    a: Cells, color: int, min_side: int = 2, background: int = 0
) -> Cells | None:
    """The largest rectangle of background cells with both sides at least ``min_side`` is
    painted ``color``; applies when exactly one rectangle has that largest area."""
    found = _largest_empty_rect(a.shape, (a == background).tobytes(), min_side)
    if found is None:
        return None
    top, bottom, left, right = found
    out = a.copy()
    out[top:bottom, left:right] = color
    return out


@lru_cache(maxsize=4096)
def _largest_empty_rect(
    shape: tuple[int, int], raw: bytes, min_side: int
) -> tuple[int, int, int, int] | None:
    h, w = shape
    if h < min_side or w < min_side:
        return None
    empty = np.frombuffer(raw, dtype=bool).reshape(shape).astype(np.int32)
    s = np.pad(empty.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    tops, bottoms = np.nonzero(np.arange(h + 1)[None, :] - np.arange(h)[:, None] >= min_side)
    heights = bottoms - tops
    # full[k, x]: column x is background from row tops[k] to bottoms[k]
    col = s[bottoms, 1:] - s[tops, 1:] - s[bottoms, :-1] + s[tops, :-1]
    full = col == heights[:, None]
    run = np.zeros(full.shape, dtype=np.int32)  # length of the empty run ending at x
    for x in range(w):
        run[:, x] = (run[:, x - 1] + 1 if x else 1) * full[:, x]
    area = np.where(run >= min_side, run * heights[:, None], 0)
    best = int(area.max())
    if best == 0:
        return None
    where = np.argwhere(area == best)
    if len(where) != 1:
        return None
    k, x = (int(v) for v in where[0])
    return int(tops[k]), int(bottoms[k]), x + 1 - int(run[k, x]), x + 1


def mirror_about(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Everything mirrored left-right and up-down about the centre of the bounding box of the
    ``color`` cells (the union of the four images); applies when every image stays inside
    the grid, agrees with what is there, and adds something."""
    ys, xs = np.nonzero(a == color)
    if ys.size == 0:
        return None
    return _mirrored(a, int(ys.min()) + int(ys.max()), int(xs.min()) + int(xs.max()), background)


def mirror_about_symmetric(a: Cells, background: int = 0) -> Cells | None:
    """``mirror_about`` the centre of the one symmetric object (8-connected, one color)."""
    anchor = pick(components(a, diagonal=True, by_color=True, background=background), "symmetric")
    if anchor is None:
        return None
    return _mirrored(a, anchor.top + anchor.bottom - 1, anchor.left + anchor.right - 1, background)


def _mirrored(a: Cells, cy2: int, cx2: int, background: int) -> Cells | None:
    """The union of the grid's images mirrored about the point (cy2 / 2, cx2 / 2)."""
    py, px = np.nonzero(a != background)
    h, w = a.shape
    out = a.copy()
    values = a[py, px]
    for my, mx in ((False, True), (True, False), (True, True)):
        ny = cy2 - py if my else py
        nx = cx2 - px if mx else px
        if ny.min() < 0 or nx.min() < 0 or ny.max() >= h or nx.max() >= w:
            return None
        clash = (out[ny, nx] != background) & (out[ny, nx] != values)
        if clash.any():
            return None
        out[ny, nx] = values
    return None if np.array_equal(out, a) else out


def mark_in_box(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Inside the bounding box of the ``color`` cells, every other non-background cell takes
    ``color`` (a learned final color then names the change)."""
    ys, xs = np.nonzero(a == color)
    if ys.size == 0:
        return None
    box = (slice(int(ys.min()), int(ys.max()) + 1), slice(int(xs.min()), int(xs.max()) + 1))
    inner = a[box]
    paint = (inner != background) & (inner != color)
    if not paint.any():
        return None
    out = a.copy()
    out[box][paint] = color
    return out
