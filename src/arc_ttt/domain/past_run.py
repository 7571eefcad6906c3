"""A finished solve run read back: its settings, totals and per-task results, checked on the way in.

The run folder's files (``settings.json``, ``metrics.json``, ``results.jsonl``, ``environment.json``,
as ``run_record`` writes them) arrive here as text; anything malformed raises
``DamagedRunFileError`` naming the file, the line and the field. No file I/O here.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from arc_ttt.domain.errors import ArcTTTError, InvalidGridError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.quantile import nearest_rank

SETTINGS = "settings.json"
METRICS = "metrics.json"
RESULTS = "results.jsonl"
ENVIRONMENT = "environment.json"


class NotARunFolderError(ArcTTTError):
    """A path that is not a finished run folder (missing, a file, no settings or results)."""


class DamagedRunFileError(ArcTTTError, ValueError):
    """A run file that is not what ``arc-ttt solve`` writes. Names the file, line and problem."""

    def __init__(self, file: str, reason: str, *, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}: line {line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class PastTask:
    """One line of ``results.jsonl``: a task's two attempts per test input and what it cost."""

    task_id: str
    attempts: tuple[tuple[Grid, Grid], ...]  # per test input: (attempt_1, attempt_2)
    correct: tuple[bool, ...] | None  # per test input, when the solution was known
    seconds: float
    train_seconds: float = 0.0
    train_steps: int = 0
    tokens_trained: int = 0
    stopped_because: str = ""
    from_cache: bool = False
    degradations: tuple[str, ...] = ()
    invalid_generations: int = 0
    peak_memory_bytes: int = 0
    peak_gpu_bytes: int | None = None
    # Per test input, (attempt_1, attempt_2): the proposers behind each grid (source, program
    # or views); empty for runs written before sources were recorded.
    provenance: tuple[tuple[tuple[Mapping[str, Any], ...], ...], ...] = ()

    @property
    def score(self) -> float | None:
        """Official task score: the share of test inputs one of the two attempts got right."""
        return None if self.correct is None else sum(self.correct) / len(self.correct)


@dataclass(frozen=True)
class PastRun:
    """A run folder's content. ``planned`` is every task the run set out to solve."""

    folder: str
    settings: Mapping[str, Any]
    metrics: Mapping[str, Any]
    tasks: tuple[PastTask, ...]
    environment: Mapping[str, Any] = field(default_factory=dict)

    @property
    def dataset(self) -> str:
        return str(self.settings["dataset"])

    @property
    def solutions(self) -> str | None:
        value = self.settings.get("solutions")
        return None if value is None else str(value)

    @property
    def planned(self) -> tuple[str, ...]:
        """Task ids the run was asked to solve, then any result not among them."""
        ids = list(self.settings.get("tasks") or ())
        seen = set(ids)
        return tuple(ids + [t.task_id for t in self.tasks if t.task_id not in seen])

    @property
    def missing(self) -> tuple[str, ...]:
        """Planned tasks without a result (an interrupted run)."""
        done = {t.task_id for t in self.tasks}
        return tuple(t for t in self.planned if t not in done)

    @property
    def score(self) -> float | None:
        """Mean task score over the results; ``None`` when any task's solution was unknown."""
        scores = [t.score for t in self.tasks]
        if not scores or any(s is None for s in scores):
            return None
        return sum(s for s in scores if s is not None) / len(scores)

    @property
    def solved(self) -> int:
        return sum(1 for t in self.tasks if t.score == 1.0)

    @property
    def seconds(self) -> float:
        """The run's wall-clock seconds (``metrics.json``), else the sum over tasks."""
        value = self.metrics.get("seconds")
        return float(value) if value is not None else sum(t.seconds for t in self.tasks)

    @property
    def median_task_seconds(self) -> float | None:
        return statistics.median(t.seconds for t in self.tasks) if self.tasks else None

    @property
    def p90_task_seconds(self) -> float | None:
        """Seconds per task at the 90th percentile (nearest rank, as ``metrics.json``)."""
        return nearest_rank([t.seconds for t in self.tasks], 0.9)


def parse_run(
    folder: str,
    *,
    settings_text: str,
    metrics_text: str,
    results_text: str,
    environment_text: str | None = None,
) -> PastRun:
    """Build a ``PastRun`` from the texts of a run folder's files.

    Raises ``DamagedRunFileError`` (file, line, problem) for invalid JSON, a missing or mistyped
    field, a grid that breaks the ARC rules, or a task id given twice.
    """
    settings = _json_object(settings_text, SETTINGS)
    if not isinstance(settings.get("dataset"), str) or not settings["dataset"]:
        raise DamagedRunFileError(SETTINGS, "'dataset' must be a non-empty string")
    planned = settings.get("tasks")
    if planned is not None and not _is_list_of(planned, str):
        raise DamagedRunFileError(SETTINGS, "'tasks' must be a list of task ids")
    metrics = _json_object(metrics_text, METRICS)
    for key in ("seconds", "score", "peak_memory_bytes"):
        value = metrics.get(key)
        if value is not None and not _is_number(value):
            raise DamagedRunFileError(METRICS, f"{key!r} must be a number, got {value!r}")
    environment = {} if environment_text is None else _json_object(environment_text, ENVIRONMENT)
    tasks = parse_results(results_text)
    return PastRun(folder, settings, metrics, tasks, environment)


def parse_results(text: str) -> tuple[PastTask, ...]:
    """The tasks of ``results.jsonl`` (blank lines skipped); raises ``DamagedRunFileError``."""
    tasks: list[PastTask] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise DamagedRunFileError(
                RESULTS, f"invalid JSON at column {e.colno}: {e.msg}", line=number
            ) from e
        task = _past_task(obj, number)
        if task.task_id in seen:
            raise DamagedRunFileError(
                RESULTS, f"task {task.task_id!r} is recorded twice", line=number
            )
        seen.add(task.task_id)
        tasks.append(task)
    return tuple(tasks)


def _past_task(obj: Any, line: int) -> PastTask:
    def fail(reason: str) -> DamagedRunFileError:
        return DamagedRunFileError(RESULTS, reason, line=line)

    if not isinstance(obj, dict):
        raise fail(f"a result is a JSON object, got {type(obj).__name__}")
    task_id = obj.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise fail("'task_id' must be a non-empty string")
    attempts_obj = obj.get("attempts")
    if not isinstance(attempts_obj, list) or not attempts_obj:
        raise fail(f"task {task_id!r}: 'attempts' must be a non-empty list")
    attempts = []
    for i, pair in enumerate(attempts_obj):
        if not isinstance(pair, dict):
            raise fail(f"task {task_id!r}: attempts[{i}] must be an object")
        try:
            attempts.append((Grid(pair["attempt_1"]), Grid(pair["attempt_2"])))
        except KeyError as e:
            raise fail(f"task {task_id!r}: attempts[{i}] has no {e.args[0]!r}") from e
        except (InvalidGridError, TypeError) as e:
            raise fail(f"task {task_id!r}: attempts[{i}]: {e}") from e
    correct = obj.get("correct")
    if correct is not None and not (_is_list_of(correct, bool) and len(correct) == len(attempts)):
        raise fail(f"task {task_id!r}: 'correct' must be null or one boolean per test input")
    numbers = {}
    for key in (
        "seconds",
        "train_seconds",
        "train_steps",
        "tokens_trained",
        "invalid_generations",
        "peak_memory_bytes",
    ):
        value = obj.get(key) or 0
        if not _is_number(value):
            raise fail(f"task {task_id!r}: {key!r} must be a number, got {value!r}")
        numbers[key] = value
    degradations = obj.get("degradations") or []
    if not _is_list_of(degradations, str):
        raise fail(f"task {task_id!r}: 'degradations' must be a list of strings")
    gpu = obj.get("peak_gpu_bytes")
    if gpu is not None and not _is_number(gpu):
        raise fail(f"task {task_id!r}: 'peak_gpu_bytes' must be a number or null, got {gpu!r}")
    return PastTask(
        task_id=task_id,
        attempts=tuple(attempts),
        correct=None if correct is None else tuple(correct),
        seconds=float(numbers["seconds"]),
        train_seconds=float(numbers["train_seconds"]),
        train_steps=int(numbers["train_steps"]),
        tokens_trained=int(numbers["tokens_trained"]),
        stopped_because=str(obj.get("stopped_because") or ""),
        from_cache=bool(obj.get("from_cache", False)),
        degradations=tuple(degradations),
        invalid_generations=int(numbers["invalid_generations"]),
        peak_memory_bytes=int(numbers["peak_memory_bytes"]),
        peak_gpu_bytes=None if gpu is None else int(gpu),
        provenance=_provenance(obj.get("provenance")),
    )


def _provenance(value: Any) -> tuple[tuple[tuple[Mapping[str, Any], ...], ...], ...]:
    """The recorded provenance, or nothing when it is absent or not as ``run_record`` writes
    it (the report then shows the attempts without it)."""
    if not isinstance(value, list):
        return ()
    out = []
    for pair in value:
        if not isinstance(pair, list) or not all(isinstance(a, list) for a in pair):
            return ()
        out.append(tuple(tuple(e for e in a if isinstance(e, dict)) for a in pair))
    return tuple(out)


def _json_object(text: str, file: str) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise DamagedRunFileError(
            file, f"invalid JSON at column {e.colno}: {e.msg}", line=e.lineno
        ) from e
    if not isinstance(obj, dict):
        raise DamagedRunFileError(file, f"expected a JSON object, got {type(obj).__name__}")
    return obj


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_list_of(value: object, kind: type) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and all(isinstance(v, kind) for v in value)
    )
