"""A learned final step at the level of objects: each object of the state takes one color that
is a function of one of its properties (its size, its rank, its shape, whether it touches the
border, ...), learned from the demonstrations. Cells outside objects stay as they are."""

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


def fit_object_recolor(
    xs: Sequence[Cells], ys: Sequence[Cells], tests: Sequence[Cells]
) -> list[tuple[str, Callable[[Cells], Cells | None]]]:
    """Every (name, predict) pair recoloring objects by one property consistently with all
    demonstrations and known for every test object; the simplest property first."""
    found: list[tuple[str, Callable[[Cells], Cells | None]]] = []
    for x, y in zip(xs, ys, strict=True):
        if np.any((x == 0) & (y != x)):
            return []  # background changes: not a recoloring of objects
    for diagonal, by_color in _SPLITS:
        per_demo = [components(x, diagonal=diagonal, by_color=by_color) for x in xs]
        if any(len(objs) < 2 for objs in per_demo) or sum(len(o) for o in per_demo) > 200:
            continue
        targets = [_targets(objs, x, y) for objs, x, y in zip(per_demo, xs, ys, strict=True)]
        if any(t is None for t in targets):
            continue
        flat_targets = [v for t in targets if t is not None for v in t]
        if len(set(flat_targets)) < 2:
            continue
        props = [_properties(objs, x.shape) for objs, x in zip(per_demo, xs, strict=True)]
        test_objs = [components(t, diagonal=diagonal, by_color=by_color) for t in tests]
        test_props = [_properties(objs, t.shape) for objs, t in zip(test_objs, tests, strict=True)]
        for name in PROPERTIES:
            table: dict[object, int] = {}
            ok = True
            for p, t in zip(props, targets, strict=True):
                for value, target in zip(p[name], t or (), strict=True):
                    if table.setdefault(value, target) != target:
                        ok = False
                        break
                if not ok:
                    break
            if not ok or len(table) >= len(flat_targets):
                continue
            if any(v not in table for tp in test_props for v in tp[name]):
                continue
            found.append(
                (
                    f"recolor_objects{'8' if diagonal else '4'}{'c' if by_color else ''}(by={name})",
                    _predictor(dict(table), name, diagonal, by_color),
                )
            )
            break
    return found


def _predictor(
    table: dict[object, int], name: str, diagonal: bool, by_color: bool
) -> Callable[[Cells], Cells | None]:
    def predict(a: Cells) -> Cells | None:
        objs = components(a, diagonal=diagonal, by_color=by_color)
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
