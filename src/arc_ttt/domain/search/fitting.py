"""The last, learned step of a program: from a state's grids to the demonstrated outputs.

Given the grids a program made of each demonstration input (``xs``) and the demonstrated
outputs (``ys``), a fitter learns a mapping that reproduces every output exactly, or reports
that none exists. The mapping is then applied to the test grids. Fitters: identity, a color
map, object recolouring, local rules (``local_rules``), role color maps and count lookups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.search.cells import Cells
from arc_ttt.domain.search.fit import Fit
from arc_ttt.domain.search.local_rules import local_rules
from arc_ttt.domain.search.object_recolor import fit_object_recolor
from arc_ttt.domain.search.objects import components


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


def _apply_map(mapping: dict[int, int], *, strict: bool) -> Callable[[Cells], Cells | None]:
    lut = np.arange(10, dtype=np.uint8)
    known = np.zeros(10, dtype=bool)
    for src, dst in mapping.items():
        lut[src] = dst
        known[src] = True

    def apply(a: Cells) -> Cells | None:
        if strict and not known[a].all():
            return None
        return lut[a]

    return apply


def fits(
    xs: Sequence[Cells], ys: Sequence[Cells], *, local: bool, tests: Sequence[Cells] = ()
) -> list[Fit]:
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
        # a test color the demonstrations never mapped is a guess: keeping it costs more
        return [
            Fit(f"recolor({text})", 0.5, _apply_map(mapping, strict=True)),
            Fit(f"recolor({text},keep_unseen)", 1.5, _apply_map(mapping, strict=False)),
        ]
    if not local:
        return found
    for name, predict in fit_object_recolor(xs, ys, tests):
        found.append(Fit(name, 1.5, predict))
    found += local_rules(xs, ys, tests)
    return found


def agreement(xs: Sequence[Cells], ys: Sequence[Cells]) -> float:
    """Mean fraction of cells equal to the output (0 for a demonstration of the wrong size)."""
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        if x.shape == y.shape:
            total += float(np.mean(x == y))
    return total / len(xs)


def changes_color(
    states: Sequence[Cells], roots: Sequence[Cells], ys: Sequence[Cells]
) -> int | None:
    """The one color every output gives the cells a program changed in its input, when the
    outputs are otherwise the input: the program found where, the color is learned."""
    color = None
    for state, root, y in zip(states, roots, ys, strict=True):
        if state.shape != root.shape or root.shape != y.shape:
            return None
        changed = state != root
        if np.any(y[~changed] != root[~changed]):
            return None
        values = np.unique(y[changed])
        if values.size > 1 or (values.size == 1 and color is not None and values[0] != color):
            return None
        if values.size == 1:
            color = int(values[0])
    return color


def _roles(root: Cells) -> npt.NDArray[np.int64]:
    """Per color, its role in ``root``: 0 stays 0, the other colors present are numbered 1, 2,
    ... from the most common; colors absent from ``root`` become 10 + color (a literal)."""
    counts = np.bincount(root.ravel(), minlength=10)
    order = sorted((c for c in range(1, 10) if counts[c]), key=lambda c: (-counts[c], c))
    table = np.array([10 + c for c in range(10)], dtype=np.int64)
    table[0] = 0
    for rank, c in enumerate(order, start=1):
        table[c] = rank
    return table


def role_color_map(
    states: Sequence[Cells],
    roots: Sequence[Cells],
    ys: Sequence[Cells],
    test_states: Sequence[Cells],
    test_roots: Sequence[Cells],
) -> tuple[str, list[Cells]] | None:
    """A color map over color *roles* (most common color of the task's input, second most
    common, ..., or a fixed color), for tasks whose demonstrations each use their own colors.
    Returns its text and the test grids, or None."""
    table = np.full(20, -1, dtype=np.int64)
    for state, root, y in zip(states, roots, ys, strict=True):
        if state.shape != y.shape:
            return None
        role = _roles(root)
        src, dst = role[state].ravel(), role[y].ravel()
        pairs = np.unique(src * 20 + dst)
        s, d = pairs // 20, pairs % 20
        if len(np.unique(s)) != len(s):
            return None
        known = table[s]
        if np.any((known >= 0) & (known != d)):
            return None
        table[s] = d
    if np.all(table[table >= 0] == np.nonzero(table >= 0)[0]):
        return None  # the identity on roles: nothing learned
    outputs = []
    for state, root in zip(test_states, test_roots, strict=True):
        role = _roles(root)
        src = role[state]
        if np.any(table[src] < 0):
            return None
        back = np.full(20, -1, dtype=np.int64)  # role -> color in this test grid
        back[role] = np.arange(10)
        back[10:] = np.arange(10)  # literals stand for themselves
        out = back[table[src]]
        if np.any(out < 0):
            return None
        outputs.append(out.astype(np.uint8))
    text = ",".join(
        f"{_role_name(int(s))}->{_role_name(int(table[s]))}"
        for s in np.nonzero(table >= 0)[0]
        if table[s] != s
    )
    return f"recolor_roles({text})", outputs


def _role_name(r: int) -> str:
    return str(r - 10) if r >= 10 else ("bg" if r == 0 else f"c{r}")


def _count_features(a: Cells) -> dict[str, object]:
    return {
        "objects4c": len(components(a, diagonal=False, by_color=True)),
        "objects8": len(components(a, diagonal=True, by_color=False)),
        "colors": int(np.count_nonzero(np.bincount(a.ravel(), minlength=10)[1:])),
        "cells": int(np.count_nonzero(a)),
        "mask": bytes(a.shape) + (a != 0).tobytes(),
    }


def count_lookup(
    xs: Sequence[Cells], ys: Sequence[Cells], tests: Sequence[Cells]
) -> tuple[str, list[Cells]] | None:
    """The output as a table of one feature of the input (its number of objects, colors or
    cells, or the shape of its non-background cells), learned from the demonstrations: the
    first feature whose table is consistent, has a repeated value among the demonstrations
    (evidence, not a lookup of each one), several distinct outputs, and knows every test
    input's value. Returns the feature's name and the test outputs."""
    if len(xs) < 3:
        return None
    train = [_count_features(x) for x in xs]
    wanted = [_count_features(t) for t in tests]
    for name in train[0]:
        table: dict[object, Cells] = {}
        for feats, y in zip(train, ys, strict=True):
            seen = table.setdefault(feats[name], y)
            if seen.shape != y.shape or not np.array_equal(seen, y):
                break
        else:
            if len(table) == len(xs) or len(table) < 2:
                continue
            if all(w[name] in table for w in wanted):
                return f"count_lookup({name})", [table[w[name]].copy() for w in wanted]
    return None
