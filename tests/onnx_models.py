"""Exported models for the ONNX tests: a tiny built-in decoder trained on the recolor rule (its
answers are complete grids), exported once per test session, and prompts it answers."""

from __future__ import annotations

from pathlib import Path

from arc_ttt.adapters.onnx.export import export_decoder
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.codec import Encoded, encode_prompt, encode_task
from arc_ttt.domain.synthetic import generate_tasks
from tiny_models import recolor_pairs, trained_on_recolor

TINY = ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2)


def recolor_decoder() -> ArcDecoder:
    """The tiny decoder trained in full on "color c becomes c + 1" (a few seconds)."""
    backend = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
    module = backend.standalone(trained_on_recolor(backend))
    assert isinstance(module, ArcDecoder)
    return module.eval()


def export_to(module: ArcDecoder, folder: Path, name: str = "model.onnx", **kwargs) -> Path:
    path = folder / name
    export_decoder(module, path, **kwargs)
    return path


def recolor_prompts(n: int, seed: int = 11) -> list[Encoded]:
    """Prompts of the recolor rule (1..3 sided grids, no demonstrations)."""
    return [encode_prompt((), grid_in) for grid_in, _ in recolor_pairs(n, seed)]


def task_prompts(n: int, seed: int = 5) -> list[Encoded]:
    """Prompts of synthetic tasks (demonstrations and a test input): longer, varied lengths."""
    return [encode_task(t)[0] for t in generate_tasks(n, seed=seed, max_side=6)]
