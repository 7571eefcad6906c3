"""What the search finds: programs, the grids they give for the test inputs, and their evidence."""

from __future__ import annotations

from dataclasses import dataclass

from arc_ttt.domain.grid import Grid


@dataclass(frozen=True, slots=True)
class Program:
    """A composition of operations and a learned final step, with its simplicity cost."""

    steps: tuple[str, ...]
    fit: str = ""
    cost: float = 0.0

    @property
    def depth(self) -> int:
        return len(self.steps)

    @property
    def text(self) -> str:
        """The program as one line, e.g. ``crop | rot90 | recolor(1->2)``; ``input`` when empty."""
        parts = [*self.steps, *([self.fit] if self.fit else [])]
        return " | ".join(parts) if parts else "input"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Finding:
    """A program with the test grids it gives and how well it reproduced the demonstrations.

    ``kind``: ``"exact"`` (every demonstration reproduced), ``"pieces"`` (several programs'
    grids stacked; ``program`` lists them joined by ``+``) or ``"partial"`` (the closest grids
    when nothing fits; ``agreement`` is the fraction of demonstration cells right).
    """

    program: Program
    outputs: tuple[Grid, ...]  # one per test input
    kind: str
    agreement: float = 1.0

    @property
    def rank_key(self) -> tuple[int, float, float]:
        """Sort key, best first: exact fits, then pieces, then partial; then simpler, closer."""
        order = {"exact": 0, "pieces": 1, "partial": 2}[self.kind]
        return (
            order,
            self.program.cost if self.kind != "partial" else -self.agreement,
            self.program.cost,
        )

    def describe(self) -> dict[str, object]:
        """JSON-ready provenance."""
        return {
            "program": self.program.text,
            "kind": self.kind,
            "depth": self.program.depth,
            "cost": round(self.program.cost, 3),
            "agreement": round(self.agreement, 4),
        }
