"""From candidates found under several views to two attempts.

Candidates are mapped back through each view's inverse, merged by grid, and ranked by their
product-of-experts score: the sum over the K views of the candidate's log-probability in that
view (ARChitects 2025: +~12 points over plain selection). Votes (how many views produced the
grid) break ties, then first appearance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.scoring import Attempts


@dataclass
class RankedCandidate:
    """One distinct grid (in the task's own frame) and the evidence for it."""

    grid: Grid
    votes: int = 0
    generation_logprobs: list[float] = field(default_factory=list)
    view_scores: dict[int, float] = field(default_factory=dict)  # view index -> log-prob there
    first_seen: int = 0

    @property
    def poe_score(self) -> float:
        """Sum of log-probs over the views that scored it (-inf if none did)."""
        return sum(self.view_scores.values()) if self.view_scores else float("-inf")

    def sort_key(self, product_of_experts: bool = True) -> tuple[float, int, float, int]:
        best_gen = max(self.generation_logprobs, default=float("-inf"))
        poe = self.poe_score if product_of_experts else 0.0
        return (-poe, -self.votes, -best_gen, self.first_seen)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready (floats kept exact by JSON's round trip of Python floats)."""
        return {
            "grid": self.grid.to_lists(),
            "votes": self.votes,
            "generation_logprobs": list(self.generation_logprobs),
            "view_scores": {str(v): lp for v, lp in sorted(self.view_scores.items())},
            "first_seen": self.first_seen,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RankedCandidate:
        return cls(
            Grid(record["grid"]),
            int(record["votes"]),
            [float(x) for x in record["generation_logprobs"]],
            {int(v): float(lp) for v, lp in record["view_scores"].items()},
            int(record["first_seen"]),
        )


class CandidatePool:
    """Collects back-mapped candidates from every view; merges equal grids."""

    def __init__(self) -> None:
        self._by_grid: dict[Grid, RankedCandidate] = {}

    def add(self, grid: Grid, logprob: float) -> RankedCandidate:
        entry = self._by_grid.get(grid)
        if entry is None:
            entry = RankedCandidate(grid, first_seen=len(self._by_grid))
            self._by_grid[grid] = entry
        entry.votes += 1
        entry.generation_logprobs.append(logprob)
        return entry

    def set_view_score(self, grid: Grid, view: int, logprob: float) -> None:
        self._by_grid[grid].view_scores[view] = logprob

    def grids(self) -> list[Grid]:
        return list(self._by_grid)

    def __len__(self) -> int:
        return len(self._by_grid)

    def ranked(self, product_of_experts: bool = True) -> list[RankedCandidate]:
        """Best first: PoE score (unless turned off), then votes, then best generation log-prob,
        then first seen."""
        return sorted(
            self._by_grid.values(), key=lambda c: c.sort_key(product_of_experts=product_of_experts)
        )

    def to_record(self) -> list[dict[str, Any]]:
        """The pool as JSON-ready records, in first-seen order."""
        return [c.to_record() for c in self._by_grid.values()]

    @classmethod
    def from_record(cls, records: Iterable[Mapping[str, Any]]) -> CandidatePool:
        """Rebuild a pool from ``to_record``; a malformed record raises KeyError/ValueError/
        TypeError or ``InvalidGridError``."""
        pool = cls()
        for record in records:
            entry = RankedCandidate.from_record(record)
            pool._by_grid[entry.grid] = entry
        return pool


class HasGrid(Protocol):
    """A ranked entry: anything with a ``grid``."""

    @property
    def grid(self) -> Grid: ...


def pick_attempts(ranked: Sequence[HasGrid], fallbacks: Iterable[Grid]) -> Attempts:
    """The two best distinct grids; fallbacks fill in when fewer than two candidates exist.

    Never the same grid twice while two distinct grids are available.
    """
    chosen: list[Grid] = []
    for grid in [c.grid for c in ranked] + list(fallbacks):
        if grid not in chosen:
            chosen.append(grid)
        if len(chosen) == 2:
            break
    if not chosen:
        raise ValueError("no candidate and no fallback grid to submit")
    if len(chosen) == 1:
        chosen.append(chosen[0])
    return Attempts(chosen[0], chosen[1])
