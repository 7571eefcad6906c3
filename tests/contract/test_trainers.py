"""The Trainer contract for the torch backend (full fine-tuning and LoRA of the built-in decoder)
and for the scripted model that the unit tests use in its place."""

from __future__ import annotations

import pytest
import torch
from trainer import TrainerContract

from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.errors import ModelOutOfMemoryError
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.testing import FakeClock, ScriptedModel

TINY = ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2)


def _torch_oom(step, loss):
    # What torch raises when an allocation fails on the device, from inside the training loop.
    raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")


@pytest.fixture(scope="module")
def torch_backend():
    return TorchModelBackend.builtin(TINY, seed=0, cpu=True)


class TestTorchFullTrainer(TrainerContract):
    @pytest.fixture
    def backend(self, torch_backend):
        return torch_backend

    @pytest.fixture
    def options(self):
        return TrainOptions(
            steps=3, batch_size=4, learning_rate=1e-2, warmup_steps=1, method="full"
        )

    @pytest.fixture
    def memory_failure(self):
        return _torch_oom


class TestTorchLoraTrainer(TrainerContract):
    @pytest.fixture
    def backend(self, torch_backend):
        return torch_backend

    @pytest.fixture
    def options(self):
        return TrainOptions(
            steps=3, batch_size=4, learning_rate=1e-2, warmup_steps=1, method="lora", lora_rank=4
        )

    @pytest.fixture
    def memory_failure(self):
        return _torch_oom


class TestScriptedTrainer(TrainerContract):
    @pytest.fixture
    def backend(self):
        # One second per step on a fake clock, so the time cap holds without waiting.
        return ScriptedModel(lambda x: [(x, -0.5)], clock=FakeClock(), step_seconds=1.0)

    @pytest.fixture
    def memory_failure(self):
        def oom(step, loss):
            raise ModelOutOfMemoryError("scripted: out of memory")

        return oom
