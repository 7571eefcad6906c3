"""Local rules: each output cell as a function of its input cell's neighbourhood.

A rule is a lookup table from a neighbourhood key (``LOCAL_KINDS``: the 3 x 3 square, the
cross, rays, lines, counts, parities) to an output color, learned from the demonstrations (also
under their rotations and reflections when no plain rule does) and kept only when it passes
leave-one-out over the demonstrations and applies to every test grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.fit import Fit

OUTSIDE = 10  # the neighbourhood value of a cell off the grid


def _neighbourhood_keys(a: Cells, kind: str) -> npt.NDArray[np.int64]:
    """One integer per cell describing the cell and its surroundings (``kind`` of view)."""
    return _cached_keys(a.shape, a.tobytes(), kind)


@lru_cache(maxsize=8192)
def _cached_keys(shape: tuple[int, int], raw: bytes, kind: str) -> npt.NDArray[np.int64]:
    keys = _compute_keys(np.frombuffer(raw, dtype=np.uint8).reshape(shape), kind)
    keys.setflags(write=False)
    return keys


def _compute_keys(a: Cells, kind: str) -> npt.NDArray[np.int64]:
    edge = 0 if kind == "square0" else OUTSIDE
    p = np.pad(a.astype(np.int64), 1, constant_values=edge)
    h, w = a.shape
    center = p[1:-1, 1:-1]
    if kind == "cross":
        parts = [center, p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]]
    elif kind in ("square", "square0"):
        parts = [p[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)]
    elif kind == "count":
        nz = np.pad(a != 0, 1).astype(np.int64)
        count = sum(nz[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)) - (a != 0)
        parts = [center, count]
    elif kind == "rays":
        parts = [center, *_rays(a)]
    elif kind in ("parity", "parity_end"):
        # the parity of the row and column counted from the top left, or from the bottom right
        ys = np.arange(h, dtype=np.int64)[:, None] * np.ones((1, w), dtype=np.int64)
        xs = np.arange(w, dtype=np.int64)[None, :] * np.ones((h, 1), dtype=np.int64)
        if kind == "parity_end":
            ys, xs = h - 1 - ys, w - 1 - xs
        parts = [center, ys % 2, xs % 2]
    elif kind == "lines":
        bits = (1 << a.astype(np.int64)) * (a != 0)
        row = np.bitwise_or.reduce(bits, axis=1, keepdims=True) * np.ones((1, w), dtype=np.int64)
        col = np.bitwise_or.reduce(bits, axis=0, keepdims=True) * np.ones((h, 1), dtype=np.int64)
        lines: npt.NDArray[np.int64] = center + 11 * (row + 1024 * col)
        return lines
    else:
        raise ValueError(f"unknown neighbourhood {kind!r}")
    out = np.zeros((h, w), dtype=np.int64)
    for part in parts:
        out = out * 11 + part
    return out


def _rays(a: Cells) -> list[npt.NDArray[np.int64]]:
    """Per cell, the first non-background color seen looking left, right, up and down
    (``OUTSIDE`` when the ray leaves the grid first)."""
    out = []
    for turns in range(4):
        b = np.rot90(a, turns).astype(np.int64)
        seen = np.full(b.shape, OUTSIDE, dtype=np.int64)
        last = np.full(b.shape[0], OUTSIDE, dtype=np.int64)
        for j in range(b.shape[1]):
            seen[:, j] = last
            last = np.where(b[:, j] != 0, b[:, j], last)
        out.append(np.rot90(seen, -turns))
    return out


LOCAL_KINDS = ("square", "square0", "cross", "rays", "lines", "count", "parity", "parity_end")
_KIND_COST = {
    "square0": 2.1,
    "cross": 1.5,
    "count": 1.5,
    "rays": 1.7,
    "lines": 1.8,
    "square": 2.0,
    "parity": 1.7,
    "parity_end": 1.7,
}


def _symmetries(a: Cells) -> list[Cells]:
    """The 8 rotations and reflections of a grid."""
    return [np.rot90(b, k) for b in (a, a[:, ::-1]) for k in range(4)]


@dataclass(frozen=True, slots=True)
class _Table:
    """Neighbourhood key -> output color, for one kind of neighbourhood."""

    kind: str
    keys: npt.NDArray[np.int64]
    values: npt.NDArray[np.int64]

    def lookup(self, a: Cells) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        k = _neighbourhood_keys(a, self.kind).ravel()
        pos = np.clip(np.searchsorted(self.keys, k), 0, len(self.keys) - 1)
        return self.values[pos], self.keys[pos] == k


def _learn(xs: Sequence[Cells], ys: Sequence[Cells], kind: str, symmetric: bool) -> _Table | None:
    """The table for ``kind``, or None when two cells with one key want different colors.
    ``symmetric``: learn from the 8 rotations and reflections of every demonstration too."""
    if symmetric:
        xs = [s for x in xs for s in _symmetries(x)]
        ys = [s for y in ys for s in _symmetries(y)]
    keys = np.concatenate([_neighbourhood_keys(x, kind).ravel() for x in xs])
    targets = np.concatenate([y.ravel() for y in ys]).astype(np.int64)
    order = np.lexsort((targets, keys))
    keys, targets = keys[order], targets[order]
    table_keys, first = np.unique(keys, return_index=True)
    table_vals = targets[first]
    if np.any(targets != table_vals[np.searchsorted(table_keys, keys)]):
        return None
    if len(table_keys) == len(keys) and len(keys) > 4:
        return None  # every cell its own case: memorised, not learned
    return _Table(kind, table_keys, table_vals)


def _predict(
    tables: Sequence[_Table], a: Cells, keep_unseen: bool
) -> tuple[Cells, npt.NDArray[np.bool_]]:
    """Each cell from the first table that knows its neighbourhood; the rest keep their color.
    Also returns which cells some table knew."""
    out = a.ravel().astype(np.int64)
    known = np.zeros(a.size, dtype=bool)
    for table in tables:
        values, seen = table.lookup(a)
        take = seen & ~known
        out[take] = values[take]
        known |= seen
    return out.astype(np.uint8).reshape(a.shape), known


def _generalises(
    xs: Sequence[Cells],
    ys: Sequence[Cells],
    kinds: Sequence[str],
    symmetric: bool,
    keep_unseen: bool,
) -> bool:
    """Leave-one-out: tables learned without demonstration j never get a cell of j wrong
    (with ``keep_unseen``, also where they keep a cell of a new neighbourhood), and they know
    most of j's neighbourhoods. Rules that only memorise the demonstrations fail this."""
    if len(xs) < 2:
        return False
    known_cells = 0
    total = 0
    for j in range(len(xs)):
        rest_x = [x for i, x in enumerate(xs) if i != j]
        rest_y = [y for i, y in enumerate(ys) if i != j]
        tables = [t for k in kinds if (t := _learn(rest_x, rest_y, k, symmetric)) is not None]
        if not tables:
            return False
        got, known = _predict(tables, xs[j], keep_unseen)
        y = ys[j]
        if keep_unseen:
            if not np.array_equal(got, y):
                return False
        elif np.any(got.ravel()[known] != y.ravel()[known]):
            return False
        known_cells += int(known.sum())
        total += known.size
    return keep_unseen or known_cells >= 0.9 * total


def local_rules(xs: Sequence[Cells], ys: Sequence[Cells], tests: Sequence[Cells] = ()) -> list[Fit]:
    """Local rules that reproduce every demonstration and pass leave-one-out, cheapest first:
    one kind of neighbourhood alone (every test neighbourhood must be known), then a backoff
    chain over every consistent kind that keeps a cell's color where none knows it, then the
    same learned from the demonstrations' rotations and reflections. Only rules that apply to
    every test grid are returned."""
    found: list[Fit] = []
    for symmetric in (False, True):
        tables = [t for k in LOCAL_KINDS if (t := _learn(xs, ys, k, symmetric)) is not None]
        tag = ",d8" if symmetric else ""
        extra = 0.4 if symmetric else 0.0
        for table in tables:
            if all(_predict([table], t, False)[1].all() for t in tests) and _generalises(
                xs, ys, [table.kind], symmetric, keep_unseen=False
            ):
                found.append(
                    Fit(f"local({table.kind}{tag})", _KIND_COST[table.kind] + extra, _strict(table))
                )
        if tables and _generalises(xs, ys, [t.kind for t in tables], symmetric, keep_unseen=True):
            names = "+".join(t.kind for t in tables)
            found.append(Fit(f"local({names},keep_unseen{tag})", 2.8 + extra, _backoff(tables)))
        if any("keep_unseen" not in f.name for f in found):
            break  # a rule that knows every test neighbourhood: no need to learn symmetric ones
    return sorted(found, key=lambda f: f.cost)


def _strict(table: _Table) -> Callable[[Cells], Cells | None]:
    def predict(a: Cells) -> Cells | None:
        got, known = _predict([table], a, keep_unseen=False)
        return got if known.all() else None

    return predict


def _backoff(tables: Sequence[_Table]) -> Callable[[Cells], Cells | None]:
    return lambda a: _predict(tables, a, keep_unseen=True)[0]
