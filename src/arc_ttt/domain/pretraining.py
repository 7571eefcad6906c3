"""What crosses the pretraining port: options, progress records, the outcome, early stopping.

Pretraining trains a model from scratch on many tasks (``pretrain_corpus``); test-time training
(``model_io.TrainOptions`` on one task) then adapts it. The optimizer, schedule and batch sizes of
a pretraining run are a ``TrainOptions`` (always full training); validation, logging and early
stopping are this module's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.model_io import TrainOptions


class PretrainStateError(ArcTTTError, ValueError):
    """A pretraining run asked to start fresh where a saved state exists, or to resume where
    there is none. Names the store and the key."""


class PretrainDataError(ArcTTTError, ValueError):
    """The data left for a pretraining run cannot train or validate (no training task, or no
    validation sequence within the token limit). Says which setting to change."""


@dataclass(frozen=True, slots=True)
class PretrainOptions:
    """How a pretraining run goes.

    ``train``: optimizer, warmup + cosine schedule over ``train.steps``, batch size, gradient
    accumulation, time cap (``max_seconds``, of this run: a resumed run gets it anew),
    ``patience`` (validations without an improvement of at least ``min_delta`` before the run
    stops; None: never) and seed; ``method`` is always full.
    ``eval_every``: steps between validations (the last step is always validated).
    ``log_every``: steps between progress records (validations are recorded too).
    """

    train: TrainOptions = field(default_factory=lambda: TrainOptions(method="full"))
    eval_every: int = 500
    log_every: int = 10
    min_delta: float = 0.0

    def __post_init__(self) -> None:
        if self.train.method != "full":
            raise ValueError(f"pretraining trains in full, got method={self.train.method!r}")
        for name in ("eval_every", "log_every"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"PretrainOptions.{name} must be a positive int, got {value!r}")
        if not (self.min_delta >= 0 and math.isfinite(self.min_delta)):
            raise ValueError(f"PretrainOptions.min_delta must be >= 0, got {self.min_delta!r}")


@dataclass(frozen=True, slots=True)
class PretrainProgress:
    """One progress record: ``train_loss`` is the mean step loss since the previous record,
    ``tokens_per_second`` the rate over those steps (this process only), ``val_loss`` set when
    this step was validated; ``tokens`` and ``seconds`` count the whole run (resumes included)."""

    step: int
    total_steps: int
    epoch: int
    train_loss: float
    val_loss: float | None
    tokens: int
    tokens_per_second: float
    seconds: float
    learning_rate: float


@dataclass(frozen=True, slots=True)
class PretrainOutcome:
    """What a pretraining run did.

    ``stopped_because``: steps | early_stop | time | interrupted. ``model_step``: the step whose
    weights the model holds now (the best validation, or the last step without validation).
    ``validations``: (step, loss) of every validation, resumed runs included.
    """

    steps: int
    tokens: int
    seconds: float
    stopped_because: str
    epochs: int
    losses: tuple[float, ...]
    validations: tuple[tuple[int, float], ...]
    model_step: int
    resumed_from_step: int = 0

    @property
    def best_val_loss(self) -> float | None:
        return min((loss for _, loss in self.validations), default=None)


@dataclass
class EarlyStopping:
    """Keeps the best validation loss and says when to stop: after ``patience`` validations in
    a row that did not beat the best by at least ``min_delta`` (None: never stop)."""

    patience: int | None = None
    min_delta: float = 0.0
    best: float = math.inf
    best_step: int = 0
    stale: int = 0

    def observe(self, step: int, loss: float) -> tuple[bool, bool]:
        """Record the validation ``loss`` at ``step``; returns (improved, stop)."""
        improved = loss < self.best - self.min_delta  # the first finite loss always improves
        if improved:
            self.best, self.best_step, self.stale = loss, step, 0
        else:
            self.stale += 1
        return improved, self.patience is not None and self.stale >= self.patience
