"""Same-size grid functions that move or add cells: gravity, filling, outlines, symmetry, lines."""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np

from arc_ttt.domain.search.cells import Cells


def enclosed(a: Cells, background: int = 0) -> np.ndarray:
    """Mask of background cells that no 4-connected background path links to the edge."""
    return _enclosed(a.shape, a.tobytes(), background)


@lru_cache(maxsize=2048)
def _enclosed(shape: tuple[int, int], raw: bytes, background: int) -> np.ndarray:
    a = np.frombuffer(raw, dtype=np.uint8).reshape(shape)
    open_ = a == background
    reach = np.zeros_like(open_)
    reach[0, :], reach[-1, :], reach[:, 0], reach[:, -1] = (
        open_[0, :],
        open_[-1, :],
        open_[:, 0],
        open_[:, -1],
    )
    while True:  # grow the outside region one step at a time (numpy dilation) until it stops
        grown = reach.copy()
        grown[1:, :] |= reach[:-1, :]
        grown[:-1, :] |= reach[1:, :]
        grown[:, 1:] |= reach[:, :-1]
        grown[:, :-1] |= reach[:, 1:]
        grown &= open_
        if np.array_equal(grown, reach):
            break
        reach = grown
    mask: np.ndarray = open_ & ~reach
    mask.setflags(write=False)
    return mask


def gravity(a: Cells, direction: str, background: int = 0) -> Cells | None:
    """Every non-background cell slides to the ``down``/``up``/``left``/``right`` edge, in order."""
    # np.rot90(a, k) turns counter-clockwise: k = 1 brings the left edge to the bottom
    turns = {"down": 0, "left": 1, "up": 2, "right": 3}[direction]
    b = np.rot90(a, turns)  # make the direction "down"
    out = np.full_like(b, background)
    for j in range(b.shape[1]):
        col = b[:, j]
        kept = col[col != background]
        if kept.size:
            out[b.shape[0] - kept.size :, j] = kept
    return np.ascontiguousarray(np.rot90(out, -turns))


def fill_enclosed(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Background cells cut off from the edge (4-connected) take ``color``."""
    mask = enclosed(a, background)
    if not mask.any():
        return a
    out = a.copy()
    out[mask] = color
    return out


def outline(a: Cells, color: int, background: int = 0, diagonal: bool = False) -> Cells | None:
    """Background cells touching a non-background cell take ``color``."""
    filled = np.pad(a != background, 1)
    near = filled[:-2, 1:-1] | filled[2:, 1:-1] | filled[1:-1, :-2] | filled[1:-1, 2:]
    if diagonal:
        near |= filled[:-2, :-2] | filled[:-2, 2:] | filled[2:, :-2] | filled[2:, 2:]
    mask = near & (a == background)
    if not mask.any():
        return a
    out = a.copy()
    out[mask] = color
    return out


def hollow(a: Cells, background: int = 0) -> Cells | None:
    """Non-background cells with all four neighbours non-background become background."""
    filled = np.pad(a != background, 1, constant_values=True)
    inner = filled[:-2, 1:-1] & filled[2:, 1:-1] & filled[1:-1, :-2] & filled[1:-1, 2:]
    mask = inner & (a != background)
    if not mask.any():
        return a
    out = a.copy()
    out[mask] = background
    return out


_MIRRORS = {
    "lr": lambda a: a[:, ::-1],
    "ud": lambda a: a[::-1, :],
    "rot180": lambda a: a[::-1, ::-1],
    "transpose": lambda a: a.T,
    "anti": lambda a: a[::-1, ::-1].T,
}
SYMMETRIES = ("lr", "ud", "lr_ud", "rot90", "transpose", "all")


def symmetrize(a: Cells, kind: str, hole: int = 0) -> Cells | None:
    """Fill cells of color ``hole`` from their mirror images under the symmetry ``kind``.

    Applies when the known cells agree with the symmetry (a grid with nothing to fill comes
    back unchanged).
    """
    if kind in ("transpose", "rot90", "all") and a.shape[0] != a.shape[1]:
        return None
    names = {
        "lr": ("lr",),
        "ud": ("ud",),
        "lr_ud": ("lr", "ud", "rot180"),
        "transpose": ("transpose",),
        "rot90": ("rot180",),
        "all": ("lr", "ud", "rot180", "transpose", "anti"),
    }[kind]
    images = [_MIRRORS[n](a) for n in names]
    if kind in ("rot90", "all"):
        images += [np.rot90(a, 1), np.rot90(a, 3)]
    out = a.copy()
    for img in images:
        known = (out != hole) & (img != hole)
        if np.any(out[known] != img[known]):
            return None
        take = (out == hole) & (img != hole)
        out[take] = img[take]
    return out


def lines_from_cells(a: Cells, direction: str, background: int = 0) -> Cells | None:
    """Each non-background cell extends a line of its color across the grid's background:
    ``rows``, ``cols`` or ``both`` (rows drawn last, so they cross over columns; the grid's own
    cells are never painted over)."""
    ys, xs = np.nonzero(a != background)
    if ys.size == 0:
        return a
    if ys.size > 30:
        return None
    out = a.copy()
    free = a == background
    if direction in ("cols", "both"):
        for y, x in zip(ys, xs, strict=True):
            out[free[:, x], x] = a[y, x]
    if direction in ("rows", "both"):
        for y, x in zip(ys, xs, strict=True):
            out[y, free[y, :]] = a[y, x]
    return out


def fill_boxes(a: Cells, background: int = 0, axes: str = "both") -> Cells | None:
    """Background cells between two cells of one color on a row (or column) take that color.
    ``axes``: ``rows``, ``cols`` or ``both``."""
    out = a.copy()
    grids = {"rows": (out,), "cols": (out.T,), "both": (out, out.T)}[axes]
    for grid in grids:
        for line in grid:
            idx = np.nonzero(line != background)[0]
            for i, j in itertools.pairwise(idx):
                if j > i + 1 and line[i] == line[j] and np.all(line[i + 1 : j] == background):
                    line[i + 1 : j] = line[i]
    return out


def fill_between_diagonals(a: Cells, background: int = 0) -> Cells | None:
    """Background cells between two cells of one color on a diagonal take that color."""
    out = a.copy()
    h, w = a.shape
    for flip in (False, True):
        view = out[:, ::-1] if flip else out
        for offset in range(-h + 1, w):
            ys = np.arange(max(0, -offset), min(h, w - offset))
            xs = ys + offset
            line = view[ys, xs]
            idx = np.nonzero(line != background)[0]
            for i, j in itertools.pairwise(idx):
                if j > i + 1 and line[i] == line[j] and np.all(line[i + 1 : j] == background):
                    view[ys[i + 1 : j], xs[i + 1 : j]] = line[i]
    return out


@lru_cache(maxsize=20000)
def _period_classes(h: int, w: int, kind: str, p: int, q: int) -> np.ndarray:
    i, j = np.indices((h, w))
    if kind == "grid":
        cls = (i % p) * q + (j % q)
    elif kind == "diag":
        cls = (i + j) % p
    else:
        cls = (i - j) % p  # anti-diagonal stripes
    flat = cls.ravel()
    flat.setflags(write=False)
    return flat


@lru_cache(maxsize=1024)
def _periods(h: int, w: int) -> list[tuple[str, int, int]]:
    """Candidate periods, the fewest classes first (a simpler pattern is a better guess); a
    period must repeat at least twice in the grid to be evidence of a pattern."""
    found = [("grid", p, q) for p in range(1, h + 1) for q in range(1, w + 1) if 2 * p * q <= h * w]
    found += [(k, p, 0) for k in ("diag", "anti") for p in range(2, h + w)]
    return sorted(found, key=lambda t: (t[1] * max(t[2], 1), t[0]))


def complete_pattern(a: Cells, hole: int) -> Cells | None:
    """Fill the ``hole`` cells of a periodic pattern (rows x columns, or diagonal stripes) with
    the value of the smallest period that every other cell agrees with."""
    holes = a == hole
    if not holes.any():
        return a
    if holes.all():
        return None
    h, w = a.shape
    values = a.ravel().astype(np.int64)
    known = ~holes.ravel()
    for kind, p, q in _periods(h, w):
        cls = _period_classes(h, w, kind, p, q)
        n = int(cls.max()) + 1
        lo = np.full(n, 99, dtype=np.int64)
        hi = np.full(n, -1, dtype=np.int64)
        np.minimum.at(lo, cls[known], values[known])
        np.maximum.at(hi, cls[known], values[known])
        if np.any((hi >= 0) & (lo != hi)):
            continue
        if np.any(hi[cls[~known]] < 0):
            continue  # some hole's class has no known cell
        out = np.where(known, values, hi[cls]).astype(np.uint8).reshape(h, w)
        return out
    return None


def pattern_under_holes(a: Cells, hole: int) -> Cells | None:
    """What ``complete_pattern`` puts under the holes, cropped to the holes' bounding box."""
    ys, xs = np.nonzero(a == hole)
    done = complete_pattern(a, hole)
    if done is None or ys.size == 0:
        return None
    return done[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def fractal(
    a: Cells, background: int = 0, inverse: bool = False, color: int | None = None
) -> Cells | None:
    """Each cell becomes a copy of the whole grid where it is non-background (or, ``inverse``,
    where it is background; or, with ``color``, where it has that color, -1 meaning the most
    common color); elsewhere a block of background."""
    h, w = a.shape
    if h * h > 30 or w * w > 30:
        return None
    if color is not None:
        want = int(np.argmax(np.bincount(a.ravel(), minlength=10))) if color < 0 else color
        mask = a == want
    else:
        mask = (a == background) if inverse else (a != background)
    return np.kron(mask.astype(np.uint8), a).astype(np.uint8)


def symmetry_under_holes(a: Cells, kind: str, hole: int) -> Cells | None:
    """What ``symmetrize`` puts under the ``hole`` cells, cropped to their bounding box."""
    ys, xs = np.nonzero(a == hole)
    if ys.size == 0:
        return None
    done = symmetrize(a, kind, hole)
    if done is None:
        return None
    region = done[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    return None if np.any(region == hole) else region


def fill_windows(a: Cells, color: int, size: int = 2, background: int = 0) -> Cells | None:
    """Every ``size`` x ``size`` window that is all background is painted ``color``: the empty
    rooms of a grid marked, its one-cell gaps and corridors left alone."""
    h, w = a.shape
    if h < size or w < size:
        return None
    bg = (a == background).astype(np.int32)
    s = np.pad(bg.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    area = s[size:, size:] - s[:-size, size:] - s[size:, :-size] + s[:-size, :-size]
    full = area == size * size
    if not full.any() or full.all():
        return None
    paint = np.zeros((h, w), dtype=bool)
    for dy in range(size):
        for dx in range(size):
            paint[dy : dy + h - size + 1, dx : dx + w - size + 1] |= full
    out = a.copy()
    out[paint] = color
    return out
