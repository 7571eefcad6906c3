"""The last, learned step of a program: from a state's grids to the demonstrated outputs.

Given the grids a program made of each demonstration input (``xs``) and the demonstrated
outputs (``ys``), a fitter learns a mapping that reproduces every output exactly, or reports
that none exists. The mapping is then applied to the test grids. Fitters: identity, a color
map, and local rules (each output cell is a function of the input cell's neighbourhood).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.search.cells import Cells

OUTSIDE = 10  # the neighbourhood value of a cell off the grid


@dataclass(frozen=True, slots=True)
class Fit:
    """A learned final step: its name (for the program text), cost, and how to apply it."""

    name: str
    cost: float
    predict: Callable[[Cells], Cells | None]


def _identity(a: Cells) -> Cells:
    return a


def color_map(xs: Sequence[Cells], ys: Sequence[Cells]) -> dict[int, int] | None:
    """The one color-to-color map taking every x to its y cell by cell, if it exists."""
    table = np.full(10, -1, dtype=np.int16)
    for x, y in zip(xs, ys, strict=True):
        pairs = np.unique(x.astype(np.int16) * 10 + y)
        src, dst = pairs // 10, pairs % 10
        if len(np.unique(src)) != len(src):
            return None
        known = table[src]
        if np.any((known >= 0) & (known != dst)):
            return None
        table[src] = dst
    return {int(c): int(table[c]) for c in range(10) if table[c] >= 0}


def _apply_map(mapping: dict[int, int]) -> Callable[[Cells], Cells]:
    lut = np.arange(10, dtype=np.uint8)
    for src, dst in mapping.items():
        lut[src] = dst
    return lambda a: lut[a]


def _neighbourhood_keys(a: Cells, kind: str) -> npt.NDArray[np.int64]:
    """One integer per cell describing the cell and its surroundings (``kind`` of view)."""
    p = np.pad(a.astype(np.int64), 1, constant_values=OUTSIDE)
    h, w = a.shape
    center = p[1:-1, 1:-1]
    if kind == "cross":
        parts = [center, p[:-2, 1:-1], p[2:, 1:-1], p[1:-1, :-2], p[1:-1, 2:]]
    elif kind == "square":
        parts = [p[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)]
    elif kind == "count":
        nz = np.pad(a != 0, 1).astype(np.int64)
        count = sum(nz[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)) - (a != 0)
        parts = [center, count]
    elif kind == "lines":
        bits = (1 << a.astype(np.int64)) * (a != 0)
        row = np.bitwise_or.reduce(bits, axis=1, keepdims=True) * np.ones((1, w), dtype=np.int64)
        col = np.bitwise_or.reduce(bits, axis=0, keepdims=True) * np.ones((h, 1), dtype=np.int64)
        return center + 11 * (row + 1024 * col)
    else:
        raise ValueError(f"unknown neighbourhood {kind!r}")
    out = np.zeros((h, w), dtype=np.int64)
    for part in parts:
        out = out * 11 + part
    return out


LOCAL_KINDS = ("cross", "count", "lines", "square")
_KIND_COST = {"cross": 1.5, "count": 1.5, "lines": 1.8, "square": 2.0}


def local_rule(
    xs: Sequence[Cells], ys: Sequence[Cells], kind: str, keep_unseen: bool
) -> Callable[[Cells], Cells | None] | None:
    """A table from neighbourhood to output color consistent with every demonstration.

    The learned function applies to a grid whose neighbourhoods were all seen, or, with
    ``keep_unseen``, keeps the cell's own color where a neighbourhood is new.
    """
    table = _table(xs, ys, kind)
    if table is None:
        return None
    table_keys, table_vals = table
    if len(table_keys) == sum(x.size for x in xs) and len(table_keys) > 4:
        return None  # every cell its own case: memorised, not learned
    if not _generalises(xs, ys, kind, keep_unseen):
        return None

    def predict(a: Cells) -> Cells | None:
        k = _neighbourhood_keys(a, kind).ravel()
        pos = np.clip(np.searchsorted(table_keys, k), 0, len(table_keys) - 1)
        seen = table_keys[pos] == k
        if not seen.all() and not keep_unseen:
            return None
        out = np.where(seen, table_vals[pos], a.ravel())
        return out.astype(np.uint8).reshape(a.shape)

    return predict


def _table(xs: Sequence[Cells], ys: Sequence[Cells], kind: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    keys = np.concatenate([_neighbourhood_keys(x, kind).ravel() for x in xs])
    targets = np.concatenate([y.ravel() for y in ys]).astype(np.int64)
    order = np.lexsort((targets, keys))
    keys, targets = keys[order], targets[order]
    table_keys, first = np.unique(keys, return_index=True)
    table_vals = targets[first]
    if np.any(targets != table_vals[np.searchsorted(table_keys, keys)]):
        return None
    return table_keys, table_vals


def _generalises(xs: Sequence[Cells], ys: Sequence[Cells], kind: str, keep_unseen: bool) -> bool:
    """Leave-one-out: a table learned without demonstration j never gets a cell of j wrong
    (with ``keep_unseen``, also where it keeps a cell of a new neighbourhood), and it knows
    most of j's neighbourhoods. Rules that only memorise the demonstrations fail this."""
    if len(xs) < 2:
        return False
    known = 0
    total = 0
    for j in range(len(xs)):
        rest_x = [x for i, x in enumerate(xs) if i != j]
        rest_y = [y for i, y in enumerate(ys) if i != j]
        table = _table(rest_x, rest_y, kind)
        if table is None:
            return False
        table_keys, table_vals = table
        k = _neighbourhood_keys(xs[j], kind).ravel()
        pos = np.clip(np.searchsorted(table_keys, k), 0, len(table_keys) - 1)
        seen = table_keys[pos] == k
        y = ys[j].ravel()
        if np.any(table_vals[pos][seen] != y[seen]):
            return False
        if keep_unseen and np.any(xs[j].ravel()[~seen] != y[~seen]):
            return False
        known += int(seen.sum())
        total += seen.size
    return keep_unseen or known >= 0.9 * total


def fits(xs: Sequence[Cells], ys: Sequence[Cells], *, local: bool) -> list[Fit]:
    """Every final step that turns each x into its y, cheapest first (empty if none does).

    ``local``: also try the local-rule tables (the expensive fitters).
    """
    if any(x.shape != y.shape for x, y in zip(xs, ys, strict=True)):
        return []
    if all(np.array_equal(x, y) for x, y in zip(xs, ys, strict=True)):
        return [Fit("", 0.0, _identity)]
    found: list[Fit] = []
    mapping = color_map(xs, ys)
    if mapping is not None:
        changed = {s: d for s, d in mapping.items() if s != d}
        text = ",".join(f"{s}->{d}" for s, d in sorted(changed.items()))
        return [Fit(f"recolor({text})", 0.5, _apply_map(mapping))]
    if not local:
        return found
    for kind in LOCAL_KINDS:
        for keep in (False, True):
            rule = local_rule(xs, ys, kind, keep)
            if rule is not None:
                tag = ",keep_unseen" if keep else ""
                found.append(Fit(f"local({kind}{tag})", _KIND_COST[kind] + (0.7 if keep else 0.0), rule))
        if found:
            break
    return found


def agreement(xs: Sequence[Cells], ys: Sequence[Cells]) -> float:
    """Mean fraction of cells equal to the output (0 for a demonstration of the wrong size)."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        if x.shape == y.shape:
            total += float(np.mean(x == y))
    return total / len(xs)
