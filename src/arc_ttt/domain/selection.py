"""From candidates found under several views to two attempts.

Candidates are mapped back through each view's inverse, merged by grid, and ranked by their
product-of-experts score: the sum over the K views of the candidate's log-probability in that
view (ARChitects 2025: +~12 points over plain selection). Votes (how many views produced the
grid) break ties, then first appearance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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

    def sort_key(self) -> tuple[float, int, float, int]:
        best_gen = max(self.generation_logprobs, default=float("-inf"))
        return (-self.poe_score, -self.votes, -best_gen, self.first_seen)


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

    def ranked(self) -> list[RankedCandidate]:
        """Best first: PoE score, then votes, then best generation log-prob, then first seen."""
        return sorted(self._by_grid.values(), key=RankedCandidate.sort_key)


def pick_attempts(ranked: Sequence[RankedCandidate], fallbacks: Iterable[Grid]) -> Attempts:
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
