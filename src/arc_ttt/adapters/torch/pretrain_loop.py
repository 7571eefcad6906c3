"""The pretraining loop behind ``TorchPretrainer``: epochs of fresh sequences, the optimizer step,
validation, early stopping with the best weights kept, and the state saved and restored.

The step is ``training.train``'s (length-bucketed batches, AdamW with betas (0.9, 0.95), warmup +
cosine, gradient accumulation with the loss averaged over all loss tokens of the step, clipping,
accelerate's autocast). The state is ``training_state``'s files plus ``pretrain.json`` (epoch,
validations, early stopping, the last progress record) and ``best.safetensors`` (the best
weights when they are not the current ones), so a resumed run ends bit-identical on the CPU.

Under ``accelerate launch`` with N processes (data parallel), every process builds the same
epochs, takes every N-th sequence of each micro-batch, and the gradients are summed over the
processes once per optimizer step (one all-reduce) before clipping: the same step as one process
on the whole global batch, up to float summation order. Decisions that end the run (time, stop
request) are agreed on by all processes; only the main process writes training states.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

import torch
from accelerate import Accelerator
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from torch import Tensor

from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.symbol_model import ArcSymbolModel
from arc_ttt.adapters.torch.token_batch import padded
from arc_ttt.adapters.torch.training import (
    IGNORE,
    MAX_GRAD_NORM,
    labelled_loss,
    length_buckets,
    warmup_cosine,
)
from arc_ttt.adapters.torch.training_state import (
    LoopState,
    RunParts,
    capture,
    compared,
    parameter_names,
    restore,
)
from arc_ttt.domain.checkpoint import JsonValue
from arc_ttt.domain.errors import CheckpointMismatchError, CheckpointNotFoundError, ModelConfigError
from arc_ttt.domain.model_io import TrainingSequence
from arc_ttt.domain.pretrain_corpus import PretrainCorpus
from arc_ttt.domain.pretraining import (
    EarlyStopping,
    PretrainOptions,
    PretrainOutcome,
    PretrainProgress,
)
from arc_ttt.ports.pretrainer import StateCheckpoints

log = logging.getLogger(__name__)

PRETRAIN_DOCUMENT = "pretrain.json"
BEST_TENSORS = "best.safetensors"


def summed_loss(
    model: ArcSymbolModel, sequences: Sequence[TrainingSequence], accelerator: Accelerator
) -> Tensor:
    """Summed cross-entropy of every loss token of ``sequences`` given the tokens before it."""
    device = model.device
    batch = padded([s.encoded for s in sequences], device, left=False)
    width = batch.shape[1]
    rows = []
    for s in sequences:
        row = [t if keep else IGNORE for t, keep in zip(s.encoded.tokens, s.loss_mask, strict=True)]
        rows.append(row + [IGNORE] * (width - len(row)))
    labels = torch.tensor(rows, dtype=torch.long, device=device)
    with accelerator.autocast():
        return labelled_loss(model, batch, labels)


class PretrainRun:
    """One pretraining run of ``module``: ``go`` resumes from ``checkpoints`` if they hold a
    state, trains, and leaves the best validation's weights in ``module``."""

    def __init__(
        self,
        module: ArcDecoder,
        corpus: PretrainCorpus,
        options: PretrainOptions,
        accelerator: Accelerator,
        checkpoints: StateCheckpoints | None,
    ) -> None:
        t = options.train
        self.module, self.model = module, ArcSymbolModel(module)
        self.corpus, self.options, self.accelerator = corpus, options, accelerator
        self.checkpoints = checkpoints
        self.params = list(module.parameters())
        self.rank, self.world = accelerator.process_index, accelerator.num_processes
        optimizer = torch.optim.AdamW(
            self.params, lr=t.learning_rate, weight_decay=t.weight_decay, betas=(0.9, 0.95)
        )
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, warmup_cosine(t.warmup_steps, t.steps)
        )
        # The scheduler stays unprepared: accelerate's steps once per process per optimizer step.
        optimizer = accelerator.prepare(optimizer)
        agreed = {**compared(t), "eval_every": options.eval_every, "min_delta": options.min_delta}
        digest = hashlib.sha256(json.dumps(agreed, sort_keys=True).encode()).hexdigest()
        prints = {
            "data": corpus.fingerprint(),
            "options": digest,
            "sequences": f"{len(corpus.train_tasks)} tasks",
        }
        names = parameter_names(module, self.params)
        self.parts = RunParts(self.params, names, optimizer, scheduler, prints, agreed)
        self.generator = torch.Generator().manual_seed(t.seed)
        self.epoch_rng = self.generator.get_state()
        self.validation = corpus.validation()
        # Saved with the state (pretrain.json):
        self.loop = LoopState()
        self.epoch = 0
        self.validations: list[tuple[int, float]] = []
        self.stopping = EarlyStopping(t.patience, options.min_delta)
        self.recorded_at = 0  # the step of the last progress record
        self.best: list[Tensor] | None = None  # CPU copy of the best validation's weights
        # This process only:
        self.start = self.began = time.perf_counter()
        self.token_seconds: deque[float] = deque(maxlen=5)  # of the last steps, per token
        self.last_save = self.start
        self.saved_at = 0
        self.rate_tokens, self.rate_since = 0, self.start

    # -- the loop ---------------------------------------------------------------------------

    def go(
        self, on_progress: Callable[[PretrainProgress], None], stop_requested: Callable[[], bool]
    ) -> PretrainOutcome:
        if self.checkpoints is not None:
            self._resume()
        resumed_from = self.saved_at = self.loop.step
        reason = self.loop.stopped_because
        self.start = time.perf_counter() - self.loop.seconds
        self.last_save = self.rate_since = self.began = time.perf_counter()
        if not reason:
            recompute = self.module.gradient_checkpointing
            self.module.gradient_checkpointing = self.options.train.gradient_checkpointing
            self.module.train()
            try:
                while not reason:
                    reason = self._epoch(on_progress, stop_requested)
            finally:
                self.module.gradient_checkpointing = recompute
                self.module.eval()
                self.accelerator.free_memory()
        if self.best is not None:
            with torch.no_grad():
                for p, b in zip(self.params, self.best, strict=True):
                    p.copy_(b.to(p.device, p.dtype))
        return PretrainOutcome(
            steps=self.loop.step,
            tokens=self.loop.tokens,
            seconds=time.perf_counter() - self.start,
            stopped_because=reason,
            epochs=self.epoch + (1 if self.loop.next_group else 0),
            losses=tuple(self.loop.losses),
            validations=tuple(self.validations),
            model_step=self.stopping.best_step if self.best is not None else self.loop.step,
            resumed_from_step=resumed_from,
        )

    def _epoch(
        self, on_progress: Callable[[PretrainProgress], None], stop_requested: Callable[[], bool]
    ) -> str:
        """Train through the current epoch; why the run ends, or "" to go on to the next."""
        t = self.options.train
        self.epoch_rng = self.generator.get_state()
        sequences = self.corpus.epoch(self.epoch)
        if not sequences:
            raise ModelConfigError(
                f"epoch {self.epoch} has no training sequence: every one is longer than "
                f"max_tokens={self.corpus.options.max_tokens}"
            )
        batches = length_buckets([len(s) for s in sequences], t.batch_size, self.generator)
        groups = [
            batches[i : i + t.grad_accumulation]
            for i in range(0, len(batches), t.grad_accumulation)
        ]
        for k in range(self.loop.next_group, len(groups)):
            if self.loop.step >= t.steps:
                return "steps"
            # The time cap is this run's (each resumed chunk gets it anew), not the total; a
            # step that would end past it is not begun.
            group = [[sequences[i] for i in b] for b in groups[k]]
            timed_out = t.max_seconds is not None and (
                time.perf_counter() - self.began + self._step_estimate(group) >= t.max_seconds
            )
            requested = stop_requested()
            if self.world > 1:  # every process stops at the same step, or none does
                timed_out, requested = (bool(x) for x in self._summed([timed_out, requested]))
            if timed_out or requested:
                if self.checkpoints is not None and self.saved_at != self.loop.step:
                    self._save(stopped="")  # open: a resumed run goes on from here
                return "time" if timed_out else "interrupted"
            began = time.perf_counter()
            self._step(group)
            self.loop.next_group = k + 1
            reason = self._after_step(on_progress)
            self._timed(group, time.perf_counter() - began)
            if reason:
                return reason
        self.epoch += 1
        self.loop.next_group = 0
        return ""

    def _step_estimate(self, group: list[list[TrainingSequence]]) -> float:
        """How long the step over ``group`` may take: its tokens at the slowest rate per token of
        the last few steps (none before this run's first step)."""
        return max(self.token_seconds, default=0.0) * sum(len(s) for b in group for s in b)

    def _timed(self, group: list[list[TrainingSequence]], seconds: float) -> None:
        self.token_seconds.append(seconds / max(1, sum(len(s) for b in group for s in b)))

    def _step(self, micro_batches: list[list[TrainingSequence]]) -> None:
        """One optimizer step; its loss is the mean over all its loss tokens."""
        loss_tokens = max(1, sum(s.loss_tokens for b in micro_batches for s in b))
        step_loss = 0.0
        for micro in micro_batches:
            mine = micro[self.rank :: self.world]  # this process's share of the micro-batch
            if mine:
                loss = summed_loss(self.model, mine, self.accelerator)
                self.accelerator.backward(loss / loss_tokens)
                step_loss += loss.item()
            seen = sum(len(s) for s in micro)
            self.loop.tokens += seen
            self.rate_tokens += seen
        if self.world > 1:
            step_loss = self._sum_gradients(step_loss)
        self.accelerator.clip_grad_norm_(self.params, MAX_GRAD_NORM)
        self.parts.optimizer.step()
        self.parts.scheduler.step()
        self.parts.optimizer.zero_grad(set_to_none=True)
        self.loop.step += 1
        self.loop.losses.append(step_loss / loss_tokens)

    def _after_step(self, on_progress: Callable[[PretrainProgress], None]) -> str:
        """Validate, report and save as due; "early_stop" or "steps" when the run ends here."""
        step, options = self.loop.step, self.options
        rate = self.rate_tokens / max(1e-9, time.perf_counter() - self.rate_since)
        final = step >= options.train.steps
        val_loss, stop = None, False
        if self.validation and (step % options.eval_every == 0 or final):
            val_loss = self._validate()
            self.validations.append((step, val_loss))
            improved, stop = self.stopping.observe(step, val_loss)
            if improved:
                self.best = [p.detach().to("cpu", copy=True) for p in self.params]
        if step % options.log_every == 0 or val_loss is not None or final:
            losses = self.loop.losses[self.recorded_at :]
            on_progress(
                PretrainProgress(
                    step=step,
                    total_steps=options.train.steps,
                    epoch=self.epoch,
                    train_loss=sum(losses) / len(losses),
                    val_loss=val_loss,
                    tokens=self.loop.tokens,
                    tokens_per_second=rate,
                    seconds=self._seconds(),
                    learning_rate=float(self.parts.optimizer.param_groups[0]["lr"]),
                )
            )
            self.recorded_at = step
            self.rate_tokens, self.rate_since = 0, time.perf_counter()
        reason = "early_stop" if stop else ("steps" if final else "")
        if self.checkpoints is not None:
            since = time.perf_counter() - self.last_save
            if self.checkpoints.schedule.is_due(step, seconds_since_save=since, final=bool(reason)):
                self._save(stopped=reason)
        return reason

    def _validate(self) -> float:
        """Mean loss per loss token over the validation sequences (shortest first); the batches
        are shared out over the processes."""
        order = sorted(range(len(self.validation)), key=lambda i: len(self.validation[i]))
        size = self.options.train.batch_size
        total, tokens = 0.0, 0
        self.module.eval()
        try:
            with torch.no_grad():
                for i in range(self.rank * size, len(order), size * self.world):
                    batch = [self.validation[j] for j in order[i : i + size]]
                    total += summed_loss(self.model, batch, self.accelerator).item()
                    tokens += sum(s.loss_tokens for s in batch)
        finally:
            self.module.train()
        if self.world > 1:
            total, tokens_sum = self._summed([total, tokens])
            tokens = round(tokens_sum)
        return total / max(1, tokens)

    def _sum_gradients(self, step_loss: float) -> float:
        """Sum every parameter's gradient over the processes in one all-reduce (a process whose
        share was empty adds zeros); returns the step's summed loss over all processes."""
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        flat = torch.cat([g.reshape(-1).float() for g in grads])
        loss = torch.tensor([step_loss], dtype=torch.float64, device=flat.device)
        flat = self.accelerator.reduce(flat, reduction="sum")
        offset = 0
        for p, g in zip(self.params, grads, strict=True):
            n = g.numel()
            p.grad = flat[offset : offset + n].view_as(g).to(g.dtype)
            offset += n
        return float(self.accelerator.reduce(loss, reduction="sum").item())

    def _summed(self, values: Sequence[float]) -> list[float]:
        """``values`` summed over the processes."""
        local = torch.tensor([float(v) for v in values], dtype=torch.float64)
        summed = self.accelerator.reduce(local.to(self.accelerator.device), reduction="sum")
        return [float(x) for x in summed.tolist()]

    def _seconds(self) -> float:
        return time.perf_counter() - self.start

    # -- the state --------------------------------------------------------------------------

    def _save(self, *, stopped: str) -> None:
        assert self.checkpoints is not None
        self.loop.seconds = self._seconds()
        self.loop.stopped_because = stopped
        if not self.accelerator.is_main_process:  # the others hold the same state
            self.last_save, self.saved_at = time.perf_counter(), self.loop.step
            return
        files = capture(self.loop, self.parts, self.epoch_rng)
        files[PRETRAIN_DOCUMENT] = json.dumps(
            {
                "format": 1,
                "data": self.parts.prints["data"],
                "train_tasks": len(self.corpus.train_tasks),
                "epoch": self.epoch,
                "validations": self.validations,
                "stopping": asdict(self.stopping),
                "recorded_at": self.recorded_at,
            }
        ).encode()
        if self.best is not None and self.stopping.best_step != self.loop.step:
            files[BEST_TENSORS] = save_tensors({f"param.{i}": b for i, b in enumerate(self.best)})
        metadata: dict[str, JsonValue] = {"step": self.loop.step, "loss": self.loop.losses[-1]}
        if self.validations:
            metadata["val_loss"] = self.validations[-1][1]
        store, key = self.checkpoints.store, self.checkpoints.key
        store.save(key, files, metadata)
        if self.checkpoints.retention is not None:
            for version in self.checkpoints.retention.to_delete(store.versions(key)):
                store.delete(key, version)
        self.last_save, self.saved_at = time.perf_counter(), self.loop.step

    def _resume(self) -> None:
        assert self.checkpoints is not None
        try:
            checkpoint, skipped = self.checkpoints.store.load_latest_valid(self.checkpoints.key)
        except CheckpointNotFoundError:
            return
        for s in skipped:
            log.warning("pretraining state skipped: %s", s)
        where = f"pretraining state {checkpoint.key!r} version {checkpoint.version}"
        try:
            document: dict[str, Any] = json.loads(checkpoint.files[PRETRAIN_DOCUMENT])
        except (KeyError, ValueError) as e:
            raise CheckpointMismatchError(f"{where} is not a pretraining state: {e}") from e
        if document.get("data") != self.parts.prints["data"]:
            raise CheckpointMismatchError(
                f"{where} was saved by a run on other data ({document.get('train_tasks', '?')} "
                f"training tasks there, {len(self.corpus.train_tasks)} here, or other tasks, "
                "sequence options or seed); resume with the same data settings and seed"
            )
        self.loop, epoch_rng = restore(checkpoint, self.parts)
        self.generator.set_state(epoch_rng)
        self.epoch = int(document["epoch"])
        self.validations = [(int(s), float(v)) for s, v in document["validations"]]
        self.stopping = EarlyStopping(**document["stopping"])
        self.recorded_at = int(document["recorded_at"])
        if BEST_TENSORS in checkpoint.files:
            tensors = load_tensors(checkpoint.files[BEST_TENSORS])
            self.best = [tensors[f"param.{i}"] for i in range(len(self.params))]
        elif self.validations and self.stopping.best_step == self.loop.step:  # the current ones
            self.best = [p.detach().to("cpu", copy=True) for p in self.params]
