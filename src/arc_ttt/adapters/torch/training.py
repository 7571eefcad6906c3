"""The training loop behind ``Trainer.adapt``: length-bucketed batches, AdamW, warmup + cosine,
gradient accumulation, mixed precision and device placement through accelerate, early stopping.

Each optimizer step's loss is the mean over its loss tokens (all micro-batches together), so
accumulating k micro-batches equals one batch k times as large.
"""

from __future__ import annotations

import contextlib
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
from arc_ttt.domain.codec import VOCAB_SIZE
from arc_ttt.domain.model_io import TrainingSequence, TrainOptions

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


def _epochs(
    sequences: Sequence[TrainingSequence], options: TrainOptions, generator: torch.Generator
) -> Iterator[tuple[list[list[TrainingSequence]], bool]]:
    """Groups of micro-batches (one optimizer step each), flagged True at an epoch's last group."""
    lengths = [len(s) for s in sequences]
    while True:
        batches = length_buckets(lengths, options.batch_size, generator)
        groups = [
            batches[i : i + options.grad_accumulation]
            for i in range(0, len(batches), options.grad_accumulation)
        ]
        for k, group in enumerate(groups):
            yield [[sequences[i] for i in b] for b in group], k == len(groups) - 1


def _micro_loss(model: SymbolModel, batch: TokenBatch, labels: Tensor) -> Tensor:
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
) -> TrainingOutcome:
    """Train ``params`` of ``model`` on ``sequences`` for at most ``options.steps`` optimizer steps."""
    start = time.perf_counter()
    if not sequences or options.steps == 0:
        return TrainingOutcome(0, 0, 0.0, (), "no_data" if not sequences else "steps")
    optimizer = torch.optim.AdamW(
        params, lr=options.learning_rate, weight_decay=options.weight_decay, betas=(0.9, 0.95)
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, warmup_cosine(options.warmup_steps, options.steps)
    )
    optimizer, scheduler = accelerator.prepare(optimizer, scheduler)
    generator = torch.Generator().manual_seed(options.seed)
    device = model.device
    losses: list[float] = []
    tokens = 0
    reason = "steps"
    epoch_loss = epoch_tokens = 0.0
    best, stale = math.inf, 0
    model.module.train()
    try:
        for group, epoch_end in _epochs(sequences, options, generator):
            if len(losses) >= options.steps:
                break
            if (
                options.max_seconds is not None
                and time.perf_counter() - start >= options.max_seconds
            ):
                reason = "time"
                break
            step_tokens = max(1, sum(s.loss_tokens for b in group for s in b))
            step_loss = 0.0
            for i, micro in enumerate(group):
                batch = padded([s.encoded for s in micro], device, left=False)
                labels = _labels(micro, batch.shape[1], device)
                # Gradients synchronise across processes only on the step's last micro-batch.
                sync = (
                    contextlib.nullcontext()
                    if i == len(group) - 1
                    else accelerator.no_sync(model.module)
                )
                with sync, accelerator.autocast():
                    loss = _micro_loss(model, batch, labels)
                accelerator.backward(loss / step_tokens)
                step_loss += loss.item()
                tokens += sum(len(s) for s in micro)
            accelerator.clip_grad_norm_(params, MAX_GRAD_NORM)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(step_loss / step_tokens)
            epoch_loss += step_loss
            epoch_tokens += step_tokens
            if epoch_end:
                mean, epoch_loss, epoch_tokens = epoch_loss / epoch_tokens, 0.0, 0.0
                if options.early_stop_loss is not None and mean < options.early_stop_loss:
                    reason = "early_stop"
                    break
                best, stale = (mean, 0) if mean < best else (best, stale + 1)
                if options.patience is not None and stale >= options.patience:
                    reason = "patience"
                    break
    finally:
        model.module.eval()
        accelerator.free_memory()
    return TrainingOutcome(len(losses), tokens, time.perf_counter() - start, tuple(losses), reason)
