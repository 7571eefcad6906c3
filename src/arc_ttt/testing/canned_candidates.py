"""A fake ``CandidateSource`` for tests: a table of canned candidates; it records what it was
asked, so a test reads which tasks reached it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from arc_ttt.domain.candidates import Candidate, CandidateBudget, Effort, Proposals, distinct
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Task


@dataclass
class CannedCandidateSource:
    """``table``: task id -> per test input, candidates best first (a bare ``Grid`` becomes a
    candidate of this source, scored by minus its rank). ``exact``: task ids whose first
    candidate per test input comes from an exact-fit program. Records ``asked`` (task ids)."""

    table: Mapping[str, Sequence[Sequence[Candidate | Grid]]]
    name: str = "canned"
    exact: frozenset[str] = frozenset()
    asked: list[str] = field(default_factory=list)

    def propose(self, task: Task, budget: CandidateBudget) -> Proposals:
        self.asked.append(task.id)
        rows = self.table.get(task.id, ())
        tests = []
        for i in range(len(task.test_inputs)):
            row = rows[i] if i < len(rows) else ()
            tests.append(distinct([self._candidate(task.id, r, c) for r, c in enumerate(row)]))
        return Proposals(task.id, self.name, tuple(tests), Effort(0.0, "canned"))

    def propose_many(self, tasks: Sequence[Task], budget: CandidateBudget) -> Iterator[Proposals]:
        for task in tasks:
            yield self.propose(task, budget)

    def _candidate(self, task_id: str, rank: int, c: Candidate | Grid) -> Candidate:
        if isinstance(c, Candidate):
            return c
        exact = 1.0 if rank == 0 and task_id in self.exact else None
        return Candidate(c, self.name, -float(rank), {"rank": rank}, exact_cost=exact)
