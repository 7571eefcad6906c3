"""A fake ``Pretrainer`` without torch: it walks the steps, reads the corpus's epochs for its token
counts, takes its losses from scripted curves, and saves and resumes its state through the
checkpoint store like the real one. For the use case's unit tests; it passes the port's contract.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from arc_ttt.domain.checkpoint import JsonValue
from arc_ttt.domain.errors import CheckpointMismatchError, CheckpointNotFoundError
from arc_ttt.domain.pretrain_corpus import PretrainCorpus
from arc_ttt.domain.pretraining import (
    EarlyStopping,
    PretrainOptions,
    PretrainOutcome,
    PretrainProgress,
)
from arc_ttt.ports.pretrainer import StateCheckpoints

STATE_FILE = "scripted.json"


def _default_train(step: int, seed: int) -> float:
    return 3.0 / (1.0 + 0.1 * step) + (seed % 7) * 1e-3


def _default_val(step: int, seed: int) -> float:
    return 3.2 / (1.0 + 0.1 * step) + (seed % 7) * 1e-3


class ScriptedPretrainer:
    """Losses from ``train_curve(step, seed)`` and ``val_curve(step, seed)``; ``runs`` records
    each call's corpus size, options and outcome."""

    def __init__(
        self,
        train_curve: Callable[[int, int], float] = _default_train,
        val_curve: Callable[[int, int], float] = _default_val,
        *,
        is_main_process: bool = True,
    ) -> None:
        self.is_main_process = is_main_process  # False: plays a non-main process of a run
        self._train_curve = train_curve
        self._val_curve = val_curve
        self.model_step = 0
        self.runs: list[dict[str, Any]] = []

    def describe(self) -> Mapping[str, JsonValue]:
        return {"model_type": "scripted", "parameters": 1}

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        config = {"model_type": "scripted", "model_step": self.model_step}
        (folder / "config.json").write_text(json.dumps(config))

    def pretrain(
        self,
        corpus: PretrainCorpus,
        options: PretrainOptions,
        *,
        checkpoints: StateCheckpoints | None = None,
        on_progress: Callable[[PretrainProgress], None] | None = None,
        stop_requested: Callable[[], bool] | None = None,
    ) -> PretrainOutcome:
        t = options.train
        agreed = json.dumps(
            {
                "corpus": corpus.fingerprint(),
                "train": {**asdict(t), "max_seconds": None},  # the time cap may change
                "eval_every": options.eval_every,
                "min_delta": options.min_delta,
            },
            sort_keys=True,
        )
        prints = hashlib.sha256(agreed.encode()).hexdigest()
        state: dict[str, Any] = {
            "prints": prints,
            "step": 0,
            "tokens": 0,
            "consumed": 0,  # sequences of the current epoch already trained
            "epoch": 0,
            "losses": [],
            "validations": [],
            "stopping": asdict(EarlyStopping(t.patience, options.min_delta)),
            "recorded_at": 0,
            "stopped": "",
        }
        if checkpoints is not None:
            state = self._resume(checkpoints, state)
        resumed_from, start = state["step"], time.perf_counter()
        reason = state["stopped"]
        stopping = EarlyStopping(**state["stopping"])
        validation = corpus.validation()
        per_step = t.batch_size * t.grad_accumulation
        while not reason:
            if state["step"] >= t.steps:
                reason = "steps"
                break
            timed_out = t.max_seconds is not None and time.perf_counter() - start >= t.max_seconds
            if timed_out or (stop_requested is not None and stop_requested()):
                if checkpoints is not None:
                    self._save(checkpoints, state)
                reason = "time" if timed_out else "interrupted"
                break
            sequences = corpus.epoch(state["epoch"])
            batch = sequences[state["consumed"] : state["consumed"] + per_step]
            state["consumed"] += per_step
            state["tokens"] += sum(len(s) for s in batch)
            state["step"] += 1
            step = state["step"]
            state["losses"].append(self._train_curve(step, t.seed))
            final = step >= t.steps
            val, stop = None, False
            if validation and (step % options.eval_every == 0 or final):
                val = self._val_curve(step, t.seed)
                state["validations"].append([step, val])
                _, stop = stopping.observe(step, val)
            if state["consumed"] >= len(sequences):
                state["epoch"], state["consumed"] = state["epoch"] + 1, 0
            if on_progress is not None and (
                step % options.log_every == 0 or val is not None or final
            ):
                recent = state["losses"][state["recorded_at"] :]
                on_progress(
                    PretrainProgress(
                        step,
                        t.steps,
                        state["epoch"],
                        sum(recent) / len(recent),
                        val,
                        state["tokens"],
                        1000.0,
                        float(step),
                        t.learning_rate,
                    )
                )
                state["recorded_at"] = step
            state["stopping"] = asdict(stopping)
            if stop or final:
                reason = "early_stop" if stop else "steps"
            if checkpoints is not None and checkpoints.schedule.is_due(step, final=bool(reason)):
                state["stopped"] = reason
                self._save(checkpoints, state)
        self.model_step = stopping.best_step if state["validations"] else state["step"]
        outcome = PretrainOutcome(
            steps=state["step"],
            tokens=state["tokens"],
            seconds=float(state["step"]),
            stopped_because=reason,
            epochs=state["epoch"] + (1 if state["consumed"] else 0),
            losses=tuple(state["losses"]),
            validations=tuple((int(s), float(v)) for s, v in state["validations"]),
            model_step=self.model_step,
            resumed_from_step=resumed_from,
        )
        self.runs.append(
            {"train_tasks": len(corpus.train_tasks), "options": options, "outcome": outcome}
        )
        return outcome

    def _save(self, checkpoints: StateCheckpoints, state: Mapping[str, Any]) -> None:
        store, key = checkpoints.store, checkpoints.key
        losses = state["losses"]
        metadata: dict[str, JsonValue] = {
            "step": state["step"],
            "loss": losses[-1] if losses else None,
        }
        store.save(key, {STATE_FILE: json.dumps(state).encode()}, metadata)
        if checkpoints.retention is not None:
            for version in checkpoints.retention.to_delete(store.versions(key)):
                store.delete(key, version)

    def _resume(self, checkpoints: StateCheckpoints, fresh: dict[str, Any]) -> dict[str, Any]:
        try:
            checkpoint, _ = checkpoints.store.load_latest_valid(checkpoints.key)
        except CheckpointNotFoundError:
            return fresh
        saved: dict[str, Any] = json.loads(checkpoint.files[STATE_FILE])
        if saved["prints"] != fresh["prints"]:
            raise CheckpointMismatchError(
                f"scripted state {checkpoint.key!r} version {checkpoint.version} was saved by a "
                "run with other options or data"
            )
        return saved
