"""Shared test-time training: one adapter (or one fully trained copy) for a whole task set.

The training set is every task's leave-one-out TTT set (demonstrations only, never a test
output) in task order. The adapted model then decodes every task. Its cache key covers the
content of every task of the set, the base model and the training options, so a resumed run
finds the same adapter and does not train again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from arc_ttt.domain.model_io import ModelRef, TrainingSequence, TrainOptions, TrainResult
from arc_ttt.domain.task import Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

SHARED_FORMAT = 1
SHARED_NAME = "shared"  # the adapted model's name in the trainer


def shared_sequences(
    tasks: Sequence[Task], options: TTTSetOptions, seed: int
) -> list[TrainingSequence]:
    """Every task's TTT set (its demonstrations only), one task after the other."""
    sequences: list[TrainingSequence] = []
    for task in tasks:
        sequences.extend(build_ttt_set(task.without_solutions(), options, seed))
    return sequences


def shared_key(
    tasks: Sequence[Task],
    base: ModelRef,
    train: TrainOptions,
    ttt_set: TTTSetOptions,
    seed: int,
) -> str:
    """``shared-ttt/<digest>``: the digest covers every task's id and content (without test
    outputs, in order), the base model and the options that shape the training; not the time
    cap, so a resumed run reuses what its first part trained."""
    config = {
        "format": SHARED_FORMAT,
        "tasks": [[t.id, t.without_solutions().content_hash] for t in tasks],
        "base": [base.base, base.adapter],
        "train": {k: v for k, v in asdict(train).items() if k != "max_seconds"},
        "ttt_set": asdict(ttt_set),
        "seed": seed,
    }
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    return f"shared-ttt/{digest[:20]}"


@dataclass(frozen=True)
class SharedTraining:
    """What the one shared adaptation did (``from_cache``: in an earlier part of the run)."""

    key: str
    tasks: int
    sequences: int
    steps: int = 0
    tokens: int = 0
    seconds: float = 0.0
    stopped_because: str = "no_training"
    loss_first: float | None = None
    loss_last: float | None = None
    from_cache: bool = False
    degradations: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        key: str,
        tasks: int,
        sequences: int,
        train: TrainResult | None,
        notes: Sequence[str] = (),
    ) -> SharedTraining:
        """The record of a training run (``train`` None: none happened, see ``notes``)."""
        if train is None:
            return cls(key, tasks, sequences, degradations=tuple(notes))
        losses = train.losses
        return cls(
            key,
            tasks,
            sequences,
            train.steps,
            train.tokens,
            train.seconds,
            train.stopped_because,
            losses[0] if losses else None,
            losses[-1] if losses else None,
            degradations=tuple(notes),
        )

    @property
    def trained(self) -> bool:
        return self.steps > 0

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["degradations"] = list(self.degradations)
        record["format"] = SHARED_FORMAT
        del record["from_cache"]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> SharedTraining:
        """Raises ``KeyError``/``TypeError``/``ValueError`` on a record of another shape."""
        if record["format"] != SHARED_FORMAT:
            raise ValueError(f"shared TTT format {record['format']}, expected {SHARED_FORMAT}")

        def loss(name: str) -> float | None:
            value = record[name]
            return None if value is None else float(value)

        return cls(
            key=str(record["key"]),
            tasks=int(record["tasks"]),
            sequences=int(record["sequences"]),
            steps=int(record["steps"]),
            tokens=int(record["tokens"]),
            seconds=float(record["seconds"]),
            stopped_because=str(record["stopped_because"]),
            loss_first=loss("loss_first"),
            loss_last=loss("loss_last"),
            from_cache=True,
            degradations=tuple(str(n) for n in record["degradations"]),
        )


@dataclass(frozen=True)
class SharedModel:
    """The model every task of the set decodes with (the base when nothing was trained), and
    what its training did."""

    model: ModelRef | None  # None: every task's candidates are cached, no model needed
    training: SharedTraining
