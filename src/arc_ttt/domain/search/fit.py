"""A learned final step of a program (what the fitters return)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from arc_ttt.domain.search.cells import Cells


@dataclass(frozen=True, slots=True)
class Fit:
    """A learned final step: its name (for the program text), cost, and how to apply it."""

    name: str
    cost: float
    predict: Callable[[Cells], Cells | None]
