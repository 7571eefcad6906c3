"""Use case: solve tasks by test-time training, augmented decoding and product-of-experts selection.

Per task: build its leave-one-out TTT set, adapt a fresh adapter on it, decode each test input
under K views, map candidates back, score every distinct candidate under every view, submit the
two best. The base model is loaded once (by the adapter); each task starts from clean weights.
``ttt="shared"`` instead trains one model on the TTT sets of all tasks first (``shared_ttt``),
then decodes every task with it.

The ``Solver`` runs the budget (each task's share of the time) and the cache; its collaborators
do the rest: ``ttt_step.TTTStep`` (one training run, polled for stops and memory),
``decode_step.DecodeStep`` (views, generation, mapping back, product-of-experts scoring),
``oom_policy`` (what each retries smaller), ``cached_candidates`` (what the cache keeps, and its
key), ``shared_ttt`` (the one model of shared TTT), ``domain.selection`` (the two attempts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence

from arc_ttt.application.cached_candidates import TaskCandidates, cache_key
from arc_ttt.application.decode_step import DecodeStep
from arc_ttt.application.shared_ttt import (
    SHARED_NAME,
    SharedModel,
    SharedTraining,
    shared_key,
    shared_sequences,
)
from arc_ttt.application.solve_options import Budget, SolveOptions
from arc_ttt.application.solve_report import CandidateSummary, SolveReport, TaskResult
from arc_ttt.application.ttt_step import TTTStep
from arc_ttt.domain.errors import (
    ArcTTTError,
    SolveInterruptedError,
)
from arc_ttt.domain.model_io import (
    ModelRef,
    TrainResult,
)
from arc_ttt.domain.selection import CandidatePool, pick_attempts
from arc_ttt.domain.task import Task
from arc_ttt.domain.ttt_dataset import build_ttt_set
from arc_ttt.ports.model import Generator, Scorer, Trainer
from arc_ttt.ports.progress import MemoryProbe, Progress
from arc_ttt.ports.resources import PeakTracker
from arc_ttt.ports.solve_cache import AdapterExporter, AdapterImporter, SolveCache

# The solve's option and result types live in their own modules; importing them from here works.
__all__ = [
    "Budget",
    "CandidateSummary",
    "SolveOptions",
    "SolveReport",
    "Solver",
    "TaskResult",
    "cache_key",
]

log = logging.getLogger(__name__)


class Solver:
    """Solves tasks with a model adapter serving the Trainer, Generator and Scorer ports."""

    def __init__(
        self,
        trainer: Trainer,
        generator: Generator,
        scorer: Scorer,
        progress: Progress,
        memory: MemoryProbe,
        *,
        clock: Callable[[], float] = time.monotonic,
        cache: SolveCache | None = None,
        exporter: AdapterExporter | None = None,
        stop_requested: Callable[[], bool] | None = None,
        peaks: PeakTracker | None = None,
        importer: AdapterImporter | None = None,
    ) -> None:
        """``cache``: keep each task's candidates (and, with ``exporter``, its adapted model)
        under a key of the task and configuration, and reuse cached candidates instead of
        training and decoding again: a killed run resumes, and a change of selection only
        (``product_of_experts``) re-ranks without decoding. ``stop_requested``: polled between
        tasks and after every training step; when it says yes the run ends after the current
        step with the tasks done so far (``SolveReport.interrupted``). ``importer``: with
        ``cache`` and ``exporter``, loads a cached shared model back, so a resumed shared-TTT
        run does not train again."""
        self._trainer = trainer
        self._generator = generator
        self._scorer = scorer
        self._progress = progress
        self._memory = memory
        self._clock = clock
        self._cache = cache
        self._exporter = exporter
        self._stop_requested = stop_requested or (lambda: False)
        self._peaks = peaks
        self._importer = importer
        self._ttt = TTTStep(trainer, memory, self._stop_requested)
        self._decode = DecodeStep(generator, scorer, clock, always_score=cache is not None)

    def solve(self, tasks: Iterable[Task], options: SolveOptions) -> SolveReport:
        """Solve every task; the report holds per-task results and the submission."""
        task_list = list(tasks)
        start = self._clock()
        budget = options.budget
        deadline = None if budget.total_seconds is None else start + budget.total_seconds
        results: list[TaskResult] = []
        interrupted = False
        shared: SharedModel | None = None
        self._progress.start(len(task_list), "tasks")
        try:
            if options.ttt == "shared":
                try:
                    shared = self._shared_model(task_list, options, deadline)
                except SolveInterruptedError:
                    interrupted = True
            for i, task in enumerate(task_list):
                if interrupted or self._stop_requested():
                    interrupted = True
                    break
                share = budget.task_seconds
                if deadline is not None:
                    left = (deadline - self._clock()) / (len(task_list) - i)
                    share = left if share is None else min(share, left)
                try:
                    result = self.solve_task(task, options, seconds=share, shared=shared)
                except SolveInterruptedError:
                    interrupted = True
                    break
                results.append(result)
                self._progress.advance(_summary(result))
        finally:
            self._progress.finish()
            if shared is not None and shared.model is not None and shared.model.adapter:
                self._trainer.release(shared.model)
        done = {r.task_id for r in results}
        return SolveReport(
            tuple(results),
            self._clock() - start,
            options,
            interrupted=interrupted,
            unsolved=tuple(t.id for t in task_list if t.id not in done),
            shared=None if shared is None else shared.training,
        )

    def solve_task(
        self,
        task: Task,
        options: SolveOptions,
        *,
        seconds: float | None = None,
        shared: SharedModel | None = None,
    ) -> TaskResult:
        """Adapt (``ttt == "per-task"``), decode every test input, pick two attempts each;
        or, when the cache holds this task's candidates under this configuration, only pick.
        ``seconds``: this task's share of the time budget (None: no limit; <= 0: fallback
        attempts without any model call). ``shared``: the model of ``ttt == "shared"``, which
        ``solve`` trains on the whole task set (required in that mode, else ``ValueError``).
        Raises ``SolveInterruptedError`` on a stop request."""
        if options.ttt == "shared" and shared is None:
            raise ValueError("ttt='shared' trains once on a whole task set: call solve()")
        start = self._clock()
        if self._peaks is not None:
            self._peaks.reset()
        puzzle = task.without_solutions()  # the test outputs never reach the model
        base = self._trainer.base()
        key = cache_key(task, base, options, shared=None if shared is None else shared.training.key)
        record = self._cached(key, len(puzzle.test_inputs))
        if record is None and seconds is not None and seconds <= 0:
            record = TaskCandidates(
                tuple(CandidatePool() for _ in puzzle.test_inputs),
                0,
                None,
                0.0,
                degradations=("time budget used up: fallback attempts, no training or decoding",),
            )
        elif record is None:
            deadline = None if seconds is None else start + seconds
            record = self._decode_task(
                puzzle, base, key, options, start=start, deadline=deadline, shared=shared
            )
        attempts, summaries = [], []
        for index, pool in enumerate(record.pools):
            ranked = pool.ranked(options.product_of_experts)
            attempts.append(pick_attempts(ranked, fallbacks=[puzzle.test_inputs[index]]))
            summaries.append(
                tuple(
                    CandidateSummary(
                        c.grid,
                        c.votes,
                        c.poe_score,
                        dict(c.view_scores),
                        tuple(c.generation_logprobs),
                    )
                    for c in ranked[:8]
                )
            )
        correct = None
        if task.test_outputs is not None:
            correct = tuple(a.hit(g) for a, g in zip(attempts, task.test_outputs, strict=True))
        train = record.train
        return TaskResult(
            task_id=task.id,
            attempts=tuple(attempts),
            seconds=record.seconds if record.from_cache else self._clock() - start,
            train_seconds=train.seconds if train else 0.0,
            tokens_trained=train.tokens if train else 0,
            train_steps=train.steps if train else 0,
            stopped_because=train.stopped_because
            if train
            else ("shared" if shared is not None else "no_training"),
            candidates=tuple(summaries),
            invalid_generations=record.invalid,
            peak_memory_bytes=self._memory.peak_bytes(),
            correct=correct,
            from_cache=record.from_cache,
            degradations=record.degradations,
            peak_gpu_bytes=None if self._peaks is None else self._peaks.reset().gpu_used_bytes,
        )

    def _decode_task(
        self,
        puzzle: Task,
        base: ModelRef,
        key: str,
        options: SolveOptions,
        *,
        start: float,
        deadline: float | None,
        shared: SharedModel | None = None,
    ) -> TaskCandidates:
        notes: list[str] = []
        train = None
        model = base
        if options.ttt == "per-task":
            train = self._adapt(puzzle, base, options, start=start, deadline=deadline, notes=notes)
            model = base if train is None else train.model
        elif shared is not None and shared.model is not None:
            model = shared.model
        elif shared is not None:  # the cache lost this task's record after the set was checked
            notes.append("shared model not loaded (candidates were cached); base model decodes")
        try:
            if self._cache is not None and self._exporter is not None and train is not None:
                files = self._exporter.adapter_files(model)
                self._cache.keep_adapter(key, files, {"task_id": puzzle.id, "steps": train.steps})
            pools, invalid = [], 0
            for index in range(len(puzzle.test_inputs)):
                pool, bad = self._decode.decode_input(
                    model, puzzle, index, options, deadline=deadline, notes=notes
                )
                pools.append(pool)
                invalid += bad
        finally:
            if train is not None:
                self._trainer.release(model)
        record = TaskCandidates(
            tuple(pools), invalid, train, self._clock() - start, degradations=tuple(notes)
        )
        if self._cache is not None:
            self._cache.keep_candidates(key, record.to_record(puzzle.id))
        return record

    def _adapt(
        self,
        puzzle: Task,
        base: ModelRef,
        options: SolveOptions,
        *,
        start: float,
        deadline: float | None,
        notes: list[str],
    ) -> TrainResult | None:
        """Test-time training within the task's time share; see ``_train``."""
        cap = None if deadline is None else (deadline - start) * options.budget.train_share
        sequences = build_ttt_set(puzzle, options.ttt_set, options.seed)
        return self._ttt.train(base, f"task-{puzzle.id}", sequences, options, cap=cap, notes=notes)

    def _shared_model(
        self, tasks: Sequence[Task], options: SolveOptions, deadline: float | None
    ) -> SharedModel:
        """The one model of shared TTT: trained on every task's TTT set within ``train_share``
        of the time left, or loaded back from the cache of an earlier part of the run; none
        when every task's candidates are cached already."""
        base = self._trainer.base()
        key = shared_key(tasks, base, options.train, options.ttt_set, options.seed)
        recorded = self._cached_shared(key)
        pending = [
            t
            for t in tasks
            if self._cached(cache_key(t, base, options, shared=key), len(t.test_inputs)) is None
        ]
        if not pending:
            return SharedModel(
                None, recorded or SharedTraining(key, len(tasks), 0, from_cache=True)
            )
        if recorded is not None and recorded.trained:
            loaded = self._load_shared(base, key)
            if loaded is not None:
                return SharedModel(loaded, recorded)
        sequences = shared_sequences(tasks, options.ttt_set, options.seed)
        notes: list[str] = []
        cap = None
        if deadline is not None:
            left = deadline - self._clock()
            if left <= 0:
                notes.append("time budget used up: no shared training")
                return SharedModel(
                    base, SharedTraining.of(key, len(tasks), len(sequences), None, notes)
                )
            cap = left * options.budget.train_share
        log.info("shared TTT: %d sequences from %d tasks", len(sequences), len(tasks))
        train = self._ttt.train(base, SHARED_NAME, sequences, options, cap=cap, notes=notes)
        training = SharedTraining.of(key, len(tasks), len(sequences), train, notes)
        model = base if train is None else train.model
        if self._cache is not None:
            if self._exporter is not None and train is not None:
                files = self._exporter.adapter_files(model)
                self._cache.keep_adapter(key, files, {"tasks": len(tasks), "steps": train.steps})
            self._cache.keep_candidates(key, training.to_record())
        return SharedModel(model, training)

    def _cached_shared(self, key: str) -> SharedTraining | None:
        found = None if self._cache is None else self._cache.candidates(key)
        if found is None:
            return None
        try:
            return SharedTraining.from_record(found)
        except (KeyError, TypeError, ValueError) as e:
            log.warning("cached shared training %s is unreadable (%s); training again", key, e)
            return None

    def _load_shared(self, base: ModelRef, key: str) -> ModelRef | None:
        if self._cache is None or self._importer is None:
            return None
        files = self._cache.adapter(key)
        if files is None:
            return None
        try:
            return self._importer.load_adapter(base, SHARED_NAME, files)
        except ArcTTTError as e:
            log.warning("cached shared model %s does not load (%s); training again", key, e)
            return None

    def _cached(self, key: str, n_tests: int) -> TaskCandidates | None:
        if self._cache is None:
            return None
        found = self._cache.candidates(key)
        if found is None:
            return None
        try:
            record = TaskCandidates.from_record(found)
        except (KeyError, TypeError, ValueError, ArcTTTError) as e:
            log.warning("cached candidates %s are unreadable (%s); decoding again", key, e)
            return None
        return record if len(record.pools) == n_tests else None


def _summary(result: TaskResult) -> str:
    verdict = "" if result.score is None else f" score {result.score:.2f}"
    return (
        f"{result.task_id}: {result.seconds:.1f}s, {result.train_steps} steps, "
        f"{result.tokens_trained} tokens{verdict}"
    )
