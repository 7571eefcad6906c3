"""Use case: pretrain a model on ARC training tasks and synthetic ones (``pretrain_data``), then
write the model folder, the metrics log and the manifest (``pretrain_manifest``)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from arc_ttt.application.pretrain_data import PretrainData
from arc_ttt.application.pretrain_manifest import finite, manifest_record
from arc_ttt.application.solve_options import MIN_SOLVE_SECONDS, end_reserve
from arc_ttt.domain.checkpoint import JsonValue
from arc_ttt.domain.pretrain_corpus import CorpusOptions, PretrainCorpus
from arc_ttt.domain.pretraining import (
    PretrainDataError,
    PretrainOptions,
    PretrainProgress,
    PretrainStateError,
)
from arc_ttt.ports.pretrainer import Pretrainer, StateCheckpoints, TrainingLog


@dataclass(frozen=True)
class PretrainRequest:
    """One run: its options, how tasks become sequences, whether it continues a saved state, and
    where the code came from (recorded in the manifest). ``spent_seconds``: how much of the time
    cap ``options.train.max_seconds`` went before the run was asked for (the process's start-up)."""

    options: PretrainOptions
    corpus: CorpusOptions = field(default_factory=CorpusOptions)
    resume: bool = False
    provenance: Mapping[str, JsonValue] = field(default_factory=dict)
    spent_seconds: float = 0.0


class Pretraining:
    """Use case: pretrain, then write the model folder, the metrics log and the manifest.

    ``say`` gets one progress line per record; ``observe`` every record as it comes (for
    embedding programs); ``stop_requested`` ends the run after the current step, state saved.
    In a multi-process run, only the pretrainer's main process writes (log, model, manifest).
    """

    def __init__(
        self,
        pretrainer: Pretrainer,
        log: TrainingLog,
        *,
        say: Callable[[str], None] | None = None,
        observe: Callable[[PretrainProgress], None] | None = None,
        stop_requested: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock``: what the time spent before training (building the corpus) is measured
        with; it comes off the time cap (``_less_time``)."""
        self._clock = clock
        self._pretrainer = pretrainer
        self._log = log
        self._say = say
        self._observe = observe
        self._stop_requested = stop_requested

    def run(
        self,
        data: PretrainData,
        request: PretrainRequest,
        checkpoints: StateCheckpoints,
        out: Path,
    ) -> dict[str, Any]:
        """Train (or resume), save the model into ``out``, return the manifest written.

        Raises ``PretrainStateError`` when a fresh run finds a saved state under the key, or a
        resumed one finds none; ``PretrainDataError`` when nothing fits to train or validate."""
        if not data.train:
            raise PretrainDataError("no training tasks: every task was left out or held out")
        began = self._clock()
        _check_state(checkpoints, resume=request.resume)
        corpus = PretrainCorpus(
            data.train, data.validation, request.corpus, request.options.train.seed
        )
        per_epoch = corpus.epoch(0)  # computed once here, reused by the trainer's first epoch
        validation = corpus.validation()
        limit = request.corpus.max_tokens
        if not per_epoch:
            raise PretrainDataError(
                f"no training sequence fits in max_tokens={limit}: raise the token limit"
            )
        if data.validation and not validation:
            raise PretrainDataError(
                f"no sequence of the {len(data.validation)} validation tasks fits in "
                f"max_tokens={limit}: raise the token limit or the validation fraction, or set "
                "the fraction to 0 (no validation, no early stopping)"
            )
        stats = {
            "sequences_per_epoch": len(per_epoch),
            "tokens_per_epoch": sum(len(s) for s in per_epoch),
            "skipped_too_long_per_epoch": corpus.skipped(0),
            "validation_sequences": len(validation),
        }
        main = self._pretrainer.is_main_process
        if not request.resume and main:
            self._log.restart()
        outcome = self._pretrainer.pretrain(
            corpus,
            _less_time(request.options, request.spent_seconds + self._clock() - began),
            checkpoints=checkpoints,
            on_progress=self._record,
            stop_requested=self._stop_requested,
        )
        manifest = manifest_record(
            data,
            request.options,
            request.corpus,
            outcome,
            model=self._pretrainer.describe(),
            stats=stats,
            provenance=request.provenance,
        )
        if main:
            out.mkdir(parents=True, exist_ok=True)
            self._pretrainer.save(out)
            self._log.write_manifest(manifest)
        return manifest

    def _record(self, p: PretrainProgress) -> None:
        if not self._pretrainer.is_main_process:
            return
        self._log.append({k: finite(v) for k, v in asdict(p).items()})
        if self._say is not None:
            val = "" if p.val_loss is None else f"  val {p.val_loss:.4f}"
            self._say(
                f"step {p.step}/{p.total_steps}  epoch {p.epoch}  loss {p.train_loss:.4f}{val}"
                f"  {p.tokens_per_second:,.0f} tok/s  {p.seconds:.0f}s"
            )
        if self._observe is not None:
            self._observe(p)


def _check_state(checkpoints: StateCheckpoints, *, resume: bool) -> None:
    versions = checkpoints.store.versions(checkpoints.key)
    if versions and not resume:
        step = versions[-1].metadata.get("step", "?")
        raise PretrainStateError(
            f"the checkpoint store already holds a pretraining state under key "
            f"{checkpoints.key!r} (step {step}); resume it, or use another store or output folder"
        )
    if resume and not versions:
        raise PretrainStateError(
            f"nothing to resume: the checkpoint store holds no pretraining state under key "
            f"{checkpoints.key!r}"
        )


def _less_time(options: PretrainOptions, spent: float) -> PretrainOptions:
    """``options`` with the time cap less ``spent`` seconds and less ``end_reserve`` (saving
    the model and the manifest); at least 1 ms is left: the run then stops at its first step
    with the state saved."""
    cap = options.train.max_seconds
    if cap is None:
        return options
    left = max(cap - spent - end_reserve(cap), MIN_SOLVE_SECONDS)
    return replace(options, train=replace(options.train, max_seconds=left))
