"""The pretraining ports: a trainer that builds a model from scratch, and the run's log."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from arc_ttt.domain.checkpoint import JsonValue
from arc_ttt.domain.checkpoint_policy import RetentionPolicy, SaveSchedule
from arc_ttt.domain.pretrain_corpus import PretrainCorpus
from arc_ttt.domain.pretraining import PretrainOptions, PretrainOutcome, PretrainProgress
from arc_ttt.ports.checkpoint_store import CheckpointStore


@dataclass(frozen=True)
class StateCheckpoints:
    """Where and when a pretraining run saves its whole state; it resumes from the newest intact
    one under ``key``."""

    store: CheckpointStore
    key: str = "pretrain"
    schedule: SaveSchedule = field(default_factory=lambda: SaveSchedule(every_steps=500))
    retention: RetentionPolicy | None = field(default_factory=lambda: RetentionPolicy(keep_last=2))


@runtime_checkable
class Pretrainer(Protocol):
    """Trains one fresh model (its size and initial weights fixed when the adapter is built).

    ``pretrain`` trains on ``corpus.epoch(0)``, ``corpus.epoch(1)``, ... for at most
    ``options.train.steps`` optimizer steps under warmup + cosine, validates on
    ``corpus.validation()`` every ``options.eval_every`` steps and at the last step, and stops
    early as ``options`` say (patience, time cap) or when ``stop_requested()`` turns true (checked
    before each step). Afterwards the model holds the weights of its best validation (the last
    step's without validation). ``on_progress`` gets a record every ``options.log_every`` steps,
    at every validation and at the last step.

    With ``checkpoints``, the run first resumes from the newest intact state under the key (then
    the result equals an uninterrupted run's, bit for bit on the CPU; a finished state resumes as
    finished) and saves its state on the schedule, at the end, and when stopped by time or by
    request. A state from a run with other options, data or model size raises
    ``CheckpointMismatchError`` naming what differs. Deterministic for a fixed seed on the CPU.

    ``save`` writes the model as a folder that ``arc-ttt solve --model`` loads; ``describe`` gives
    its configuration and parameter count as JSON values. Raises ``ArcTTTError`` subclasses only,
    besides what ``on_progress`` raises.

    In a multi-process (data-parallel) run every process calls ``pretrain`` and ends with the
    same model; ``is_main_process`` is true in exactly one of them, which alone saves training
    states and should alone write files (true in a single-process run).
    """

    @property
    def is_main_process(self) -> bool: ...

    def pretrain(
        self,
        corpus: PretrainCorpus,
        options: PretrainOptions,
        *,
        checkpoints: StateCheckpoints | None = None,
        on_progress: Callable[[PretrainProgress], None] | None = None,
        stop_requested: Callable[[], bool] | None = None,
    ) -> PretrainOutcome: ...

    def save(self, folder: Path) -> None: ...

    def describe(self) -> Mapping[str, JsonValue]: ...


@runtime_checkable
class TrainingLog(Protocol):
    """The metrics and the manifest of a pretraining run.

    ``append`` adds one metrics record (a JSON object with an int ``step``); records already kept
    at that step or later are dropped first, so a run resumed from an earlier state leaves one
    record per step. ``restart`` forgets every record (a fresh run). ``records`` lists them in
    order. ``write_manifest`` replaces the manifest; ``manifest`` reads it back (None: none yet).
    Raises ``ArcTTTError`` subclasses only.
    """

    def append(self, record: Mapping[str, JsonValue]) -> None: ...

    def restart(self) -> None: ...

    def records(self) -> Sequence[Mapping[str, JsonValue]]: ...

    def write_manifest(self, manifest: Mapping[str, JsonValue]) -> None: ...

    def manifest(self) -> Mapping[str, JsonValue] | None: ...
