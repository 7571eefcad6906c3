"""``CandidateSource`` over the program search (``arc_ttt.domain.search``).

One task is searched in this process; several are searched in a pool of worker processes
(``workers``, 2 by default: both cores of a small machine), yielded in the tasks' order. The
search is deterministic, so the pool changes only how long a run takes, not its answers
(unless a deadline cuts a search short). With a ``SolveCache``, each task's proposals are kept
and a resumed run reads them back instead of searching again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, replace
from typing import Any

from arc_ttt.domain.candidates import Candidate, CandidateBudget, Effort, Proposals
from arc_ttt.domain.search import SearchOptions, SearchResult, search
from arc_ttt.domain.task import Task
from arc_ttt.ports.solve_cache import SolveCache

log = logging.getLogger(__name__)
NAME = "search"
CACHE_FORMAT = 1


def proposals_from(task: Task, result: SearchResult) -> Proposals:
    """The search's findings as candidates: per test input, distinct grids best first, each
    with the best program that gave it (and up to 3 others that gave it too)."""
    tests = []
    for i in range(len(task.test_inputs)):
        row = []
        for grid, finding in result.candidates(i):
            others = [
                f.program.text for f in result.findings if f is not finding and f.outputs[i] == grid
            ][:3]
            # pieces reproduce every demonstration too (several programs stacked)
            exact = finding.program.cost if finding.kind in ("exact", "pieces") else None
            provenance = {**finding.describe(), "also": others}
            row.append(Candidate(grid, NAME, float(finding.agreement), provenance, 1, exact))
        tests.append(tuple(row))
    notes = tuple(result.notes)
    effort = Effort(result.seconds, result.stopped_because, notes=notes)
    return Proposals(task.id, NAME, tuple(tests), effort)


def _search_one(
    task: Task,
    options: SearchOptions,
    budget: CandidateBudget,
    clock: Callable[[], float] = time.monotonic,
) -> Proposals:
    """One task's proposals; runs in a worker process or in this one."""
    deadline = budget.task_deadline(clock())
    try:
        result = search(task, options, deadline=deadline, clock=clock)
    except Exception as e:  # one task's failure must not end the run
        log.exception("search failed on task %s", task.id)
        effort = Effort(0.0, "error", notes=(f"search failed: {type(e).__name__}: {e}",))
        return Proposals(task.id, NAME, ((),) * len(task.test_inputs), effort)
    return proposals_from(task, result)


class SearchCandidateSource:
    """Program search as a candidate source. ``options``: the search's depth, seconds per task
    and memory cap (split over the workers). ``workers``: processes for ``propose_many``."""

    name = NAME

    def __init__(
        self,
        options: SearchOptions | None = None,
        *,
        workers: int = 2,
        cache: SolveCache | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.options = options or SearchOptions()
        self.workers = workers
        self._cache = cache
        self._clock = clock

    def propose(self, task: Task, budget: CandidateBudget) -> Proposals:
        puzzle = task.without_solutions()  # the search never sees a test output
        cached = self._cached(puzzle)
        if cached is not None:
            return cached
        found = _search_one(puzzle, self._options(budget, 1), budget, self._clock)
        self._keep(puzzle, found)
        return found

    def propose_many(self, tasks: Sequence[Task], budget: CandidateBudget) -> Iterator[Proposals]:
        puzzles = [t.without_solutions() for t in tasks]
        cached = [self._cached(p) for p in puzzles]
        todo = [p for p, c in zip(puzzles, cached, strict=True) if c is None]
        if self.workers == 1 or len(todo) <= 1 or self._clock is not time.monotonic:
            # One process (or a test's own clock, which other processes cannot share).
            for puzzle, found in zip(puzzles, cached, strict=True):
                yield found if found is not None else self.propose(puzzle, budget)
            return
        options = self._options(budget, self.workers)
        # spawn: the parent may hold torch threads, which a forked child would inherit broken.
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(min(self.workers, len(todo)), mp_context=context)
        try:
            futures: dict[str, Future[Proposals]] = {
                p.id: pool.submit(_search_one, p, options, budget) for p in todo
            }
            for puzzle, hit in zip(puzzles, cached, strict=True):
                if hit is not None:
                    yield hit
                    continue
                found = futures[puzzle.id].result()
                self._keep(puzzle, found)
                yield found
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _options(self, budget: CandidateBudget, workers: int) -> SearchOptions:
        memory = self.options.memory_bytes
        if budget.memory_bytes is not None:
            memory = min(memory, budget.memory_bytes)
        return replace(self.options, memory_bytes=max(1, memory // workers))

    def cache_key(self, task: Task) -> str:
        """``<task id>/search-<digest>``: the task's content and every option but time."""
        config = {
            "format": CACHE_FORMAT,
            "task": task.without_solutions().content_hash(),
            "options": {k: v for k, v in asdict(self.options).items() if k != "seconds"},
        }
        digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
        return f"{task.id}/search-{digest[:20]}"

    def _cached(self, task: Task) -> Proposals | None:
        if self._cache is None:
            return None
        record = self._cache.candidates(self.cache_key(task))
        if record is None:
            return None
        try:
            return _from_record(task, record)
        except (KeyError, TypeError, ValueError) as e:
            log.warning("cached search of %s is unreadable (%s); searching again", task.id, e)
            return None

    def _keep(self, task: Task, found: Proposals) -> None:
        if self._cache is not None and found.effort.stopped_because != "error":
            self._cache.keep_candidates(self.cache_key(task), _to_record(found))


def _to_record(found: Proposals) -> dict[str, Any]:
    return {
        "format": CACHE_FORMAT,
        "task_id": found.task_id,
        "tests": [[c.to_record() for c in row] for row in found.tests],
        "effort": found.effort.to_record(),
    }


def _from_record(task: Task, record: Mapping[str, Any]) -> Proposals:
    if record["format"] != CACHE_FORMAT:
        raise ValueError(f"format {record['format']}, expected {CACHE_FORMAT}")
    tests = tuple(tuple(Candidate.from_record(c) for c in row) for row in record["tests"])
    if len(tests) != len(task.test_inputs):
        raise ValueError(f"{len(tests)} test inputs cached, the task has {len(task.test_inputs)}")
    e = record["effort"]
    effort = Effort(float(e["seconds"]), str(e["stopped_because"]), True, tuple(e["notes"]))
    return Proposals(task.id, NAME, tests, effort)
