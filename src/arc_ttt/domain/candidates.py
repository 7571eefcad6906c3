"""Proposed answers: what a candidate source (search, model, another solver's file) returns.

A ``Candidate`` is one grid for one test input, with the source that proposed it, a score in
that source's own units and its provenance (a JSON-ready mapping: the program for search, the
views and log-probs for the model, the file and rank for a file). The evidence selection ranks
by is explicit: ``exact_cost`` (an exact-fit program's simplicity cost), ``votes`` and ``poe``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from arc_ttt.domain.grid import Grid


@dataclass(frozen=True)
class Candidate:
    """One proposed grid for one test input.

    ``score``: the source's own figure (search: fraction of demonstration cells right; model:
    product-of-experts log-prob; file: the file's score, else minus the rank). ``votes``: how
    many views or programs of this source gave the grid (a source without views votes once).
    ``exact_cost``: set only for a program that reproduces every demonstration; lower is
    simpler. ``poe``: the model's sum of log-probs over its views, when it scored the grid.
    """

    grid: Grid
    source: str
    score: float
    provenance: Mapping[str, Any] = field(default_factory=dict)
    votes: int = 1
    exact_cost: float | None = None
    poe: float | None = None

    def __post_init__(self) -> None:
        if not self.source:
            raise ValueError("a candidate names its source")
        if self.votes < 0:
            raise ValueError(f"votes must be >= 0, got {self.votes}")

    def to_record(self) -> dict[str, Any]:
        """JSON-ready; ``from_record`` gives it back."""
        return {
            "grid": self.grid.to_lists(),
            "source": self.source,
            "score": _finite_or_none(self.score),
            "provenance": dict(self.provenance),
            "votes": self.votes,
            "exact_cost": self.exact_cost,
            "poe": self.poe,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Candidate:
        """Raises KeyError/TypeError/ValueError or ``InvalidGridError`` on a bad record."""
        score = record["score"]
        return cls(
            Grid(record["grid"]),
            str(record["source"]),
            float("-inf") if score is None else float(score),
            dict(record["provenance"]),
            int(record["votes"]),
            None if record["exact_cost"] is None else float(record["exact_cost"]),
            None if record["poe"] is None else float(record["poe"]),
        )


@dataclass(frozen=True)
class Effort:
    """What proposing for one task cost, for the run's records (model fields stay 0 for a
    source without a model)."""

    seconds: float = 0.0
    stopped_because: str = ""
    from_cache: bool = False
    notes: tuple[str, ...] = ()
    train_seconds: float = 0.0
    train_steps: int = 0
    tokens_trained: int = 0
    invalid_generations: int = 0

    def to_record(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "stopped_because": self.stopped_because,
            "from_cache": self.from_cache,
            "notes": list(self.notes),
            "train_seconds": round(self.train_seconds, 3),
            "train_steps": self.train_steps,
            "tokens_trained": self.tokens_trained,
            "invalid_generations": self.invalid_generations,
        }


@dataclass(frozen=True)
class Proposals:
    """One source's candidates for one task: per test input, distinct grids, best first."""

    task_id: str
    source: str
    tests: tuple[tuple[Candidate, ...], ...]
    effort: Effort = Effort()

    @property
    def exact_for_every_test(self) -> bool:
        """True when every test input has a candidate from an exact-fit program."""
        return all(any(c.exact_cost is not None for c in cs) for cs in self.tests)


@dataclass(frozen=True)
class CandidateBudget:
    """Limits for proposing. ``deadline``: a time on the source's monotonic clock by which it
    returns what it has (None: no limit). ``task_seconds``: with several tasks, each task's own
    limit from its start. ``memory_bytes``: a cap on the memory the source may hold."""

    deadline: float | None = None
    task_seconds: float | None = None
    memory_bytes: int | None = None

    def __post_init__(self) -> None:
        if self.task_seconds is not None and not self.task_seconds > 0:
            raise ValueError(f"task_seconds must be > 0, got {self.task_seconds}")
        if self.memory_bytes is not None and self.memory_bytes <= 0:
            raise ValueError(f"memory_bytes must be > 0, got {self.memory_bytes}")

    def task_deadline(self, now: float) -> float | None:
        """The deadline of a task started at ``now``: the earlier of both limits."""
        own = None if self.task_seconds is None else now + self.task_seconds
        if own is None or self.deadline is None:
            return own if self.deadline is None else self.deadline
        return min(own, self.deadline)


def distinct(candidates: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """The first candidate of each grid, order kept."""
    seen: set[Grid] = set()
    out = []
    for c in candidates:
        if c.grid not in seen:
            seen.add(c.grid)
            out.append(c)
    return tuple(out)


def _finite_or_none(x: float) -> float | None:
    return x if math.isfinite(x) else None
