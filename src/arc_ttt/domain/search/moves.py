"""Moving cells and objects: rays cast from cells, objects slid until they meet something, and
small objects removed as noise."""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.augmentation import Dihedral
from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.objects import Component, components

DIRECTIONS: dict[str, tuple[int, int]] = {
    "up": (-1, 0),
    "down": (1, 0),
    "left": (0, -1),
    "right": (0, 1),
    "up_left": (-1, -1),
    "up_right": (-1, 1),
    "down_left": (1, -1),
    "down_right": (1, 1),
}
_MAX_SOURCES = 60  # a ray per cell: beyond this many cells the grid is a picture, not markers


def smear(a: Cells, direction: str, background: int = 0) -> Cells | None:
    """Each non-background cell casts a ray of its color in ``direction`` over the background,
    stopping at the first cell that was not background in the input (or at the edge)."""
    return _cast(a, direction, None, background)


def _cast(a: Cells, direction: str, alternate: int | None, background: int) -> Cells | None:
    """Rays from every non-background cell (at most ``_MAX_SOURCES``); with ``alternate``, the
    cells at an odd distance take that color, and cells of that color cast none."""
    dy, dx = DIRECTIONS[direction]
    ys, xs = np.nonzero(a != background)
    if ys.size == 0 or ys.size > _MAX_SOURCES:
        return None
    h, w = a.shape
    out = a.copy()
    changed = False
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        own = a[y, x]
        if own == alternate:
            continue
        ny, nx, step = y + dy, x + dx, 1
        while 0 <= ny < h and 0 <= nx < w and a[ny, nx] == background:
            out[ny, nx] = alternate if alternate is not None and step % 2 else own
            changed = True
            ny, nx, step = ny + dy, nx + dx, step + 1
    return out if changed else None


def _blocked(occupied: np.ndarray, cells: list[tuple[int, int]], dy: int, dx: int) -> bool:
    h, w = occupied.shape
    for y, x in cells:
        ny, nx = y + dy, x + dx
        if not (0 <= ny < h and 0 <= nx < w) or occupied[ny, nx]:
            return True
    return False


def _slide(
    a: Cells, movers: list[Component], dy: int, dx: int, background: int
) -> tuple[Cells, bool]:
    """Slide ``movers`` one after another (the one nearest the far edge first) until each is
    blocked by the edge or by any other non-background cell."""
    h, w = a.shape
    out = a.copy()
    occupied = a != background
    # the object nearest the destination edge moves first, so the others stack behind it
    movers = sorted(
        movers, key=lambda o: -(o.top * dy + o.left * dx + o.bottom * dy + o.right * dx)
    )
    moved = False
    for o in movers:
        cells = list(o.cells)
        colors = [int(a[y, x]) for y, x in cells]
        for y, x in cells:
            occupied[y, x] = False
            out[y, x] = background
        steps = 0
        while not _blocked(occupied, cells, dy, dx) and steps < max(h, w):
            cells = [(y + dy, x + dx) for y, x in cells]
            steps += 1
        moved |= steps > 0
        for (y, x), c in zip(cells, colors, strict=True):
            occupied[y, x] = True
            out[y, x] = c
    return out, moved


def slide_objects(a: Cells, direction: str, background: int = 0) -> Cells | None:
    """Every object (8-connected, any colors) slides in ``direction`` until it meets the edge or
    another object; objects nearest the edge move first."""
    dy, dx = DIRECTIONS[direction]
    objs = components(a, diagonal=True, by_color=False, background=background)
    if not objs or len(objs) > 30:
        return None
    out, moved = _slide(a, list(objs), dy, dx, background)
    return out if moved else None


def slide_to(a: Cells, color: int, background: int = 0, diagonal: bool = False) -> Cells | None:
    """Every object without ``color`` moves straight toward the cells of ``color`` (which stay)
    until it touches them: up, down, left or right, whichever way those cells lie; with
    ``diagonal``, an object that shares neither rows nor columns with them moves diagonally
    toward them until it touches something."""
    anchor = a == color
    if not anchor.any():
        return None
    ay, ax = np.nonzero(anchor)
    objs = components(a, diagonal=True, by_color=False, background=background)
    movers = [o for o in objs if color not in o.colors()]
    if not movers or len(movers) > 30:
        return None
    out = a
    moved = False
    for o in movers:
        # the anchor overlaps the object's rows: move sideways; its columns: move vertically
        rows = (ay >= o.top) & (ay < o.bottom)
        cols = (ax >= o.left) & (ax < o.right)
        if rows.any() and not cols.any():
            dy, dx = 0, (1 if ax[rows].min() >= o.right else -1)
        elif cols.any() and not rows.any():
            dy, dx = (1 if ay[cols].min() >= o.bottom else -1), 0
        elif diagonal and not rows.any() and not cols.any():
            dy = 1 if ay.min() >= o.bottom else -1
            dx = 1 if ax.min() >= o.right else -1
        else:
            continue
        out, step = _slide(out, [o], dy, dx, background)
        moved |= step
    return out if moved else None


def drop_small(a: Cells, size: int, background: int = 0) -> Cells | None:
    """Objects (8-connected, one color) of at most ``size`` cells become background: noise."""
    objs = components(a, diagonal=True, by_color=True, background=background)
    small = [o for o in objs if o.size <= size]
    if not small or len(small) == len(objs):
        return None
    out = a.copy()
    for o in small:
        for y, x in o.cells:
            out[y, x] = background
    return out


def per_object(a: Cells, transform: Dihedral, background: int = 0) -> Cells | None:
    """Each object (8-connected, any colors) is turned or mirrored in place, inside its own
    bounding box; boxes that would change shape (a turn of a non-square box) stop it."""
    objs = components(a, diagonal=True, by_color=False, background=background)
    if not objs or len(objs) > 30:
        return None
    out = a.copy()
    for o in objs:
        box = a[o.top : o.bottom, o.left : o.right]
        turned = transform.apply(o.image)
        if turned.shape != box.shape:
            return None
        region = out[o.top : o.bottom, o.left : o.right]
        mine = o.mask()
        region[mine] = background
        region[turned != background] = turned[turned != background]
    return None if np.array_equal(out, a) else out


def stack_objects(a: Cells, background: int = 0) -> Cells | None:
    """The objects (8-connected, any colors) cropped and laid over each other at their top-left
    corners, the largest at the bottom: what shows through the gaps of the smaller ones."""
    objs = components(a, diagonal=True, by_color=False, background=background)
    if len(objs) < 2 or len(objs) > 30:
        return None
    h = max(o.bottom - o.top for o in objs)
    w = max(o.right - o.left for o in objs)
    out = np.full((h, w), background, dtype=np.uint8)
    for o in sorted(objs, key=lambda o: -o.size):
        img = o.image
        region = out[: img.shape[0], : img.shape[1]]
        region[img != background] = img[img != background]
    return out


def bounce(a: Cells, direction: str, background: int = 0) -> Cells | None:
    """Each non-background cell (at most four) casts a diagonal ray in ``direction`` (one of
    the four diagonals) that reflects off the side walls and runs until the top or bottom
    edge; the ray paints background cells only, in its cell's color."""
    dy, dx = DIRECTIONS[direction]
    if dy == 0 or dx == 0:
        raise ValueError(f"bounce: {direction!r} is not a diagonal")
    ys, xs = np.nonzero(a != background)
    h, w = a.shape
    if ys.size == 0 or ys.size > 4 or w < 2:
        return None
    out = a.copy()
    for y0, x0 in zip(ys.tolist(), xs.tolist(), strict=True):
        color, step, y, x = a[y0, x0], dx, y0, x0
        while 0 <= y + dy < h:
            if not 0 <= x + step < w:
                step = -step
            y, x = y + dy, x + step
            if out[y, x] == background:
                out[y, x] = color
    return None if np.array_equal(out, a) else out


def smear_alternate(a: Cells, direction: str, color: int, background: int = 0) -> Cells | None:
    """Like ``smear``, but the ray alternates: cells at an odd distance from the source take
    ``color``, those at an even distance the source's own color."""
    return _cast(a, direction, color, background)
