"""The kinds of base model the backend drives, and how a model folder says which kind it is.

A family knows how to wrap a module as a ``SymbolModel``, which layers LoRA targets by default,
and how to write a module back as a folder that ``read_model_folder`` reads again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from arc_ttt.adapters.torch.arc_decoder import CONFIG_FILE, ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import MODEL_TYPE
from arc_ttt.adapters.torch.hf_causal_lm import HfSymbolModel, load_hf_causal_lm
from arc_ttt.adapters.torch.lora import ARC_DECODER_TARGETS, HF_TARGETS
from arc_ttt.adapters.torch.symbol_model import ArcSymbolModel, SymbolModel
from arc_ttt.domain.errors import ModelLoadError


@dataclass(frozen=True, slots=True)
class ModelFamily:
    """How to drive one kind of base: wrap a module, default LoRA targets, save a module."""

    wrap: Callable[[nn.Module], SymbolModel]
    lora_targets: Sequence[str] | str
    save: Callable[[nn.Module, Path], None]


def _save_arc_decoder(module: nn.Module, folder: Path) -> None:
    assert isinstance(module, ArcDecoder)
    module.save(folder)


def _wrap_arc_decoder(module: nn.Module) -> SymbolModel:
    assert isinstance(module, ArcDecoder)
    return ArcSymbolModel(module)


def builtin_family() -> ModelFamily:
    """The built-in ``ArcDecoder``."""
    return ModelFamily(_wrap_arc_decoder, ARC_DECODER_TARGETS, _save_arc_decoder)


def read_model_folder(folder: Path, dtype: torch.dtype | None) -> tuple[nn.Module, ModelFamily]:
    """Load ``folder``: an ``ArcDecoder`` if its config.json says so, else a Hugging Face causal
    LM with its tokenizer (offline). Raises ``ModelLoadError`` naming the folder."""
    try:
        config = json.loads((folder / CONFIG_FILE).read_text())
    except (OSError, ValueError) as e:
        raise ModelLoadError(str(folder), f"no readable {CONFIG_FILE} ({e})") from e
    if isinstance(config, dict) and config.get("model_type") == MODEL_TYPE:
        return ArcDecoder.load(folder), builtin_family()
    module, tokenizer, ids = load_hf_causal_lm(folder, dtype)

    def save(m: nn.Module, to: Path) -> None:
        m.save_pretrained(to)  # type: ignore[operator]
        tokenizer.save_pretrained(to)

    return module, ModelFamily(lambda m: HfSymbolModel(m, ids), HF_TARGETS, save)
