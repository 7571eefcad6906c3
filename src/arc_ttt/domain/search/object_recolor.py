"""A learned final step at the level of objects: each object of the state takes one color that
is a function of one of its properties (its size, its rank, its shape, whether it touches the
border, ...), learned from the demonstrations. Cells outside objects stay as they are. The same
for the regions of the background, when only background cells change."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.objects import Component, _holes, components

KEEP = -1  # the object keeps its own colors


def _properties(objs: Sequence[Component], shape: tuple[int, int]) -> dict[str, Sequence[object]]:
    sizes = [o.size for o in objs]
    desc = sorted(set(sizes), reverse=True)
    shapes = Counter(o.shape_key() for o in objs)
    h, w = shape
    return {
        "is_largest": [s == desc[0] for s in sizes],
        "is_smallest": [s == desc[-1] for s in sizes],
        "size_class": ["max" if s == desc[0] else "min" if s == desc[-1] else "mid" for s in sizes],
        "size": sizes,
        "size_rank": [desc.index(s) for s in sizes],
        "color": [tuple(sorted(o.colors())) for o in objs],
        "touches_border": [
            o.top == 0 or o.left == 0 or o.bottom == h or o.right == w for o in objs
        ],
        "shape": [o.shape_key() for o in objs],
        "shape_repeats": [shapes[o.shape_key()] > 1 for o in objs],
        "height": [o.bottom - o.top for o in objs],
        "width": [o.right - o.left for o in objs],
        "holes": [_holes(o) for o in objs],
        "is_rectangle": [o.size == o.box_area for o in objs],
    }


PROPERTIES = tuple(_properties([], (1, 1)).keys())
_SPLITS = ((True, False), (False, True), (True, True))


def _targets(objs: Sequence[Component], x: Cells, y: Cells) -> list[int] | None:
    """Each object's color in ``y`` (``KEEP`` when unchanged), or None when not uniform."""
    out = []
    for o in objs:
        ys, xs = np.array([c[0] for c in o.cells]), np.array([c[1] for c in o.cells])
        got = y[ys, xs]
        if np.array_equal(got, x[ys, xs]):
            out.append(KEEP)
        elif np.all(got == got[0]):
            out.append(int(got[0]))
        else:
            return None
    return out


def _learned_table(
    props: Sequence[dict[str, Sequence[object]]],
    targets: Sequence[list[int]],
    test_props: Sequence[dict[str, Sequence[object]]],
    name: str,
) -> dict[object, int] | None:
    """Property value -> color, consistent over every demonstration, shorter than a list of
    the objects (a rule, not a memory), and knowing every test object's value."""
    table: dict[object, int] = {}
    n_targets = 0
    for p, t in zip(props, targets, strict=True):
        for value, target in zip(p[name], t, strict=True):
            n_targets += 1
            if table.setdefault(value, target) != target:
                return None
    if len(table) >= n_targets:
        return None
    if any(v not in table for tp in test_props for v in tp[name]):
        return None
    return table


def _first_table(
    per_demo: Sequence[Sequence[Component]],
    xs: Sequence[Cells],
    ys: Sequence[Cells],
    tests: Sequence[Cells],
    find: Callable[[Cells], tuple[Component, ...]],
) -> tuple[str, dict[object, int]] | None:
    """The simplest property whose learned table recolors these objects as the outputs do."""
    targets = [_targets(objs, x, y) for objs, x, y in zip(per_demo, xs, ys, strict=True)]
    kept = [t for t in targets if t is not None]
    if len(kept) != len(targets) or len({v for t in kept for v in t}) < 2:
        return None
    props = [_properties(objs, x.shape) for objs, x in zip(per_demo, xs, strict=True)]
    test_props = [_properties(find(t), t.shape) for t in tests]
    for name in PROPERTIES:
        table = _learned_table(props, kept, test_props, name)
        if table is not None:
            return name, table
    return None


def fit_object_recolor(
    xs: Sequence[Cells], ys: Sequence[Cells], tests: Sequence[Cells]
) -> list[tuple[str, Callable[[Cells], Cells | None]]]:
    """Every (name, predict) pair recoloring objects by one property consistently with all
    demonstrations and known for every test object; the simplest property first. Also the
    same for the background's regions (4-connected), when only background cells change."""
    found: list[tuple[str, Callable[[Cells], Cells | None]]] = []
    background_changes = any(np.any((x == 0) & (y != x)) for x, y in zip(xs, ys, strict=True))
    if background_changes:
        if not any(np.any((x != 0) & (y != x)) for x, y in zip(xs, ys, strict=True)):
            found += _fit_regions(xs, ys, tests)
        return found  # background changes: not a recoloring of objects
    for diagonal, by_color in _SPLITS:
        find = _finder(diagonal, by_color)
        per_demo = [find(x) for x in xs]
        if any(len(objs) < 2 for objs in per_demo) or sum(len(o) for o in per_demo) > 200:
            continue
        fitted = _first_table(per_demo, xs, ys, tests, find)
        if fitted is None:
            continue
        name, table = fitted
        tag = f"{'8' if diagonal else '4'}{'c' if by_color else ''}"
        found.append((f"recolor_objects{tag}(by={name})", _predictor(table, name, find)))
    return found


def background_regions(a: Cells) -> tuple[Component, ...]:
    """The 4-connected regions of background cells, as components (of color 1)."""
    return components((a == 0).astype(np.uint8), diagonal=False, by_color=True)


def _fit_regions(
    xs: Sequence[Cells], ys: Sequence[Cells], tests: Sequence[Cells]
) -> list[tuple[str, Callable[[Cells], Cells | None]]]:
    per_demo = [background_regions(x) for x in xs]
    if any(len(objs) < 2 for objs in per_demo) or sum(len(o) for o in per_demo) > 200:
        return []
    fitted = _first_table(per_demo, xs, ys, tests, background_regions)
    if fitted is None:
        return []
    name, table = fitted
    return [(f"recolor_regions(by={name})", _predictor(table, name, background_regions))]


def _finder(diagonal: bool, by_color: bool) -> Callable[[Cells], tuple[Component, ...]]:
    return lambda a: components(a, diagonal=diagonal, by_color=by_color)


def _predictor(
    table: dict[object, int], name: str, find: Callable[[Cells], tuple[Component, ...]]
) -> Callable[[Cells], Cells | None]:
    def predict(a: Cells) -> Cells | None:
        objs = find(a)
        values = _properties(objs, a.shape)[name]
        out = a.copy()
        for o, v in zip(objs, values, strict=True):
            target = table.get(v)
            if target is None:
                return None
            if target != KEEP:
                for yy, xx in o.cells:
                    out[yy, xx] = target
        return out

    return predict
