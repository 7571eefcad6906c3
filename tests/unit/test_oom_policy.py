"""What a solve cuts on out-of-memory, step by step, until nothing is left to halve."""

from arc_ttt.application.oom_policy import smaller_decoding, smaller_training
from arc_ttt.application.solve_options import SolveOptions
from arc_ttt.domain.model_io import DecodeOptions, TrainOptions


def test_training_halves_the_batch_and_keeps_the_effective_batch():
    steps = []
    options: TrainOptions | None = TrainOptions(batch_size=5, grad_accumulation=1)
    while options is not None:
        steps.append((options.batch_size, options.grad_accumulation))
        options = smaller_training(options)
    assert steps == [(5, 1), (2, 2), (1, 4)]


def test_decoding_halves_views_and_batch_until_both_are_one():
    steps = []
    options: SolveOptions | None = SolveOptions(views=4, decode=DecodeOptions(batch_size=2))
    while options is not None:
        steps.append((options.views, options.decode.batch_size))
        options = smaller_decoding(options)
    assert steps == [(4, 2), (2, 1), (1, 1)]
