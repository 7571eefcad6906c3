"""Cleaning a grid of noise: cells that belong to no solid block, or stray cells of one color
scattered over the objects."""

from __future__ import annotations

import numpy as np

from arc_ttt.domain.search.cells import Cells


def opening(a: Cells, background: int = 0) -> Cells | None:
    """Cells that lie in no 2 x 2 block of their own color become background: the solid
    shapes stay, lines and specks go."""
    h, w = a.shape
    if h < 2 or w < 2:
        return None
    solid = (a[:-1, :-1] == a[1:, :-1]) & (a[:-1, :-1] == a[:-1, 1:]) & (a[:-1, :-1] == a[1:, 1:])
    solid &= a[:-1, :-1] != background
    keep = np.zeros((h, w), dtype=bool)
    keep[:-1, :-1] |= solid
    keep[1:, :-1] |= solid
    keep[:-1, 1:] |= solid
    keep[1:, 1:] |= solid
    drop = (a != background) & ~keep
    if not drop.any() or not keep.any():
        return None
    out = a.copy()
    out[drop] = background
    return out


def denoise(a: Cells, color: int, background: int = 0) -> Cells | None:
    """Each cell of ``color`` takes the most common color among its four neighbours that are
    not ``color``; a tie between the background and one color goes to the color, any other tie
    (or no such neighbour) to the background: noise painted over the objects."""
    noisy = np.argwhere(a == color)
    if noisy.size == 0 or len(noisy) == a.size:
        return None
    h, w = a.shape
    out = a.copy()
    for y, x in noisy.tolist():
        votes = [0] * 10
        for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
            if 0 <= ny < h and 0 <= nx < w and a[ny, nx] != color:
                votes[int(a[ny, nx])] += 1
        best = max(votes)
        winners = [c for c in range(10) if votes[c] == best and c != background]
        out[y, x] = winners[0] if best > 0 and len(winners) == 1 else background
    return out
