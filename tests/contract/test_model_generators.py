"""The Generator + Scorer contract for the torch backend: the built-in decoder (trained in full,
and a LoRA adapter on an untrained base) and a tiny Hugging Face Llama."""

import pytest
from model_generator import GeneratorContract

from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.testing.scripted_model import ScriptedModel
from tiny_models import recolor_sequences, save_tiny_llama, trained_on_recolor

TINY = ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2)


@pytest.fixture(scope="module")
def trained_builtin():
    # A peaked model: its answers are complete grids, so the DFS has real branches to compare.
    backend = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
    return backend, trained_on_recolor(backend)


@pytest.fixture(scope="module")
def lora_builtin():
    backend = TorchModelBackend.builtin(TINY, seed=1, cpu=True)
    options = TrainOptions(steps=4, batch_size=8, learning_rate=1e-2, warmup_steps=1, lora_rank=4)
    return backend, backend.adapt(backend.base(), "lora", recolor_sequences(32, 1), options).model


@pytest.fixture(scope="module")
def hf_llama(tmp_path_factory):
    backend = TorchModelBackend.from_pretrained(
        save_tiny_llama(tmp_path_factory.mktemp("llama")), cpu=True
    )
    return backend, backend.base()


class TestTrainedBuiltinGenerator(GeneratorContract):
    @pytest.fixture
    def backend(self, trained_builtin):
        return trained_builtin[0]

    @pytest.fixture
    def model(self, trained_builtin):
        return trained_builtin[1]


class TestLoraBuiltinGenerator(GeneratorContract):
    @pytest.fixture
    def backend(self, lora_builtin):
        return lora_builtin[0]

    @pytest.fixture
    def model(self, lora_builtin):
        return lora_builtin[1]


class TestHuggingFaceLlamaGenerator(GeneratorContract):
    @pytest.fixture
    def backend(self, hf_llama):
        return hf_llama[0]

    @pytest.fixture
    def model(self, hf_llama):
        return hf_llama[1]


def _scripted_answers(x: Grid) -> list[tuple[Grid, float]]:
    """Answers per input; ``same`` and ``doubled`` share their first cells and together outweigh
    ``flipped``, so greedy takes their branch although ``flipped`` is the best single answer."""
    rows = x.to_lists()
    flipped = Grid([list(reversed(r)) for r in rows])
    doubled = Grid([r + r for r in rows])
    recolored = Grid([[(c + 1) % 10 for c in r] for r in rows])
    return [(flipped, -0.4), (x, -0.9), (doubled, -1.2), (recolored, -2.5), (flipped, -3.0)]


class TestScriptedGenerator(GeneratorContract):
    @pytest.fixture
    def backend(self):
        return ScriptedModel(_scripted_answers)

    @pytest.fixture
    def model(self, backend):
        return backend.base()
