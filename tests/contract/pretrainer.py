"""The Pretrainer contract: one class, subclassed once per adapter (the torch one and the fake).

A subclass provides the fixture ``make`` (a function returning a fresh pretrainer); the corpus
is small synthetic tasks. Nothing here knows about torch.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.domain.checkpoint_policy import SaveSchedule
from arc_ttt.domain.errors import CheckpointMismatchError
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.domain.pretrain_corpus import CorpusOptions, PretrainCorpus
from arc_ttt.domain.pretraining import PretrainOptions, PretrainOutcome
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.ports.pretrainer import Pretrainer, StateCheckpoints

TASKS = generate_tasks(8, seed=11, min_side=3, max_side=4)
# 10 training sequences in batches of 2, two per step: 3 steps an epoch, so a run of 6 steps
# crosses epochs and one stopped after step 4 resumes inside its second epoch.
OPTIONS = PretrainOptions(
    train=TrainOptions(
        steps=6,
        batch_size=2,
        grad_accumulation=2,
        learning_rate=3e-3,
        warmup_steps=2,
        method="full",
        seed=4,
    ),
    eval_every=3,
    log_every=2,
)


def corpus() -> PretrainCorpus:
    return PretrainCorpus(TASKS[:2], TASKS[6:], CorpusOptions(max_tokens=300), seed=4)


def same_run(a: PretrainOutcome, b: PretrainOutcome) -> bool:
    keys = ("steps", "tokens", "losses", "validations", "model_step", "epochs")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


class PretrainerContract:
    @pytest.fixture
    def make(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def test_is_a_pretrainer_that_describes_its_model(self, make):
        pretrainer = make()
        assert isinstance(pretrainer, Pretrainer)
        assert isinstance(pretrainer.describe()["parameters"], int)

    def test_trains_the_steps_and_reports_on_schedule(self, make):
        records = []
        outcome = make().pretrain(corpus(), OPTIONS, on_progress=records.append)
        assert (outcome.steps, outcome.stopped_because, len(outcome.losses)) == (6, "steps", 6)
        assert [r.step for r in records] == [2, 3, 4, 6]
        assert [r.step for r in records if r.val_loss is not None] == [3, 6]
        assert [s for s, _ in outcome.validations] == [3, 6]
        assert all(math.isfinite(v) for _, v in outcome.validations)
        best = min(outcome.validations, key=lambda sv: sv[1])
        assert outcome.model_step == best[0] and outcome.best_val_loss == best[1]
        assert outcome.tokens > 0 and outcome.epochs == 2
        assert records[-1].tokens == outcome.tokens and records[-1].total_steps == 6

    def test_the_same_seed_gives_the_same_run(self, make):
        assert same_run(make().pretrain(corpus(), OPTIONS), make().pretrain(corpus(), OPTIONS))

    def test_a_run_stopped_and_resumed_equals_one_never_stopped(self, make):
        whole = make().pretrain(corpus(), OPTIONS)
        store = InMemoryCheckpointStore()
        checkpoints = StateCheckpoints(store, "pre", SaveSchedule(every_steps=100))
        done: list[int] = []
        first = make().pretrain(
            corpus(),
            replace(OPTIONS, log_every=1),
            checkpoints=checkpoints,
            on_progress=lambda p: done.append(p.step),
            stop_requested=lambda: len(done) >= 4,
        )
        assert (first.steps, first.stopped_because) == (4, "interrupted")
        assert store.versions("pre")[-1].metadata["step"] == 4  # saved when stopped
        resumed = make().pretrain(corpus(), OPTIONS, checkpoints=checkpoints)
        assert resumed.resumed_from_step == 4 and resumed.stopped_because == "steps"
        assert same_run(resumed, whole)
        records = []
        again = make().pretrain(
            corpus(), OPTIONS, checkpoints=checkpoints, on_progress=records.append
        )
        assert again.resumed_from_step == 6 and records == []  # a finished state stays finished
        assert same_run(again, whole)

    def test_a_state_of_other_options_is_refused(self, make):
        checkpoints = StateCheckpoints(InMemoryCheckpointStore(), "pre")
        make().pretrain(corpus(), OPTIONS, checkpoints=checkpoints)
        other = replace(OPTIONS, train=replace(OPTIONS.train, learning_rate=1e-2))
        with pytest.raises(CheckpointMismatchError):
            make().pretrain(corpus(), other, checkpoints=checkpoints)
        other_data = PretrainCorpus(TASKS[:3], TASKS[6:], CorpusOptions(max_tokens=300), seed=4)
        with pytest.raises(CheckpointMismatchError):
            make().pretrain(other_data, OPTIONS, checkpoints=checkpoints)

    def test_validation_without_enough_gain_stops_early_and_keeps_the_best(self, make):
        options = replace(
            OPTIONS,
            train=replace(OPTIONS.train, patience=2),
            eval_every=1,
            min_delta=100.0,  # no validation after the first can count as a gain
        )
        outcome = make().pretrain(corpus(), options)
        assert (outcome.steps, outcome.stopped_because, outcome.model_step) == (3, "early_stop", 1)
        assert [s for s, _ in outcome.validations] == [1, 2, 3]

    def test_save_writes_a_model_folder(self, make, tmp_path):
        pretrainer = make()
        pretrainer.pretrain(corpus(), OPTIONS)
        pretrainer.save(tmp_path / "model")
        assert (tmp_path / "model" / "config.json").is_file()
