"""What the solve cache keeps of a task: its candidate pools, what training did and cost, and
the degradations, under a key of the task's content and every candidate-changing option."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from arc_ttt.application.solve_options import SolveOptions
from arc_ttt.domain.model_io import ModelRef, TrainResult
from arc_ttt.domain.selection import CandidatePool
from arc_ttt.domain.task import Task

CACHE_FORMAT = 1


def cache_key(
    task: Task, base: ModelRef, options: SolveOptions, *, shared: str | None = None
) -> str:
    """``<task id>/<digest>``: the digest covers the task's content, the base model and every
    option that changes the candidates (all but ``product_of_experts``, which only re-ranks);
    with shared TTT, also the shared model's key ``shared`` (which covers the task set)."""
    config = {
        "format": CACHE_FORMAT,
        "task": task.without_solutions().content_hash,
        "base": [base.base, base.adapter],
        "ttt": options.ttt,
        # Time caps shape a run, not its configuration: a resumed run reuses what it cached.
        "train": {k: v for k, v in asdict(options.train).items() if k != "max_seconds"},
        "ttt_set": asdict(options.ttt_set),
        "decode": {k: v for k, v in asdict(options.decode).items() if k != "max_seconds"},
        "views": options.views,
        "seed": options.seed,
    }
    if shared is not None:
        config["shared"] = shared
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    return f"{task.id}/{digest[:20]}"


@dataclass(frozen=True)
class TaskCandidates:
    """What training and decoding produced for one task: what the cache keeps."""

    pools: tuple[CandidatePool, ...]
    invalid: int
    train: TrainResult | None
    seconds: float
    from_cache: bool = False
    degradations: tuple[str, ...] = ()

    def to_record(self, task_id: str) -> dict[str, Any]:
        t = self.train
        return {
            "format": CACHE_FORMAT,
            "degradations": list(self.degradations),
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
    def from_record(cls, record: Mapping[str, Any]) -> TaskCandidates:
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
        notes = tuple(str(n) for n in record.get("degradations", ()))
        return cls(pools, int(record["invalid"]), train, float(record["seconds"]), True, notes)
