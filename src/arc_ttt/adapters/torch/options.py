"""Checks of training and decoding options before any work starts; messages name the bad value."""

from __future__ import annotations

from arc_ttt.domain.errors import ModelConfigError
from arc_ttt.domain.model_io import DecodeOptions, TrainOptions


def _positive(owner: str, **values: float | int) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ModelConfigError(f"{owner}.{name} must be > 0, got {value!r}")


def check_train_options(options: TrainOptions) -> None:
    """Raise ``ModelConfigError`` for an option no training run can honour."""
    if options.steps < 0:
        raise ModelConfigError(f"TrainOptions.steps must be >= 0, got {options.steps!r}")
    if options.warmup_steps < 0:
        raise ModelConfigError(
            f"TrainOptions.warmup_steps must be >= 0, got {options.warmup_steps!r}"
        )
    _positive(
        "TrainOptions",
        batch_size=options.batch_size,
        grad_accumulation=options.grad_accumulation,
        learning_rate=options.learning_rate,
    )
    if options.method not in ("lora", "full"):
        raise ModelConfigError(
            f"TrainOptions.method must be 'lora' or 'full', got {options.method!r}"
        )
    if options.method == "lora":
        _positive("TrainOptions", lora_rank=options.lora_rank, lora_alpha=options.lora_alpha)
        if not 0.0 <= options.lora_dropout < 1.0:
            raise ModelConfigError(
                f"TrainOptions.lora_dropout must be in [0, 1), got {options.lora_dropout!r}"
            )
    if options.max_seconds is not None:
        _positive("TrainOptions", max_seconds=options.max_seconds)
    if options.patience is not None:
        _positive("TrainOptions", patience=options.patience)


def check_decode_options(options: DecodeOptions) -> None:
    """Raise ``ModelConfigError`` for a decoding option out of range."""
    if options.strategy not in ("greedy", "dfs"):
        raise ModelConfigError(
            f"DecodeOptions.strategy must be 'greedy' or 'dfs', got {options.strategy!r}"
        )
    if options.max_new_tokens < 0:
        raise ModelConfigError(
            f"DecodeOptions.max_new_tokens must be >= 0, got {options.max_new_tokens!r}"
        )
    _positive(
        "DecodeOptions",
        batch_size=options.batch_size,
        max_candidates=options.max_candidates,
        max_expansions=options.max_expansions,
    )
    if not 0.0 < options.min_prob <= 1.0:
        raise ModelConfigError(
            f"DecodeOptions.min_prob must be in (0, 1], got {options.min_prob!r}"
        )
