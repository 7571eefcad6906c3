"""One selection over every source's candidates: merge by grid, rank by one rule, pick two.

The rule (docs/search.md, "Selection over sources"), best first:

1. grids given by an exact-fit program (one that reproduces every demonstration), the
   simplest program (lowest cost) first;
2. then more votes: the views of the model that decoded the grid, plus one per other source
   that proposed it;
3. then the model's product-of-experts score (sum of log-probs over its views), where the
   model scored the grid; grids it did not score come after those it did;
4. then other partial evidence: the best source-specific score among the grid's proposers
   (search: fraction of demonstration cells right; a file: its score);
5. then first appearance (sources in the order given, each best first).

Candidates come in already mapped back to the task's frame (the model inverts its views).
Nothing here sees a test output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from arc_ttt.domain.candidates import Candidate
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.scoring import Attempts
from arc_ttt.domain.selection import pick_attempts

FALLBACK = {"source": "fallback", "why": "fewer than two candidates: the test input itself"}


@dataclass
class MergedCandidate:
    """One distinct grid and every candidate, from any source, that proposed it."""

    grid: Grid
    first_seen: int
    members: list[Candidate] = field(default_factory=list)

    @property
    def exact_cost(self) -> float | None:
        costs = [c.exact_cost for c in self.members if c.exact_cost is not None]
        return min(costs) if costs else None

    @property
    def votes(self) -> int:
        return sum(c.votes for c in self.members)

    @property
    def poe(self) -> float | None:
        scores = [c.poe for c in self.members if c.poe is not None and math.isfinite(c.poe)]
        return max(scores) if scores else None

    @property
    def evidence(self) -> float:
        """The best score of a proposer that is neither an exact fit nor model-scored."""
        other = [c.score for c in self.members if c.exact_cost is None and c.poe is None]
        finite = [s for s in other if math.isfinite(s)]
        return max(finite) if finite else float("-inf")

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.source for c in self.members))

    def sort_key(self) -> tuple[int, float, int, int, float, float, int]:
        exact, poe = self.exact_cost, self.poe
        return (
            0 if exact is not None else 1,
            exact if exact is not None else 0.0,
            -self.votes,
            0 if poe is not None else 1,
            -poe if poe is not None else 0.0,
            -self.evidence,
            self.first_seen,
        )

    def provenance(self) -> list[dict[str, Any]]:
        """JSON-ready: each proposer's source, score and provenance."""
        return [
            {
                "source": c.source,
                "score": c.score if math.isfinite(c.score) else None,
                "votes": c.votes,
                **dict(c.provenance),
            }
            for c in self.members
        ]


def rank_candidates(per_source: Iterable[Sequence[Candidate]]) -> list[MergedCandidate]:
    """Merge every source's candidates for one test input by grid; best first by the rule."""
    merged: dict[Grid, MergedCandidate] = {}
    for candidates in per_source:
        for c in candidates:
            entry = merged.get(c.grid)
            if entry is None:
                entry = merged[c.grid] = MergedCandidate(c.grid, len(merged))
            entry.members.append(c)
    return sorted(merged.values(), key=MergedCandidate.sort_key)


@dataclass(frozen=True)
class Selection:
    """Two attempts for one test input, the ranking behind them, and each attempt's proof."""

    attempts: Attempts
    ranked: tuple[MergedCandidate, ...]
    provenance: tuple[list[dict[str, Any]], list[dict[str, Any]]]


def select(per_source: Iterable[Sequence[Candidate]], fallback: Grid) -> Selection:
    """Rank, then pick two distinct grids (``fallback``, the test input, fills in)."""
    ranked = rank_candidates(per_source)
    attempts = pick_attempts(ranked, fallbacks=[fallback])
    by_grid = {m.grid: m for m in ranked}

    def proof(grid: Grid) -> list[dict[str, Any]]:
        found = by_grid.get(grid)
        return found.provenance() if found is not None else [dict(FALLBACK)]

    return Selection(
        attempts, tuple(ranked), (proof(attempts.attempt_1), proof(attempts.attempt_2))
    )
