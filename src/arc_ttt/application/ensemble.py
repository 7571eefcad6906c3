"""Use case: solve tasks with several candidate sources and one selection over them.

The sources run in the order given, each over the tasks that still want it: a source named in
``skip_when_exact`` (by default the model) is not asked about a task whose every test input
already has an exact-fit program from an earlier source. So with ``search,neural`` the search
runs first over every task, and test-time training spends the time left only on the tasks the
search did not solve exactly. Each task's candidates are merged by grid and ranked by the one
rule of ``arc_ttt.domain.candidate_ranking``; the two best are the task's attempts, and each
attempt keeps its provenance (sources, programs, views).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from arc_ttt.application.solve_options import SolveOptions
from arc_ttt.application.solve_report import CandidateSummary, SolveReport, TaskResult
from arc_ttt.domain.candidate_ranking import select
from arc_ttt.domain.candidates import CandidateBudget, Proposals
from arc_ttt.domain.errors import SolveInterruptedError
from arc_ttt.domain.task import Task
from arc_ttt.ports.candidate_source import CandidateSource
from arc_ttt.ports.progress import MemoryProbe, Progress
from arc_ttt.ports.resources import PeakTracker

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EnsembleOptions:
    """``skip_when_exact``: sources not asked about a task whose every test input already has
    an exact-fit program (cheap first, expensive only where needed)."""

    skip_when_exact: frozenset[str] = frozenset({"neural"})


class Ensemble:
    """Solves tasks with ``sources`` (``CandidateSource``s, run in this order)."""

    def __init__(
        self,
        sources: Sequence[CandidateSource],
        progress: Progress,
        memory: MemoryProbe,
        *,
        options: EnsembleOptions | None = None,
        clock: Callable[[], float] = time.monotonic,
        stop_requested: Callable[[], bool] | None = None,
        peaks: PeakTracker | None = None,
    ) -> None:
        """``stop_requested``: polled between tasks; when it says yes the run ends with the
        tasks done so far (``SolveReport.interrupted``)."""
        if not sources:
            raise ValueError("an ensemble needs at least one candidate source")
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ValueError(f"candidate sources named twice: {names}")
        self.sources = tuple(sources)
        self._progress = progress
        self._memory = memory
        self._options = options or EnsembleOptions()
        self._clock = clock
        self._stop_requested = stop_requested or (lambda: False)
        self._peaks = peaks

    def solve(self, tasks: Iterable[Task], options: SolveOptions) -> SolveReport:
        """Every source over the tasks that want it, then selection; ``options.budget``
        limits the run (``total_seconds``, ``task_seconds``, ``host_memory_bytes``)."""
        task_list = list(tasks)
        start = self._clock()
        b = options.budget
        budget = CandidateBudget(
            deadline=None if b.total_seconds is None else start + b.total_seconds,
            task_seconds=b.task_seconds,
            memory_bytes=b.host_memory_bytes,
        )
        found: dict[str, list[Proposals]] = {t.id: [] for t in task_list}
        done: dict[str, TaskResult] = {}
        interrupted = False
        self._progress.start(len(task_list), "tasks")
        try:
            for k, source in enumerate(self.sources):
                todo = [t for t in task_list if t.id not in done and self._wants(k, found[t.id])]
                if not todo:
                    continue
                if self._stop_requested():
                    interrupted = True
                    break
                by_id = {t.id: t for t in todo}
                stream = source.propose_many(todo, budget)
                try:
                    for proposals in stream:
                        task = by_id[proposals.task_id]
                        found[task.id].append(proposals)
                        if not any(self._wants(j, found[task.id]) for j in self._later(k)):
                            done[task.id] = self._finish(task, found[task.id])
                        if self._stop_requested():
                            interrupted = True
                            break
                except SolveInterruptedError:
                    interrupted = True
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
                if interrupted:
                    break
            if not interrupted:
                for task in task_list:  # every source has answered (or was not wanted)
                    if task.id not in done:
                        done[task.id] = self._finish(task, found[task.id])
        finally:
            self._progress.finish()
        results = tuple(done[t.id] for t in task_list if t.id in done)
        # A source that trained one model for the whole set (shared TTT) says so in ``shared``.
        shared = [s.shared for s in self.sources if getattr(s, "shared", None) is not None]
        return SolveReport(
            results,
            self._clock() - start,
            options,
            interrupted=interrupted,
            unsolved=tuple(t.id for t in task_list if t.id not in done),
            shared=shared[0] if shared else None,  # type: ignore[attr-defined]
        )

    def _later(self, k: int) -> range:
        return range(k + 1, len(self.sources))

    def _wants(self, k: int, so_far: Sequence[Proposals]) -> bool:
        """Whether source ``k`` is to be asked, given what the earlier sources proposed."""
        if self.sources[k].name not in self._options.skip_when_exact or not so_far:
            return True
        n = len(so_far[0].tests)
        return not all(
            any(c.exact_cost is not None for p in so_far for c in p.tests[i]) for i in range(n)
        )

    def _finish(self, task: Task, proposals: Sequence[Proposals]) -> TaskResult:
        """Select two attempts per test input and record what the sources cost."""
        attempts, summaries, provenance = [], [], []
        for i, test_input in enumerate(task.test_inputs):
            chosen = select([p.tests[i] for p in proposals], fallback=test_input)
            attempts.append(chosen.attempts)
            provenance.append(chosen.provenance)
            summaries.append(
                tuple(
                    CandidateSummary(m.grid, m.votes, m.poe if m.poe is not None else float("-inf"))
                    for m in chosen.ranked[:8]
                )
            )
        # Scored only after selection: no source and no ranking ever saw a test output.
        correct = None
        if task.test_outputs is not None:
            correct = tuple(a.hit(g) for a, g in zip(attempts, task.test_outputs, strict=True))
        efforts = [p.effort for p in proposals]
        model = [p.effort for p in proposals if p.effort.train_steps or p.source == "neural"]
        result = TaskResult(
            task_id=task.id,
            attempts=tuple(attempts),
            seconds=sum(e.seconds for e in efforts),
            train_seconds=sum(e.train_seconds for e in efforts),
            tokens_trained=sum(e.tokens_trained for e in efforts),
            train_steps=sum(e.train_steps for e in efforts),
            stopped_because=(model or efforts)[0].stopped_because if efforts else "no_sources",
            candidates=tuple(summaries),
            invalid_generations=sum(e.invalid_generations for e in efforts),
            peak_memory_bytes=self._memory.peak_bytes(),
            correct=correct,
            from_cache=bool(efforts) and all(e.from_cache for e in efforts),
            degradations=tuple(f"{p.source}: {n}" for p in proposals for n in p.effort.notes),
            peak_gpu_bytes=None if self._peaks is None else self._peaks.reset().gpu_used_bytes,
            provenance=tuple(provenance),
            sources={p.source: p.effort.to_record() for p in proposals},
        )
        self._progress.advance(_summary(result, proposals))
        return result


def _summary(result: TaskResult, proposals: Sequence[Proposals]) -> str:
    verdict = "" if result.score is None else f" score {result.score:.2f}"
    names = "+".join(p.source for p in proposals) or "none"
    first = result.provenance[0][0][0] if result.provenance and result.provenance[0][0] else {}
    why = first.get("program") if first.get("source") == "search" else first.get("source")
    return f"{result.task_id}: {result.seconds:.1f}s, {names}, attempt 1 from {why}{verdict}"
