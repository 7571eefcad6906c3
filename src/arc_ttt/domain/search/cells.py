"""The search's working type: a 2-D ``uint8`` numpy array of colors 0..9, and small facts about it."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Cells = npt.NDArray[np.uint8]
MAX_SIDE = 30


def fits(a: npt.NDArray[Any]) -> Cells | None:
    """``a`` as uint8 when it is a legal ARC grid (1..30 on each side), else ``None``."""
    if a.ndim != 2 or not (0 < a.shape[0] <= MAX_SIDE and 0 < a.shape[1] <= MAX_SIDE):
        return None
    return np.ascontiguousarray(a, dtype=np.uint8)


def color_counts(a: Cells) -> npt.NDArray[np.int64]:
    """How many cells of each color 0..9."""
    return np.bincount(a.ravel(), minlength=10)


def majority_color(a: Cells) -> int:
    """The most common color (the lowest on a tie)."""
    return int(np.argmax(color_counts(a)))


def key(a: Cells) -> bytes:
    """A hashable identity of the grid: its shape and its bytes."""
    return bytes((a.shape[0], a.shape[1])) + a.tobytes()


def is_symmetric(a: Cells) -> bool:
    """Whether the grid equals its left-right or up-down mirror, or (square) its transpose."""
    return bool(
        np.array_equal(a, a[:, ::-1])
        or np.array_equal(a, a[::-1])
        or (a.shape[0] == a.shape[1] and np.array_equal(a, a.T))
    )
