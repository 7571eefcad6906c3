"""One place for defaults: the settings read the option classes' defaults."""

from __future__ import annotations


def test_the_cli_and_the_library_share_their_defaults():
    """A library user (``TrainOptions()`` and friends) and a CLI user (``Settings()``) solve alike:
    every option a settings section maps to has the same default in both."""
    from arc_ttt.application.solve_options import Budget, SolveOptions
    from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
    from arc_ttt.domain.search import SearchOptions
    from arc_ttt.domain.ttt_dataset import TTTSetOptions
    from arc_ttt.settings import BudgetSettings, DecodeSettings, SearchSettings, TTTSettings

    ttt, decode, budget, search = (
        TTTSettings(),
        DecodeSettings(),
        BudgetSettings(),
        SearchSettings(),
    )
    train = TrainOptions()
    for name in (
        "steps",
        "batch_size",
        "grad_accumulation",
        "learning_rate",
        "warmup_steps",
        "weight_decay",
        "lora_rank",
        "lora_alpha",
        "lora_dropout",
        "gradient_checkpointing",
        "early_stop_loss",
    ):
        assert getattr(ttt, name) == getattr(train, name), name
    sets = TTTSetOptions()
    assert (ttt.copies_per_demo, ttt.loss_on, ttt.max_tokens) == (
        sets.per_subtask,
        sets.loss_on,
        sets.max_tokens,
    )
    d = DecodeOptions()
    for name in ("strategy", "min_prob", "max_candidates", "max_expansions", "batch_size"):
        assert getattr(decode, name) == getattr(d, name), name
    assert decode.constrained == d.constrained
    solve = SolveOptions()
    assert (decode.views, decode.product_of_experts) == (solve.views, solve.product_of_experts)
    assert (budget.train_share, budget.oom_retries) == (Budget().train_share, Budget().oom_retries)
    so = SearchOptions()
    assert (search.max_depth, search.seconds) == (so.max_depth, so.seconds)
    assert search.memory_gb * 1024**3 == so.memory_bytes
