"""Objects: connected components of a grid, their properties, and picking one of them.

A component is found 4- or 8-connected, either of one color (``by_color``) or of any colors
that are not the background. Results are cached per grid, since many programs cut the same one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from arc_ttt.domain.grid_objects import connected
from arc_ttt.domain.search.cells import Cells, is_symmetric
from arc_ttt.domain.search.regions import enclosed

_FOUR = ((1, 0), (-1, 0), (0, 1), (0, -1))
_EIGHT = (*_FOUR, (1, 1), (1, -1), (-1, 1), (-1, -1))


@dataclass(frozen=True, slots=True)
class Component:
    """One object: its cells (row, column), bounding box and what it looks like cropped."""

    cells: tuple[tuple[int, int], ...]
    top: int
    left: int
    bottom: int  # exclusive
    right: int  # exclusive
    image: Cells  # the object alone, background elsewhere in its box

    @property
    def size(self) -> int:
        return len(self.cells)

    @property
    def box_area(self) -> int:
        return (self.bottom - self.top) * (self.right - self.left)

    def colors(self) -> frozenset[int]:
        return frozenset(int(v) for v in np.unique(self.image[self.mask()]))

    def mask(self) -> np.ndarray:
        m = np.zeros(self.image.shape, dtype=bool)
        for y, x in self.cells:
            m[y - self.top, x - self.left] = True
        return m

    def shape_key(self) -> bytes:
        """Identity of the object's form, colors ignored."""
        m = self.mask()
        return bytes(m.shape) + m.tobytes()


def components(
    a: Cells, *, diagonal: bool, by_color: bool, background: int = 0
) -> tuple[Component, ...]:
    """Every component in reading order of its first cell."""
    return _components(a.shape, a.tobytes(), diagonal, by_color, background)


@lru_cache(maxsize=4096)
def _components(
    shape: tuple[int, int], raw: bytes, diagonal: bool, by_color: bool, background: int
) -> tuple[Component, ...]:
    a = np.frombuffer(raw, dtype=np.uint8).reshape(shape)
    rows = a.tolist()
    steps = _EIGHT if diagonal else _FOUR
    found: list[Component] = []
    for members in connected(rows, steps=steps, by_color=by_color, background=background):
        ys = [p[0] for p in members]
        xs = [p[1] for p in members]
        top, bottom, left, right = min(ys), max(ys) + 1, min(xs), max(xs) + 1
        image = np.full((bottom - top, right - left), background, dtype=np.uint8)
        for y, x in members:
            image[y - top, x - left] = rows[y][x]
        image.setflags(write=False)
        found.append(Component(tuple(members), top, left, bottom, right, image))
    return tuple(found)


def _holes(o: Component) -> int:
    """Background cells of the object's box that the object encloses (4-connected)."""
    return int(enclosed(o.mask().astype(np.uint8), 0).sum())


def _unique_by(objs: tuple[Component, ...], score: list[float], want_max: bool) -> Component | None:
    """The one object whose score is strictly best, or None on a tie."""
    best = max(score) if want_max else min(score)
    winners = [o for o, s in zip(objs, score, strict=True) if s == best]
    return winners[0] if len(winners) == 1 else None


PICKS = (
    "largest",
    "smallest",
    "largest_box",
    "smallest_box",
    "most_colors",
    "unique_color",
    "unique_shape",
    "common_shape",
    "top",
    "bottom",
    "left",
    "right",
    "densest_box",
    "sparsest_box",
    "symmetric",
    "asymmetric",
    "most_holes",
    "most_rare_color",
)


def pick(objs: tuple[Component, ...], how: str) -> Component | None:
    """The object chosen by ``how`` (one of ``PICKS``), or ``None`` when none is singled out."""
    if not objs:
        return None
    if len(objs) == 1:
        return objs[0]
    if how == "largest":
        return _unique_by(objs, [o.size for o in objs], True)
    if how == "smallest":
        return _unique_by(objs, [o.size for o in objs], False)
    if how == "largest_box":
        return _unique_by(objs, [o.box_area for o in objs], True)
    if how == "smallest_box":
        return _unique_by(objs, [o.box_area for o in objs], False)
    if how == "most_colors":
        return _unique_by(objs, [len(o.colors()) for o in objs], True)
    if how == "densest_box":
        return _unique_by(objs, [o.size / o.box_area for o in objs], True)
    if how == "sparsest_box":
        return _unique_by(objs, [o.size / o.box_area for o in objs], False)
    if how == "top":
        return _unique_by(objs, [o.top for o in objs], False)
    if how == "bottom":
        return _unique_by(objs, [o.bottom for o in objs], True)
    if how == "left":
        return _unique_by(objs, [o.left for o in objs], False)
    if how == "right":
        return _unique_by(objs, [o.right for o in objs], True)
    if how in ("symmetric", "asymmetric"):
        sym = [is_symmetric(o.image) for o in objs]
        lonely = [o for o, s in zip(objs, sym, strict=True) if s == (how == "symmetric")]
        return lonely[0] if len(lonely) == 1 else None
    if how == "most_holes":
        return _unique_by(objs, [_holes(o) for o in objs], True)
    if how == "most_rare_color":
        counts: Counter[int] = Counter()
        for o in objs:
            counts.update(o.image[o.mask()].tolist())
        if len(counts) < 2:
            return None
        rare = min(counts, key=lambda c: (counts[c], c))
        return _unique_by(objs, [float(np.sum(o.image[o.mask()] == rare)) for o in objs], True)
    if how == "unique_color":
        counts = Counter(c for o in objs for c in o.colors())
        lonely = [o for o in objs if any(counts[c] == 1 for c in o.colors())]
        return lonely[0] if len(lonely) == 1 else None
    if how in ("unique_shape", "common_shape"):
        shapes = Counter(o.shape_key() for o in objs)
        if how == "unique_shape":
            lonely = [o for o in objs if shapes[o.shape_key()] == 1]
            return lonely[0] if len(lonely) == 1 else None
        top_two = shapes.most_common(2)
        if len(top_two) == 2 and top_two[0][1] == top_two[1][1]:
            return None
        return next(o for o in objs if o.shape_key() == top_two[0][0])
    raise ValueError(f"unknown pick {how!r}; expected one of {PICKS}")


def label_objects(a: Cells, by: str, diagonal: bool = True) -> Cells | None:
    """Each object's cells take a number standing for a property (``by``): ``size_rank`` (1 for
    the largest, equal sizes alike) or ``size`` (its cell count); the color map fitted after it
    turns the numbers into colors. Applies when every number is 1..9."""
    objs = components(a, diagonal=diagonal, by_color=False)
    if len(objs) < 2:
        return None
    if by == "size":
        labels = [o.size for o in objs]
    else:
        sizes = sorted({o.size for o in objs}, reverse=True)
        labels = [sizes.index(o.size) + 1 for o in objs]
    if max(labels) > 9:
        return None
    out = np.zeros_like(a)
    for o, lab in zip(objs, labels, strict=True):
        for y, x in o.cells:
            out[y, x] = lab
    return out
