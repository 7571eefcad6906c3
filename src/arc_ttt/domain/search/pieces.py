"""Stacking pieces: when no single program reproduces the outputs, cover them with several.

A piece is a state whose non-background cells all agree with the demonstrated outputs. Pieces
are stacked greedily (background is transparent), each time taking the one that covers the
most output cells still uncovered, until every output cell is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from arc_ttt.domain.search.cells import Cells


@dataclass(frozen=True, slots=True)
class Piece:
    """A state's grids (demonstrations first, then tests), its program text and cost."""

    grids: tuple[Cells, ...]
    text: str
    cost: float


def is_piece(grids: Sequence[Cells], ys: Sequence[Cells]) -> bool:
    """Whether the first ``len(ys)`` grids never contradict the outputs where they draw."""
    drew = False
    for x, y in zip(grids, ys, strict=False):
        if x.shape != y.shape:
            return False
        mask = x != 0
        if np.any(x[mask] != y[mask]):
            return False
        drew = drew or bool(mask.any())
    return drew


def stack(pieces: Sequence[Piece], ys: Sequence[Cells], max_pieces: int = 4) -> list[Piece] | None:
    """A few pieces that together draw every non-background output cell, or ``None``."""
    n = len(ys)
    todo = [y != 0 for y in ys]
    chosen: list[Piece] = []
    while any(t.any() for t in todo):
        if len(chosen) == max_pieces:
            return None
        gains = [
            sum(int(np.count_nonzero(todo[i] & (p.grids[i] != 0))) for i in range(n))
            for p in pieces
        ]
        if not gains or max(gains) == 0:
            return None
        best = max(range(len(pieces)), key=lambda i: (gains[i], -pieces[i].cost))
        chosen.append(pieces[best])
        for i in range(n):
            todo[i] &= pieces[best].grids[i] == 0
    return chosen


def overlay(chosen: Sequence[Piece], index: int) -> Cells:
    """The stacked picture of grid ``index``: the first chosen piece on top."""
    out = np.zeros_like(chosen[0].grids[index])
    for p in reversed(chosen):
        g = p.grids[index]
        if g.shape != out.shape:
            continue
        out = np.where(g != 0, g, out).astype(np.uint8)
    return out
