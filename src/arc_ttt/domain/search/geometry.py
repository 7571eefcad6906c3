"""Shape-changing grid functions: crop, scaling, tiling, halves, de-duplication.

Every function takes a 2-D uint8 array and returns a new array, or ``None`` when it does not
apply (nothing to crop, a size that does not divide, a result larger than 30 x 30).
"""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import MAX_SIDE, Cells, fits, majority_color


def crop(a: Cells, background: int = 0) -> Cells | None:
    """The smallest rectangle holding every non-background cell."""
    ys, xs = np.nonzero(a != background)
    if ys.size == 0:
        return None
    return a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def crop_majority(a: Cells) -> Cells | None:
    """Crop around every cell that is not the grid's most common color."""
    return crop(a, majority_color(a))


def scale_up(a: Cells, k: int) -> Cells | None:
    """Each cell becomes a k x k block."""
    if a.shape[0] * k > MAX_SIDE or a.shape[1] * k > MAX_SIDE:
        return None
    return np.kron(a, np.ones((k, k), dtype=np.uint8))


def scale_down(a: Cells, k: int) -> Cells | None:
    """Undo ``scale_up``: applies only when the grid is made of uniform k x k blocks."""
    h, w = a.shape
    if h % k or w % k or (h == k and w == k and k == 1):
        return None
    small = a[::k, ::k]
    if not np.array_equal(np.kron(small, np.ones((k, k), dtype=np.uint8)), a):
        return None
    return small


def tile(a: Cells, rows: int, cols: int) -> Cells | None:
    """The grid repeated ``rows`` x ``cols`` times."""
    return fits(np.tile(a, (rows, cols)))


def mirror_right(a: Cells) -> Cells | None:
    """The grid with its mirror image to its right."""
    return fits(np.hstack([a, a[:, ::-1]]))


def mirror_down(a: Cells) -> Cells | None:
    """The grid with its mirror image below."""
    return fits(np.vstack([a, a[::-1, :]]))


def mirror_four(a: Cells) -> Cells | None:
    """The grid and its three mirror images in a 2 x 2 block (kaleidoscope)."""
    top = np.hstack([a, a[:, ::-1]])
    return fits(np.vstack([top, top[::-1, :]]))


def mirror_four_inward(a: Cells) -> Cells | None:
    """Like ``mirror_four`` but with the original in the bottom-right corner."""
    b = a[::-1, ::-1]
    top = np.hstack([b, b[:, ::-1]])
    return fits(np.vstack([top, top[::-1, :]]))


def half(a: Cells, which: str) -> Cells | None:
    """One half: ``top``, ``bottom``, ``left`` or ``right`` (the middle line is dropped when odd)."""
    h, w = a.shape
    if which in ("top", "bottom"):
        if h < 2:
            return None
        return a[: h // 2] if which == "top" else a[h - h // 2 :]
    if w < 2:
        return None
    return a[:, : w // 2] if which == "left" else a[:, w - w // 2 :]


def dedupe_lines(a: Cells) -> Cells | None:
    """Collapse runs of equal adjacent rows and of equal adjacent columns into one."""
    keep_r = [0] + [i for i in range(1, a.shape[0]) if not np.array_equal(a[i], a[i - 1])]
    b = a[keep_r]
    keep_c = [0] + [j for j in range(1, b.shape[1]) if not np.array_equal(b[:, j], b[:, j - 1])]
    return b[:, keep_c]


def drop_uniform_lines(a: Cells, background: int = 0) -> Cells | None:
    """Remove every row and column made only of background."""
    rows = np.any(a != background, axis=1)
    cols = np.any(a != background, axis=0)
    if not rows.any():
        return None
    return a[rows][:, cols]


def top_left_cell(a: Cells) -> Cells | None:
    """The 1 x 1 grid of the top-left cell."""
    return a[:1, :1]


def unrepeat(a: Cells) -> Cells | None:
    """The smallest tile whose whole repetition gives the grid (the grid itself is not a tile)."""
    h, w = a.shape
    p = next(p for p in range(1, h + 1) if h % p == 0 and np.array_equal(a[p:], a[: h - p]))
    q = next(q for q in range(1, w + 1) if w % q == 0 and np.array_equal(a[:, q:], a[:, : w - q]))
    return None if (p, q) == (h, w) else a[:p, :q]


def rotate_four(a: Cells, clockwise: bool = True) -> Cells | None:
    """A 2 x 2 block of the grid turned 0, 1, 2 and 3 quarter turns, going round the block."""
    if a.shape[0] != a.shape[1]:
        return None
    k = -1 if clockwise else 1
    top = np.hstack([a, np.rot90(a, k)])
    bottom = np.hstack([np.rot90(a, 3 * k), np.rot90(a, 2 * k)])
    return fits(np.vstack([top, bottom]))


def shrink(a: Cells) -> Cells | None:
    """The grid without its outermost ring of cells."""
    if a.shape[0] < 3 or a.shape[1] < 3:
        return None
    return a[1:-1, 1:-1]


def mirror_overlap(a: Cells, down: bool = True) -> Cells | None:
    """The grid followed by its mirror image, sharing the last row (or column)."""
    if down:
        return fits(np.vstack([a, a[-2::-1, :]]))
    return fits(np.hstack([a, a[:, -2::-1]]))


def scale_by_colors(a: Cells, background: int = 0) -> Cells | None:
    """Scale up by the number of non-background colors the grid uses."""
    k = int(np.count_nonzero(np.bincount(a.ravel(), minlength=10))) - int(np.any(a == background))
    if k < 2:
        return None
    return scale_up(a, k)


def extend_edges(a: Cells, background: int = 0) -> Cells | None:
    """The grid with one more ring: each edge cell copied outwards, the corners background."""
    out = np.pad(a, 1, mode="edge")
    out[0, 0] = out[0, -1] = out[-1, 0] = out[-1, -1] = background
    return fits(out)


def keep_center_line(a: Cells, axis: str, background: int = 0) -> Cells | None:
    """Everything but the middle column (``axis="cols"``) or middle row (``"rows"``) becomes
    background; applies to grids with an odd number of them, when something is erased."""
    n = a.shape[1] if axis == "cols" else a.shape[0]
    if n < 3 or n % 2 == 0:
        return None
    out = np.full_like(a, background)
    mid = n // 2
    if axis == "cols":
        out[:, mid] = a[:, mid]
    else:
        out[mid, :] = a[mid, :]
    return None if np.array_equal(out, a) else out


def corners_overlay(a: Cells, background: int = 0) -> Cells | None:
    """The four corner squares of the grid, each as wide as half its shorter side (rounded
    up), laid over each other: a cell is the first non-background color among them."""
    h, w = a.shape
    k = (min(h, w) + 1) // 2
    if k < 1 or (h == k and w == k):
        return None
    windows = [a[:k, :k], a[:k, w - k :], a[h - k :, :k], a[h - k :, w - k :]]
    out = np.full((k, k), background, dtype=a.dtype)
    for window in windows:
        out = np.where(out == background, window, out)
    return out


def continue_period(a: Cells, down: bool = False, background: int = 0) -> Cells | None:
    """The columns (``down``: rows) up to the last non-empty one repeat with the smallest
    period that the grid shows repeating over at least half a period; that repetition is
    continued to the far edge."""
    t = a.T if down else a
    filled = np.nonzero(np.any(t != background, axis=0))[0]
    if filled.size == 0:
        return None
    used = int(filled[-1]) + 1
    if used >= t.shape[1]:
        return None
    # the repetition must be seen over at least half a period (and two columns)
    for p in range(1, used - 1):
        if used - p < max(2, (p + 1) // 2):
            break
        if np.array_equal(t[:, p:used], t[:, : used - p]):
            out = t[:, np.arange(t.shape[1]) % p]
            out = np.ascontiguousarray(out.T if down else out)
            return None if np.array_equal(out, a) else out
    return None
