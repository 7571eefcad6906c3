"""What a solve is asked to do: the TTT mode, the training, TTT-set and decoding options, the
views, the seed and the budget."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
from arc_ttt.domain.ttt_dataset import TTTSetOptions


@dataclass(frozen=True, slots=True)
class Budget:
    """Limits of a run. ``total_seconds`` is shared out over the tasks still to do (each gets the
    time left divided by the tasks left, at most ``task_seconds``); training may use
    ``train_share`` of a task's time, decoding the rest. Once the time is used up, the remaining
    tasks get fallback attempts (their test input) without any model call, so the submission is
    always complete. ``host_memory_bytes``: training stops with an out-of-memory error when the
    process grows past it. ``oom_retries``: halvings of the batch (training) or of the views and
    batch (decoding) before giving up on TTT (then decoding with the base model) or on decoding.

    With shared TTT, the one training run may use ``train_share`` of the whole run's time; the
    time left is then shared out over the tasks for decoding."""

    total_seconds: float | None = None
    task_seconds: float | None = None
    train_share: float = 0.6
    host_memory_bytes: int | None = None
    oom_retries: int = 2

    def after_startup(self, spent: float) -> Budget:
        """This budget for a solve that begins ``spent`` seconds into its time limit (the
        process's start-up: imports, loading the tasks and the model). ``total_seconds`` is
        what is left once ``spent`` and ``end_reserve(total_seconds)`` (writing the results,
        exiting) are taken off, at least ``MIN_SOLVE_SECONDS``: the solve then still gives
        every task its fallback attempts. Without a time limit, the budget is unchanged."""
        if self.total_seconds is None:
            return self
        left = self.total_seconds - max(spent, 0.0) - end_reserve(self.total_seconds)
        return replace(self, total_seconds=max(left, MIN_SOLVE_SECONDS))


# Kept at the end of a time limit for what follows the solve (writing submission.json, the
# records and the report; the worker pool and the interpreter shutting down). Measured on
# 2 loaded cores: 0.6 s after a 60 s solve, and the last task overshoots its deadline by up to
# 0.9 s (docs/budgets.md).
END_RESERVE_SECONDS = 1.0
END_RESERVE_SHARE = 0.02
MIN_SOLVE_SECONDS = 1e-3


def end_reserve(limit: float) -> float:
    """Seconds of a ``limit``-second run kept for its end: 1 s plus 2% of the limit."""
    return END_RESERVE_SECONDS + END_RESERVE_SHARE * limit


@dataclass(frozen=True, slots=True)
class SolveOptions:
    ttt: Literal["per-task", "shared", "none"] = "per-task"
    train: TrainOptions = field(default_factory=TrainOptions)
    ttt_set: TTTSetOptions = field(default_factory=TTTSetOptions)
    decode: DecodeOptions = field(default_factory=DecodeOptions)
    views: int = 4
    product_of_experts: bool = True
    seed: int = 0
    budget: Budget = field(default_factory=Budget)
