"""Pretraining settings: flags and ``ARC_TTT_PRETRAIN__*`` variables become the run's options,
and a bad value names its flag."""

from types import SimpleNamespace

import pytest
from click import UsageError

from arc_ttt.cli import pretrain as cli_pretrain
from arc_ttt.container import pretrain_options, pretrain_plan
from arc_ttt.settings import Settings


def parse(*argv: str) -> SimpleNamespace:
    """The flags as ``arc-ttt pretrain`` parses them (click), without running it."""
    context = cli_pretrain.pretrain_command.make_context("pretrain", ["--out", "m", *argv])
    return SimpleNamespace(**context.params)


def test_flags_become_the_options_of_the_run():
    args = parse(
        *("--data", "arc2-train, synthetic", "--synthetic-tasks", "7", "--steps", "90"),
        *("--minutes", "1.5", "--lr", "0.002", "--warmup", "9", "--patience", "0"),
        *("--eval-every", "30", "--max-tokens", "999", "--seed", "4", "--d-model", "64"),
    )
    settings = cli_pretrain.settings_from(args)
    options, corpus = pretrain_options(settings)
    train = options.train
    assert (train.steps, train.learning_rate, train.warmup_steps) == (90, 0.002, 9)
    assert train.max_seconds == 90.0 and train.patience is None  # 0: never stop early
    assert train.method == "full" and train.seed == 4 and options.eval_every == 30
    assert corpus.max_tokens == 999 and settings.model.d_model == 64
    plan = pretrain_plan(settings)
    assert plan.sources == ("arc2-train", "synthetic") and plan.synthetic_tasks == 7
    assert plan.seed == 4


def test_the_environment_sets_what_flags_leave_out(monkeypatch):
    monkeypatch.setenv("ARC_TTT_PRETRAIN__BATCH_SIZE", "3")
    monkeypatch.setenv("ARC_TTT_PRETRAIN__STEPS", "77")
    settings = cli_pretrain.settings_from(parse("--steps", "5"))
    assert settings.pretrain.batch_size == 3 and settings.pretrain.steps == 5
    assert Settings().pretrain.data == ("arc1-train", "arc2-train", "synthetic")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--val-fraction", "0.6"], "--val-fraction: Input should be less than or equal to 0.5"),
        (["--grad-accumulation", "0"], "--grad-accumulation: Input should be greater than 0"),
        (["--data", "synthetic,arc2-eval"], "--data: unknown source(s) 'arc2-eval'"),
        (["--data", "synthetic,synthetic"], "--data: a source is listed twice"),
        (["--data", " , "], "--data: unknown source(s) (none)"),
        (["--threads", "0"], "--threads: Input should be greater than 0"),
    ],
)
def test_a_bad_value_names_its_flag(argv, message):
    with pytest.raises(UsageError) as raised:
        cli_pretrain.settings_from(parse(*argv))
    assert raised.value.message.startswith(message)
