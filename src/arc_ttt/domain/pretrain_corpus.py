"""The data of a pretraining run: tasks in, augmented leave-one-out sequences out, epoch by epoch.

Training tasks are training data, so their test pairs join their demonstrations. Every epoch asks
for each demonstration of each training task once (leave-one-out, the others as context), under a
fresh augmentation (D8 symmetry x color permutation x demonstration order) drawn from
``Random(f"{seed}:{epoch}:{task id}")``: any epoch is rebuilt alone from its number, which is how
a resumed run finds its data again. Validation tasks are held out whole and seen un-augmented.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from operator import attrgetter
from typing import Literal

from arc_ttt.domain.augmentation import Augmentation, random_augmentation
from arc_ttt.domain.model_io import TrainingSequence
from arc_ttt.domain.task import Example, Task
from arc_ttt.domain.ttt_dataset import leave_one_out, training_sequence


@dataclass(frozen=True, slots=True)
class CorpusOptions:
    """``max_tokens``: longer sequences are left out. ``loss_on``: every output grid
    (``"outputs"``) or only the one asked for (``"target"``). ``augment``: draw a random view per
    sequence (off: every epoch is the same)."""

    max_tokens: int = 8192
    loss_on: Literal["outputs", "target"] = "outputs"
    augment: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.max_tokens, int) or self.max_tokens <= 0:
            raise ValueError(f"CorpusOptions.max_tokens must be > 0, got {self.max_tokens!r}")
        if self.loss_on not in ("outputs", "target"):
            raise ValueError(
                f"CorpusOptions.loss_on must be outputs or target, got {self.loss_on!r}"
            )


def with_tests_as_demos(task: Task) -> Task:
    """The task with its solved test pairs added to its demonstrations (for training data only)."""
    if task.test_outputs is None:
        return task
    extra = tuple(Example(i, o) for i, o in zip(task.test_inputs, task.test_outputs, strict=True))
    return Task(task.id, task.train + extra, task.test_inputs, task.test_outputs)


def split_validation(
    tasks: Sequence[Task], fraction: float, seed: int | str
) -> tuple[tuple[Task, ...], tuple[Task, ...]]:
    """(training, validation): ``fraction`` of the tasks, drawn with ``seed``, held out whole.

    With a fraction above 0 and two tasks or more, at least one task goes each way. Both parts
    come sorted by id. Raises ``ValueError`` for a fraction outside [0, 1).
    """
    if not 0.0 <= fraction < 1.0:
        raise ValueError(f"validation fraction must be in [0, 1), got {fraction!r}")
    ordered = sorted(tasks, key=lambda t: t.id)
    random.Random(f"split:{seed}").shuffle(ordered)
    held = round(fraction * len(ordered))
    if fraction > 0 and len(ordered) >= 2:
        held = min(max(1, held), len(ordered) - 1)
    by_id = attrgetter("id")
    return tuple(sorted(ordered[held:], key=by_id)), tuple(sorted(ordered[:held], key=by_id))


def task_digest(task: Task) -> str:
    """sha256 of everything in the task (its content hash and its test outputs)."""
    h = hashlib.sha256(task.content_hash().encode())
    for g in task.test_outputs or ():
        h.update(f"{g.height}x{g.width}:".encode())
        h.update(g.cells.tobytes())
    return h.hexdigest()


class PretrainCorpus:
    """Training sequences per epoch and a fixed validation set, from two disjoint task lists."""

    def __init__(
        self,
        train: Sequence[Task],
        validation: Sequence[Task],
        options: CorpusOptions,
        seed: int,
    ) -> None:
        self.train_tasks = tuple(with_tests_as_demos(t) for t in train)
        self.validation_tasks = tuple(with_tests_as_demos(t) for t in validation)
        self.options = options
        self.seed = seed
        self._last: tuple[int, list[TrainingSequence], int] | None = None

    def epoch(self, index: int) -> list[TrainingSequence]:
        """Epoch ``index``'s sequences, task by task (the trainer shuffles the batches)."""
        return self._epoch(index)[0]

    def skipped(self, index: int) -> int:
        """How many of epoch ``index``'s sequences were longer than ``max_tokens``."""
        return self._epoch(index)[1]

    def validation(self) -> list[TrainingSequence]:
        """Every leave-one-out sequence of the validation tasks, un-augmented, in task order."""
        views = [
            training_sequence(sub, Augmentation(), self.options.loss_on)
            for task in self.validation_tasks
            for sub in leave_one_out(task)
        ]
        return [s for s in views if len(s) <= self.options.max_tokens]

    def fingerprint(self) -> str:
        """sha256 of the tasks (their whole content), the options and the seed: a saved state
        resumes only a run whose corpus has the same fingerprint."""
        record = {
            "seed": self.seed,
            "options": asdict(self.options),
            "train": [[t.id, task_digest(t)] for t in self.train_tasks],
            "validation": [[t.id, task_digest(t)] for t in self.validation_tasks],
        }
        return hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()

    def _epoch(self, index: int) -> tuple[list[TrainingSequence], int]:
        if self._last is not None and self._last[0] == index:
            return self._last[1], self._last[2]
        sequences: list[TrainingSequence] = []
        skipped = 0
        for task in self.train_tasks:
            rng = random.Random(f"{self.seed}:{index}:{task.id}")
            for sub in leave_one_out(task):
                aug = random_augmentation(rng, len(sub.context)) if self.options.augment else None
                seq = training_sequence(sub, aug or Augmentation(), self.options.loss_on)
                if len(seq) <= self.options.max_tokens:
                    sequences.append(seq)
                else:
                    skipped += 1
        self._last = (index, sequences, skipped)
        return sequences, skipped
