"""The manifest of a pretrained model: what went in (model, data, options), what came out
(steps, tokens, losses, why it stopped) and where the code came from. JSON values only."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from arc_ttt.application.pretrain_data import EXCLUSION_RULE, PretrainData
from arc_ttt.domain.checkpoint import JsonValue
from arc_ttt.domain.pretrain_corpus import CorpusOptions
from arc_ttt.domain.pretraining import PretrainOptions, PretrainOutcome

MANIFEST_FORMAT = 1


def finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such a number becomes null."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _mean(values: tuple[float, ...]) -> float | None:
    return finite(sum(values) / len(values)) if values else None


def manifest_record(
    data: PretrainData,
    options: PretrainOptions,
    corpus: CorpusOptions,
    outcome: PretrainOutcome,
    *,
    model: Mapping[str, JsonValue],
    stats: Mapping[str, int],
    provenance: Mapping[str, JsonValue],
) -> dict[str, Any]:
    """The manifest: ``model`` (its description), data (sources, exclusions, counts, ``stats`` of
    the sequences), options, result, seed and ``provenance``."""
    train = options.train
    window = max(1, options.log_every)
    validations = [[s, finite(v)] for s, v in outcome.validations]
    return {
        "format": MANIFEST_FORMAT,
        "model": dict(model),
        "data": {
            "sources": [asdict(s) for s in data.sources],
            "held_out": list(data.held_out),
            "exclusion_rule": EXCLUSION_RULE,
            "excluded_tasks": data.excluded,
            "duplicate_tasks": sum(s.duplicates for s in data.sources),
            "train_tasks": len(data.train),
            "validation_tasks": len(data.validation),
            **stats,
            "sequences": {
                **asdict(corpus),
                "rule": "leave-one-out over demonstrations and solved test pairs, a fresh "
                "augmentation (D8 x colors x order) per sequence and epoch; validation "
                "un-augmented",
            },
        },
        "training": {
            "steps": train.steps,
            "batch_size": train.batch_size,
            "grad_accumulation": train.grad_accumulation,
            "learning_rate": train.learning_rate,
            "warmup_steps": train.warmup_steps,
            "schedule": "linear warmup, cosine to 0 at the last step",
            "weight_decay": train.weight_decay,
            "max_seconds": train.max_seconds,
            "patience": train.patience,
            "min_delta": options.min_delta,
            "eval_every": options.eval_every,
            "log_every": options.log_every,
            "gradient_checkpointing": train.gradient_checkpointing,
        },
        "result": {
            "steps": outcome.steps,
            "epochs": outcome.epochs,
            "tokens": outcome.tokens,
            "seconds": round(outcome.seconds, 3),
            "tokens_per_second": round(outcome.tokens / outcome.seconds)
            if outcome.seconds
            else None,
            "stopped_because": outcome.stopped_because,
            "resumed_from_step": outcome.resumed_from_step,
            "model_step": outcome.model_step,
            "train_loss_first": _mean(outcome.losses[:window]),
            "train_loss_last": _mean(outcome.losses[-window:]),
            "val_loss_first": validations[0][1] if validations else None,
            "val_loss_best": finite(outcome.best_val_loss),
            "val_loss_last": validations[-1][1] if validations else None,
            "validations": validations,
        },
        "seed": train.seed,
        "provenance": dict(provenance),
    }
