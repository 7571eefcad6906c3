"""Use case: solve tasks by test-time training, augmented decoding and product-of-experts selection.

Per task: build its leave-one-out TTT set, adapt a fresh adapter on it, decode each test input
under K views, map candidates back, score every distinct candidate under every view, submit the
two best. The base model is loaded once (by the adapter); each task starts from clean weights.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from arc_ttt.domain.augmentation import Augmentation
from arc_ttt.domain.codec import Encoded, decode_grid, encode_prompt, encode_target
from arc_ttt.domain.errors import ArcTTTError, GridDecodeError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import DecodeOptions, ModelRef, TrainOptions, TrainResult
from arc_ttt.domain.scoring import Attempts, Submission
from arc_ttt.domain.selection import CandidatePool, pick_attempts
from arc_ttt.domain.task import Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set
from arc_ttt.domain.views import choose_views
from arc_ttt.ports.model import Generator, Scorer, Trainer
from arc_ttt.ports.progress import MemoryProbe, Progress
from arc_ttt.ports.solve_cache import AdapterExporter, SolveCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SolveOptions:
    ttt: Literal["per-task", "none"] = "per-task"
    train: TrainOptions = field(default_factory=TrainOptions)
    ttt_set: TTTSetOptions = field(default_factory=TTTSetOptions)
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    views: int = 4
    product_of_experts: bool = True
    seed: int = 0


@dataclass(frozen=True)
class CandidateSummary:
    grid: Grid
    votes: int
    poe_score: float


@dataclass(frozen=True)
class TaskResult:
    """What solving one task produced and cost."""

    task_id: str
    attempts: tuple[Attempts, ...]
    seconds: float
    train_seconds: float = 0.0
    tokens_trained: int = 0
    train_steps: int = 0
    stopped_because: str = "no_training"
    candidates: tuple[tuple[CandidateSummary, ...], ...] = ()  # per test input, best first
    invalid_generations: int = 0
    peak_memory_bytes: int = 0
    correct: tuple[bool, ...] | None = None  # per test input, when the solution is known
    from_cache: bool = False  # candidates came from the solve cache (no training, no decoding)

    @property
    def score(self) -> float | None:
        return None if self.correct is None else sum(self.correct) / len(self.correct)


@dataclass(frozen=True)
class SolveReport:
    results: tuple[TaskResult, ...]
    seconds: float
    options: SolveOptions = field(repr=False, default_factory=SolveOptions)

    @property
    def submission(self) -> Submission:
        return Submission({r.task_id: r.attempts for r in self.results})

    @property
    def score(self) -> float | None:
        """Official score (mean task score) when every task's solution is known."""
        scores = [r.score for r in self.results]
        if not scores or any(s is None for s in scores):
            return None
        return sum(s for s in scores if s is not None) / len(scores)


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
    ) -> None:
        """``cache``: keep each task's candidates (and, with ``exporter``, its adapted model)
        under a key of the task and configuration, and reuse cached candidates instead of
        training and decoding again: a killed run resumes, and a change of selection only
        (``product_of_experts``) re-ranks without decoding."""
        self._trainer = trainer
        self._generator = generator
        self._scorer = scorer
        self._progress = progress
        self._memory = memory
        self._clock = clock
        self._cache = cache
        self._exporter = exporter

    def solve(self, tasks: Iterable[Task], options: SolveOptions) -> SolveReport:
        """Solve every task; the report holds per-task results and the submission."""
        task_list = list(tasks)
        start = self._clock()
        results = []
        self._progress.start(len(task_list), "tasks")
        try:
            for task in task_list:
                result = self.solve_task(task, options)
                results.append(result)
                self._progress.advance(_summary(result))
        finally:
            self._progress.finish()
        return SolveReport(tuple(results), self._clock() - start, options)

    def solve_task(self, task: Task, options: SolveOptions) -> TaskResult:
        """Adapt (unless ``ttt == "none"``), decode every test input, pick two attempts each;
        or, when the cache holds this task's candidates under this configuration, only pick."""
        start = self._clock()
        puzzle = task.without_solutions()  # the test outputs never reach the model
        base = self._trainer.base()
        key = cache_key(task, base, options)
        record = self._cached(key, len(puzzle.test_inputs))
        if record is None:
            record = self._decode_task(puzzle, base, key, options, start)
        attempts, summaries = [], []
        for index, pool in enumerate(record.pools):
            ranked = pool.ranked(options.product_of_experts)
            attempts.append(pick_attempts(ranked, fallbacks=[puzzle.test_inputs[index]]))
            summaries.append(
                tuple(CandidateSummary(c.grid, c.votes, c.poe_score) for c in ranked[:8])
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
            stopped_because=train.stopped_because if train else "no_training",
            candidates=tuple(summaries),
            invalid_generations=record.invalid,
            peak_memory_bytes=self._memory.peak_bytes(),
            correct=correct,
            from_cache=record.from_cache,
        )

    def _decode_task(
        self, puzzle: Task, base: ModelRef, key: str, options: SolveOptions, start: float
    ) -> _TaskCandidates:
        model, train = base, None
        if options.ttt == "per-task":
            sequences = build_ttt_set(puzzle, options.ttt_set, options.seed)
            train = self._trainer.adapt(base, f"task-{puzzle.id}", sequences, options.train)
            model = train.model
        try:
            if self._cache is not None and self._exporter is not None and train is not None:
                files = self._exporter.adapter_files(model)
                self._cache.keep_adapter(key, files, {"task_id": puzzle.id, "steps": train.steps})
            pools, invalid = [], 0
            for index in range(len(puzzle.test_inputs)):
                pool, bad = self._candidates(model, puzzle, index, options)
                pools.append(pool)
                invalid += bad
        finally:
            if model != base:
                self._trainer.release(model)
        record = _TaskCandidates(tuple(pools), invalid, train, self._clock() - start)
        if self._cache is not None:
            self._cache.keep_candidates(key, record.to_record(puzzle.id))
        return record

    def _cached(self, key: str, n_tests: int) -> _TaskCandidates | None:
        if self._cache is None:
            return None
        found = self._cache.candidates(key)
        if found is None:
            return None
        try:
            record = _TaskCandidates.from_record(found)
        except (KeyError, TypeError, ValueError, ArcTTTError) as e:
            log.warning("cached candidates %s are unreadable (%s); decoding again", key, e)
            return None
        return record if len(record.pools) == n_tests else None

    def _candidates(
        self, model: ModelRef, puzzle: Task, index: int, options: SolveOptions
    ) -> tuple[CandidatePool, int]:
        views = choose_views(puzzle, options.views, options.seed)
        seen = [view.apply_task(puzzle) for view in views]
        prompts = [encode_prompt(v.train, v.test_inputs[index]) for v in seen]
        generated = self._generator.generate(model, prompts, options.decode)
        pool, invalid = CandidatePool(), 0
        for view, candidates in zip(views, generated, strict=True):
            for cand in candidates:
                try:
                    grid = view.invert_grid(decode_grid(cand.tokens))
                except GridDecodeError:
                    invalid += 1  # an invalid grid is dropped, never submitted
                    continue
                pool.add(grid, cand.logprob)
        # Cached pools always carry the cross-view scores, so selection can change later.
        wanted = options.product_of_experts or self._cache is not None
        if wanted and len(pool) > 0:
            self._score_across_views(model, pool, views, prompts, len(puzzle.train))
        return pool, invalid

    def _score_across_views(
        self,
        model: ModelRef,
        pool: CandidatePool,
        views: Sequence[Augmentation],
        prompts: Sequence[Encoded],
        n_train: int,
    ) -> None:
        pairs = [(g, v) for g in pool.grids() for v in range(len(views))]
        targets = [encode_target(views[v].apply_grid(g), 2 * n_train + 1) for g, v in pairs]
        scores = self._scorer.score(model, [prompts[v] for _, v in pairs], targets)
        for (grid, v), logprob in zip(pairs, scores, strict=True):
            pool.set_view_score(grid, v, logprob)


CACHE_FORMAT = 1


def cache_key(task: Task, base: ModelRef, options: SolveOptions) -> str:
    """``<task id>/<digest>``: the digest covers the task's content, the base model and every
    option that changes the candidates (all but ``product_of_experts``, which only re-ranks)."""
    config = {
        "format": CACHE_FORMAT,
        "task": task.without_solutions().content_hash,
        "base": [base.base, base.adapter],
        "ttt": options.ttt,
        "train": asdict(options.train),
        "ttt_set": asdict(options.ttt_set),
        "decode": asdict(options.decode),
        "views": options.views,
        "seed": options.seed,
    }
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    return f"{task.id}/{digest[:20]}"


@dataclass(frozen=True)
class _TaskCandidates:
    """What training and decoding produced for one task: what the cache keeps."""

    pools: tuple[CandidatePool, ...]
    invalid: int
    train: TrainResult | None
    seconds: float
    from_cache: bool = False

    def to_record(self, task_id: str) -> dict[str, Any]:
        t = self.train
        return {
            "format": CACHE_FORMAT,
            "task_id": task_id,
            "tests": [p.to_record() for p in self.pools],
            "invalid": self.invalid,
            "seconds": self.seconds,
            "train": None
            if t is None
            else {
                "steps": t.steps,
                "tokens": t.tokens,
                "seconds": t.seconds,
                "losses": list(t.losses),
                "stopped_because": t.stopped_because,
            },
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> _TaskCandidates:
        if record["format"] != CACHE_FORMAT:
            raise ValueError(f"cache format {record['format']}, expected {CACHE_FORMAT}")
        t = record["train"]
        train = None
        if t is not None:
            train = TrainResult(
                ModelRef("cached"),
                int(t["steps"]),
                int(t["tokens"]),
                float(t["seconds"]),
                tuple(float(x) for x in t["losses"]),
                str(t["stopped_because"]),
            )
        pools = tuple(CandidatePool.from_record(p) for p in record["tests"])
        return cls(pools, int(record["invalid"]), train, float(record["seconds"]), True)


def _summary(result: TaskResult) -> str:
    verdict = "" if result.score is None else f" score {result.score:.2f}"
    return (
        f"{result.task_id}: {result.seconds:.1f}s, {result.train_steps} steps, "
        f"{result.tokens_trained} tokens{verdict}"
    )
