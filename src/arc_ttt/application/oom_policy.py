"""What a solve cuts when the model runs out of memory: training halves its batch and doubles
gradient accumulation (the same effective batch); decoding halves its views and its batch. Each
returns ``None`` when nothing is left to halve."""

from __future__ import annotations

from dataclasses import replace

from arc_ttt.application.solve_options import SolveOptions
from arc_ttt.domain.model_io import TrainOptions


def smaller_training(options: TrainOptions) -> TrainOptions | None:
    smaller = max(1, options.batch_size // 2)
    if smaller == options.batch_size:
        return None
    return replace(options, batch_size=smaller, grad_accumulation=options.grad_accumulation * 2)


def smaller_decoding(options: SolveOptions) -> SolveOptions | None:
    views = max(1, options.views // 2)
    batch = max(1, options.decode.batch_size // 2)
    if views == options.views and batch == options.decode.batch_size:
        return None
    return replace(options, views=views, decode=replace(options.decode, batch_size=batch))
