"""``CandidateSource`` over test-time training and augmented decoding (``application.solve``'s
``Solver``): one task's distinct decoded grids, already mapped back through each view's
inverse, become candidates with their votes, per-view log-probs and product-of-experts score.

The solver is built on first use, so a run whose tasks all have exact-fit programs never
loads the model (nor torch). The solver's cache keeps each task's candidates (resumable runs).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace

from arc_ttt.application.shared_ttt import SharedTraining
from arc_ttt.application.solve import SolveOptions, Solver, TaskResult
from arc_ttt.domain.candidates import Candidate, CandidateBudget, Effort, Proposals
from arc_ttt.domain.errors import SolveInterruptedError
from arc_ttt.domain.task import Task

NAME = "neural"


def proposals_from(result: TaskResult, options: SolveOptions) -> Proposals:
    """A solved task's candidate summaries as candidates (best first, as the solver ranked)."""
    tests = []
    for per_test in result.candidates:
        row = []
        for rank, c in enumerate(per_test):
            poe = c.poe_score if math.isfinite(c.poe_score) else None
            best = max(c.generation_logprobs, default=float("-inf"))
            provenance = {
                "views": options.views,
                "votes": c.votes,
                "rank": rank,
                "poe_score": poe,
                "view_logprobs": {str(v): lp for v, lp in sorted(c.view_scores.items())},
                "generation_logprobs": list(c.generation_logprobs),
            }
            score = poe if poe is not None else best
            row.append(Candidate(c.grid, NAME, score, provenance, c.votes, None, poe))
        tests.append(tuple(row))
    effort = Effort(
        seconds=result.seconds,
        stopped_because=result.stopped_because,
        from_cache=result.from_cache,
        notes=result.degradations,
        train_seconds=result.train_seconds,
        train_steps=result.train_steps,
        tokens_trained=result.tokens_trained,
        invalid_generations=result.invalid_generations,
    )
    return Proposals(result.task_id, NAME, tuple(tests), effort)


class NeuralCandidateSource:
    """``solver``: a ``Solver`` or a no-argument factory of one (called once, on first use).
    ``options``: its solve options (their own budget is replaced by the one passed in)."""

    name = NAME

    def __init__(
        self,
        solver: Solver | Callable[[], Solver],
        options: SolveOptions,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._solver = solver
        self._built: Solver | None = solver if isinstance(solver, Solver) else None
        self.options = options
        self._clock = clock
        self.shared: SharedTraining | None = None  # shared TTT's one training run, once done

    @property
    def solver(self) -> Solver:
        if self._built is None:
            factory = self._solver
            assert callable(factory)
            self._built = factory()
        return self._built

    def propose(self, task: Task, budget: CandidateBudget) -> Proposals:
        puzzle = task.without_solutions()  # the model never sees a test output
        if self.options.ttt == "shared":
            return next(iter(self.propose_many([puzzle], budget)))
        deadline = budget.task_deadline(self._clock())
        seconds = None if deadline is None else deadline - self._clock()
        result = self.solver.solve_task(puzzle, self.options, seconds=seconds)
        return proposals_from(result, self.options)

    def propose_many(self, tasks: Sequence[Task], budget: CandidateBudget) -> Iterator[Proposals]:
        puzzles = [t.without_solutions() for t in tasks]
        if self.options.ttt != "shared":
            for i, puzzle in enumerate(puzzles):
                share = budget
                if budget.deadline is not None:  # the time left shared out over the tasks left
                    left = (budget.deadline - self._clock()) / (len(puzzles) - i)
                    cap = left if budget.task_seconds is None else min(left, budget.task_seconds)
                    share = replace(budget, task_seconds=max(cap, 1e-6))
                yield self.propose(puzzle, share)
            return
        # Shared TTT trains one model on the whole set: the solver runs the set at once.
        total = None if budget.deadline is None else max(budget.deadline - self._clock(), 1e-6)
        own = replace(self.options.budget, total_seconds=total, task_seconds=budget.task_seconds)
        report = self.solver.solve(puzzles, replace(self.options, budget=own))
        self.shared = report.shared
        for result in report.results:
            yield proposals_from(result, self.options)
        if report.interrupted:
            raise SolveInterruptedError("stop requested during shared test-time training")
