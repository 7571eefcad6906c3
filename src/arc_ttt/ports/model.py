"""The model ports: adapt a base model to one task, generate candidates, score outputs.

A single adapter (torch, later ONNX) may serve all three; the container hands the same object
to each slot. Models are named by ``ModelRef``; tensors never cross these ports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from arc_ttt.domain.codec import Encoded
from arc_ttt.domain.model_io import (
    Candidate,
    DecodeOptions,
    ModelRef,
    TrainingSequence,
    TrainOptions,
    TrainResult,
)


@runtime_checkable
class Trainer(Protocol):
    """Adapts a base model to one task's training sequences.

    ``adapt`` starts from the base's weights every time (fresh adapter), so adapting to task A
    and then B gives B the same model as adapting to B alone. It trains at most
    ``options.steps`` optimizer steps, stops early by time or loss as the options say, and is
    deterministic for a fixed ``options.seed`` on CPU. ``release`` frees an adapted model.
    ``on_step(step, loss)`` runs after every optimizer step; an exception it raises ends the
    training and propagates. Raises ``ArcTTTError`` subclasses only (``ModelOutOfMemoryError``
    when memory runs out), besides what ``on_step`` raises.
    """

    def base(self) -> ModelRef: ...

    def adapt(
        self,
        base: ModelRef,
        name: str,
        sequences: Sequence[TrainingSequence],
        options: TrainOptions,
        *,
        on_step: Callable[[int, float], None] | None = None,
    ) -> TrainResult: ...

    def release(self, model: ModelRef) -> None: ...


@runtime_checkable
class Generator(Protocol):
    """Produces candidate completions for prompts.

    Returns, per prompt, candidates best first, each with its summed log-probability (<= 0).
    Greedy gives exactly one candidate per prompt (possibly ``complete=False`` when it ran out of
    ``max_new_tokens``); the greedy candidate is the most probable under ``Scorer.score``'s
    view of greedy decoding. Same inputs and options give the same candidates.
    """

    def generate(
        self, model: ModelRef, prompts: Sequence[Encoded], options: DecodeOptions
    ) -> list[list[Candidate]]: ...


@runtime_checkable
class Scorer(Protocol):
    """Log-probability (<= 0) of each target given its prompt, summed over the target's tokens."""

    def score(
        self, model: ModelRef, prompts: Sequence[Encoded], targets: Sequence[Encoded]
    ) -> list[float]: ...
