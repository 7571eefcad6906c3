"""The Pretrainer contract for the torch pretrainer (a tiny built-in decoder on the CPU) and the
scripted fake; for torch also: resumed weights equal uninterrupted ones, bit for bit."""

from dataclasses import replace

import pytest
import torch
from pretrainer import OPTIONS, PretrainerContract, corpus

from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.pretraining import TorchPretrainer
from arc_ttt.domain.checkpoint_policy import SaveSchedule
from arc_ttt.ports.pretrainer import StateCheckpoints
from arc_ttt.testing.scripted_pretrainer import ScriptedPretrainer

TINY = ArcDecoderConfig(d_model=24, n_layers=2, n_heads=2)


class TestScriptedPretrainer(PretrainerContract):
    @pytest.fixture
    def make(self):
        return ScriptedPretrainer


class TestTorchPretrainer(PretrainerContract):
    @pytest.fixture
    def make(self):
        torch.set_num_threads(1)
        return lambda: TorchPretrainer(TINY, seed=0, cpu=True)

    def test_resumed_weights_are_bit_identical(self, make, tmp_path):
        whole = make()
        whole.pretrain(corpus(), OPTIONS)
        whole.save(tmp_path / "whole")
        checkpoints = StateCheckpoints(
            InMemoryCheckpointStore(), "pre", SaveSchedule(every_steps=2)
        )
        steps: list[int] = []
        make().pretrain(
            corpus(),
            OPTIONS,
            checkpoints=checkpoints,
            on_progress=lambda p: steps.append(p.step),
            stop_requested=lambda: 4 in steps,  # after step 4, whose state is saved
        )
        resumed = make()
        assert resumed.pretrain(corpus(), OPTIONS, checkpoints=checkpoints).resumed_from_step == 4
        resumed.save(tmp_path / "resumed")
        weights = "model.safetensors"
        assert (tmp_path / "resumed" / weights).read_bytes() == (
            tmp_path / "whole" / weights
        ).read_bytes()

    def test_the_model_keeps_the_weights_of_the_best_validation(self, make, tmp_path):
        # lr 0.3 makes this tiny model's validation loss jump after step 1 and not come back.
        options = replace(OPTIONS, train=replace(OPTIONS.train, learning_rate=0.3), eval_every=1)
        trained = make()
        outcome = trained.pretrain(corpus(), options)
        assert outcome.model_step < outcome.steps == 6  # the best is not the last step
        trained.save(tmp_path / "best")
        upto = make()  # the same run, stopped right after the best step
        steps: list[int] = []
        upto.pretrain(
            corpus(),
            options,
            on_progress=lambda p: steps.append(p.step),
            stop_requested=lambda: outcome.model_step in steps,
        )
        upto.save(tmp_path / "upto")
        weights = "model.safetensors"
        assert (tmp_path / "best" / weights).read_bytes() == (
            tmp_path / "upto" / weights
        ).read_bytes()
