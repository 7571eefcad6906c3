"""One test-time training run inside a solve: within a time cap, polled for a stop request and
the host memory budget after every step, and retried smaller on out-of-memory
(``oom_policy``); ``None`` (the base model decodes) when it keeps failing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from arc_ttt.application.oom_policy import smaller_training
from arc_ttt.application.solve_options import Budget, SolveOptions
from arc_ttt.domain.errors import ModelOutOfMemoryError, SolveInterruptedError
from arc_ttt.domain.model_io import ModelRef, TrainingSequence, TrainResult
from arc_ttt.ports.model import Trainer
from arc_ttt.ports.progress import MemoryProbe


class TTTStep:
    def __init__(
        self, trainer: Trainer, memory: MemoryProbe, stop_requested: Callable[[], bool]
    ) -> None:
        self._trainer = trainer
        self._memory = memory
        self._stop_requested = stop_requested

    def train(
        self,
        base: ModelRef,
        name: str,
        sequences: Sequence[TrainingSequence],
        options: SolveOptions,
        *,
        cap: float | None,
        notes: list[str],
    ) -> TrainResult | None:
        """Train ``name`` within ``cap`` seconds (None: the options' own cap); what was cut goes
        to ``notes``. Raises ``SolveInterruptedError`` on a stop request."""
        budget = options.budget
        train_options = options.train
        if cap is not None and (
            train_options.max_seconds is None or cap < train_options.max_seconds
        ):
            train_options = replace(train_options, max_seconds=max(cap, 1e-3))
        for attempt in range(budget.oom_retries + 1):
            try:
                return self._trainer.adapt(
                    base,
                    name,
                    sequences,
                    train_options,
                    on_step=lambda step, loss: self.check(budget),
                )
            except ModelOutOfMemoryError as e:
                smaller = None if attempt == budget.oom_retries else smaller_training(train_options)
                if smaller is None:
                    notes.append(f"training out of memory ({e}); TTT skipped, base model decodes")
                    return None
                notes.append(
                    f"training out of memory ({e}); batch {train_options.batch_size} -> "
                    f"{smaller.batch_size}, gradient accumulation x2"
                )
                train_options = smaller
        return None  # pragma: no cover - the loop always returns

    def check(self, budget: Budget) -> None:
        """After each step: stop when asked, out of memory past the host memory budget."""
        if self._stop_requested():
            raise SolveInterruptedError("stop requested during test-time training")
        limit = budget.host_memory_bytes
        if limit is not None and (used := self._memory.current_bytes()) > limit:
            raise ModelOutOfMemoryError(
                f"host memory budget exceeded: {used / 2**30:.2f} GiB > {limit / 2**30:.2f} GiB"
            )
