"""A task's test-time training set: leave-one-out sub-tasks of its demonstrations, augmented.

For a task with n demonstrations, sub-task j shows the other n - 1 as context and asks for
demonstration j's output. Each sequence is drawn under a random augmentation (symmetry x colors x
order), the same one for every grid of the sequence, so the rule survives (MIT TTT, 2024).
The test outputs are never used.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from arc_ttt.domain.augmentation import Augmentation, Dihedral, random_augmentation
from arc_ttt.domain.codec import encode_prompt, encode_target
from arc_ttt.domain.model_io import TrainingSequence
from arc_ttt.domain.task import Example, Task


@dataclass(frozen=True, slots=True)
class TTTSetOptions:
    """``per_subtask`` augmented copies of each leave-one-out sub-task (the first one un-augmented).

    ``loss_on``: ``"outputs"`` trains on every output grid in the sequence (context outputs too),
    ``"target"`` only on the held-out output.
    """

    per_subtask: int = 8
    transforms: tuple[Dihedral, ...] = tuple(Dihedral)
    permute_colors: bool = True
    keep_background: bool = True
    shuffle_order: bool = True
    loss_on: Literal["outputs", "target"] = "outputs"
    max_tokens: int = 8192

    def __post_init__(self) -> None:
        if self.per_subtask < 1:
            raise ValueError(f"per_subtask must be >= 1, got {self.per_subtask}")
        if not self.transforms:
            raise ValueError("transforms must not be empty")


@dataclass(frozen=True, slots=True)
class SubTask:
    """Leave-one-out sub-task: ``held_out`` is the index of the demonstration asked for."""

    context: tuple[Example, ...]
    query: Example
    held_out: int


def leave_one_out(task: Task) -> list[SubTask]:
    """n sub-tasks for n demonstrations; with one demonstration, one sub-task without context."""
    demos = task.train
    return [SubTask(demos[:j] + demos[j + 1 :], demos[j], j) for j in range(len(demos))]


def training_sequence(
    sub: SubTask, aug: Augmentation, loss_on: str = "outputs"
) -> TrainingSequence:
    """Encode one (augmented) sub-task as prompt + target with its loss mask."""
    context = [Example(aug.apply_grid(e.input), aug.apply_grid(e.output)) for e in sub.context]
    if aug.order is not None and len(aug.order) == len(context):
        context = [context[i] for i in aug.order]
    prompt = encode_prompt(context, aug.apply_grid(sub.query.input))
    target = encode_target(aug.apply_grid(sub.query.output), 2 * len(context) + 1)
    full = prompt + target
    # "target": only the held-out output; "outputs": every output grid, context outputs too.
    mask = (False,) * len(prompt) + (True,) * len(target) if loss_on == "target" else full.is_output
    return TrainingSequence(full, mask)


def build_ttt_set(task: Task, options: TTTSetOptions, seed: int) -> list[TrainingSequence]:
    """The task's training sequences, deterministic for a seed; too-long sequences are skipped."""
    rng = random.Random(f"{seed}:{task.id}")
    sequences: list[TrainingSequence] = []
    for sub in leave_one_out(task):
        for copy in range(options.per_subtask):
            aug = Augmentation() if copy == 0 else _draw(rng, len(sub.context), options)
            seq = training_sequence(sub, aug, options.loss_on)
            if len(seq) <= options.max_tokens:
                sequences.append(seq)
    return sequences


def _draw(rng: random.Random, n_context: int, options: TTTSetOptions) -> Augmentation:
    return random_augmentation(
        rng,
        n_context,
        transforms=options.transforms,
        permute_colors=options.permute_colors,
        keep_background=options.keep_background,
        shuffle_order=options.shuffle_order,
    )


def held_out_sequences(task: Task, loss_on: str = "target") -> list[TrainingSequence]:
    """The plain (un-augmented) leave-one-out sequences, for measuring adaptation."""
    return [training_sequence(sub, Augmentation(), loss_on) for sub in leave_one_out(task)]


def sequence_lengths(sequences: Sequence[TrainingSequence]) -> int:
    """Total tokens of a set of sequences."""
    return sum(len(s) for s in sequences)
