"""The training loop behind ``Trainer.adapt``: length-bucketed batches, AdamW, warmup + cosine,
gradient accumulation, mixed precision and device placement through accelerate, early stopping.

Each optimizer step's loss is the mean over its loss tokens (all micro-batches together), so
accumulating k micro-batches equals one batch k times as large.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import torch
from accelerate import Accelerator
from torch import Tensor, nn
from torch.nn import functional

from arc_ttt.adapters.torch.symbol_model import SymbolModel
from arc_ttt.adapters.torch.token_batch import TokenBatch, padded
from arc_ttt.adapters.torch.training_state import (
    LoopState,
    RunParts,
    TrainingCheckpoints,
    capture,
    compared,
    fingerprint,
    parameter_names,
    restore,
)
from arc_ttt.domain.codec import VOCAB_SIZE
from arc_ttt.domain.errors import CheckpointNotFoundError
from arc_ttt.domain.model_io import TrainingSequence, TrainOptions

log = logging.getLogger(__name__)

IGNORE = -100
MAX_GRAD_NORM = 1.0


@dataclass(frozen=True, slots=True)
class TrainingOutcome:
    """What a training run did: optimizer steps, tokens seen, seconds, loss per step, why it stopped."""

    steps: int
    tokens: int
    seconds: float
    losses: tuple[float, ...]
    stopped_because: str
    resumed_from_step: int = 0


def length_buckets(
    lengths: Sequence[int], batch_size: int, generator: torch.Generator
) -> list[list[int]]:
    """Indices in batches of similar length (little padding), batch order shuffled by ``generator``."""
    order = torch.randperm(len(lengths), generator=generator).tolist()
    order.sort(key=lambda i: lengths[i])  # stable: equal lengths keep their shuffled order
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in torch.randperm(len(batches), generator=generator).tolist()]


def warmup_cosine(warmup: int, total: int) -> Callable[[int], float]:
    """Learning-rate factor per step: linear from 1/warmup to 1, then cosine down to 0 at ``total``."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress)))

    return factor


def _labels(sequences: Sequence[TrainingSequence], width: int, device: torch.device) -> Tensor:
    rows = []
    for s in sequences:
        row = [t if keep else IGNORE for t, keep in zip(s.encoded.tokens, s.loss_mask, strict=True)]
        rows.append(row + [IGNORE] * (width - len(row)))
    return torch.tensor(rows, dtype=torch.long, device=device)


@dataclass(frozen=True, slots=True)
class _Group:
    """One optimizer step's micro-batches, and where it sits in the data order."""

    micro: list[list[TrainingSequence]]
    epoch_end: bool
    epoch_rng: Tensor  # the batch generator's state when this group's epoch was drawn
    index: int  # position of the group in its epoch


def _next_step_overruns(elapsed: float, step_seconds: list[float], limit: float) -> bool:
    """Whether the time is up, or the next step would end past ``limit``: it is expected to take
    as long as the last step or the mean step so far, whichever is longer (steps of a
    length-bucketed epoch come in runs of similar length; the first steps of a process are often
    the slowest)."""
    if elapsed >= limit:
        return True
    if not step_seconds:
        return False
    expected = max(step_seconds[-1], sum(step_seconds) / len(step_seconds))
    return elapsed + expected > limit


def _epochs(
    sequences: Sequence[TrainingSequence],
    options: TrainOptions,
    generator: torch.Generator,
    skip: int = 0,
) -> Iterator[_Group]:
    """Groups of micro-batches (one optimizer step each), epoch after epoch; the first ``skip``
    groups of the first epoch are passed over (a resumed run's data order)."""
    lengths = [len(s) for s in sequences]
    while True:
        epoch_rng = generator.get_state()
        batches = length_buckets(lengths, options.batch_size, generator)
        groups = [
            batches[i : i + options.grad_accumulation]
            for i in range(0, len(batches), options.grad_accumulation)
        ]
        for k, group in enumerate(groups):
            if k >= skip:
                micro = [[sequences[i] for i in b] for b in group]
                yield _Group(micro, k == len(groups) - 1, epoch_rng, k)
        skip = 0


def labelled_loss(model: SymbolModel, batch: TokenBatch, labels: Tensor) -> Tensor:
    """Summed cross-entropy of each labelled token given the tokens before it."""
    logits = model.logits(batch)
    return functional.cross_entropy(
        logits[:, :-1].float().reshape(-1, VOCAB_SIZE),
        labels[:, 1:].reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )


def train(
    model: SymbolModel,
    params: list[nn.Parameter],
    sequences: Sequence[TrainingSequence],
    options: TrainOptions,
    accelerator: Accelerator,
    *,
    checkpoints: TrainingCheckpoints | None = None,
    on_step: Callable[[int, float], None] | None = None,
) -> TrainingOutcome:
    """Train ``params`` of ``model`` on ``sequences`` for at most ``options.steps`` optimizer steps.

    With ``checkpoints``, the run first resumes from the newest intact state under its key (the
    result equals an uninterrupted run's, bit for bit on the CPU) and saves its state on the
    schedule. ``on_step(step, loss)`` is called after every optimizer step.
    """
    if not sequences or options.steps == 0:
        return TrainingOutcome(0, 0, 0.0, (), "no_data" if not sequences else "steps")
    optimizer = torch.optim.AdamW(
        params, lr=options.learning_rate, weight_decay=options.weight_decay, betas=(0.9, 0.95)
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine(options.warmup_steps, options.steps)
    )
    # The scheduler stays unprepared: accelerate's would step it once per process per step
    # under ``accelerate launch`` (it assumes a global batch N times larger).
    optimizer = accelerator.prepare(optimizer)
    generator = torch.Generator().manual_seed(options.seed)
    names = parameter_names(model.module, params)
    prints = fingerprint(sequences, options)
    run = RunParts(params, names, optimizer, scheduler, prints, compared(options))
    loop = LoopState()
    if checkpoints is not None:
        loop = _resume(checkpoints, run, generator)
    resumed_from = loop.step
    if loop.stopped_because:  # the saved run had ended: its weights are back, nothing to do
        return TrainingOutcome(
            loop.step,
            loop.tokens,
            loop.seconds,
            tuple(loop.losses),
            loop.stopped_because,
            resumed_from,
        )
    start = time.perf_counter() - loop.seconds
    last_save = time.perf_counter()
    reason = "steps"
    done: _Group | None = None  # the last group trained, for a save when the time is up
    saved_at, step_seconds = loop.step, list[float]()  # this process's step durations
    model.module.train()
    recompute = _gradient_checkpointing(model.module, options.gradient_checkpointing)
    try:
        for group in _epochs(sequences, options, generator, skip=loop.next_group):
            if loop.step >= options.steps:
                break
            if options.max_seconds is not None and _next_step_overruns(
                time.perf_counter() - start, step_seconds, options.max_seconds
            ):
                reason = "time"
                if checkpoints is not None and done is not None and saved_at != loop.step:
                    # Keep the steps since the last save; the state stays open, so a run
                    # resumed with more time continues from here.
                    _save_now(checkpoints, run, loop, done, start, stopped="")
                break
            step_seconds.append(_step(model, run, group, accelerator, loop))
            done = group
            stop = _epoch_end(loop, options) if group.epoch_end else None
            if on_step is not None:
                on_step(loop.step, loop.losses[-1])
            if checkpoints is not None:
                final = stop is not None or loop.step >= options.steps
                since = time.perf_counter() - last_save
                if checkpoints.schedule.is_due(loop.step, seconds_since_save=since, final=final):
                    stopped = (stop or "steps") if final else ""
                    _save_now(checkpoints, run, loop, group, start, stopped=stopped)
                    last_save, saved_at = time.perf_counter(), loop.step
            if stop is not None:
                reason = stop
                break
    finally:
        recompute.close()
        model.module.eval()
        accelerator.free_memory()
    seconds = time.perf_counter() - start
    return TrainingOutcome(
        loop.step, loop.tokens, seconds, tuple(loop.losses), reason, resumed_from
    )


def _gradient_checkpointing(module: nn.Module, wanted: bool) -> contextlib.ExitStack:
    """Switch activation recomputation on for this run (built-in decoder or Hugging Face model);
    closing the returned stack switches it back off."""
    stack = contextlib.ExitStack()
    if not wanted:
        return stack
    # transformers 5 renamed gradient_checkpointing_* to activation_checkpointing_*.
    for prefix in ("activation_checkpointing", "gradient_checkpointing"):
        enable = getattr(module, f"{prefix}_enable", None)
        if enable is not None:
            enable(**{f"{prefix}_kwargs": {"use_reentrant": False}})
            stack.callback(getattr(module, f"{prefix}_disable"))
            return stack
    if hasattr(module, "gradient_checkpointing"):
        module.gradient_checkpointing = True
        stack.callback(setattr, module, "gradient_checkpointing", False)
    return stack


def _step(
    model: SymbolModel, run: RunParts, group: _Group, accelerator: Accelerator, loop: LoopState
) -> float:
    """One optimizer step over ``group``'s micro-batches; the loss is the mean over its loss
    tokens (all micro-batches together). Returns the seconds it took."""
    began = time.perf_counter()
    device = model.device
    step_tokens = max(1, sum(s.loss_tokens for b in group.micro for s in b))
    step_loss = 0.0
    for i, micro in enumerate(group.micro):
        batch = padded([s.encoded for s in micro], device, left=False)
        labels = _labels(micro, batch.shape[1], device)
        # Gradients synchronise across processes only on the step's last micro-batch.
        sync = (
            contextlib.nullcontext()
            if i == len(group.micro) - 1
            else accelerator.no_sync(model.module)
        )
        with sync, accelerator.autocast():
            loss = labelled_loss(model, batch, labels)
        accelerator.backward(loss / step_tokens)
        step_loss += loss.item()
        loop.tokens += sum(len(s) for s in micro)
    accelerator.clip_grad_norm_(list(run.params), MAX_GRAD_NORM)
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)
    loop.step += 1
    loop.losses.append(step_loss / step_tokens)
    loop.next_group = group.index + 1
    loop.epoch_loss += step_loss
    loop.epoch_tokens += step_tokens
    return time.perf_counter() - began


def _epoch_end(loop: LoopState, options: TrainOptions) -> str | None:
    """Early stopping at an epoch's end: why to stop, or None."""
    mean = loop.epoch_loss / loop.epoch_tokens
    loop.epoch_loss, loop.epoch_tokens = 0.0, 0.0
    if options.early_stop_loss is not None and mean < options.early_stop_loss:
        return "early_stop"
    if mean < loop.best:
        loop.best, loop.stale = mean, 0
    else:
        loop.stale += 1
    if options.patience is not None and loop.stale >= options.patience:
        return "patience"
    return None


def _resume(
    checkpoints: TrainingCheckpoints, run: RunParts, generator: torch.Generator
) -> LoopState:
    try:
        checkpoint, skipped = checkpoints.store.load_latest_valid(checkpoints.key)
    except CheckpointNotFoundError:
        return LoopState()
    for s in skipped:
        log.warning("training state skipped: %s", s)
    restored, epoch_rng = restore(checkpoint, run)
    generator.set_state(epoch_rng)
    return restored


def _save_now(
    checkpoints: TrainingCheckpoints,
    run: RunParts,
    loop: LoopState,
    last: _Group,
    start: float,
    *,
    stopped: str,
) -> None:
    """Save the state after ``last``, the group just trained, then apply the retention policy.
    ``stopped``: why the run ended ("" while it goes on); a state with a reason resumes as done."""
    loop.seconds = time.perf_counter() - start
    loop.stopped_because = stopped
    store = checkpoints.store
    files = capture(loop, run, last.epoch_rng)
    store.save(checkpoints.key, files, {"step": loop.step, "loss": loop.losses[-1]})
    if checkpoints.retention is not None:
        for version in checkpoints.retention.to_delete(store.versions(checkpoints.key)):
            store.delete(checkpoints.key, version)
