"""Where candidate answers come from: program search, a test-time-trained model, a file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from arc_ttt.domain.candidates import CandidateBudget, Proposals
from arc_ttt.domain.task import Task


@runtime_checkable
class CandidateSource(Protocol):
    """Proposes grids for a task's test inputs.

    ``propose`` returns one ``Proposals`` for ``task``: for each test input, in order, a tuple
    of ``Candidate``s with distinct grids, best first (possibly empty), each naming this
    source (``name``) and carrying JSON-ready provenance. It returns by ``budget.deadline``
    (a time on the source's monotonic clock) with what it has, and never reads the task's
    test outputs. ``propose_many`` does the same for several tasks, yielding in their order
    (a source may work on several at once); ``budget.task_seconds`` then limits each one.

    Raises ``ArcTTTError`` subclasses only (``SolveInterruptedError`` on a stop request).
    """

    @property
    def name(self) -> str: ...

    def propose(self, task: Task, budget: CandidateBudget) -> Proposals: ...

    def propose_many(
        self, tasks: Sequence[Task], budget: CandidateBudget
    ) -> Iterator[Proposals]: ...
