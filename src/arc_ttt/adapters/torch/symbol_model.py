"""What training and decoding need from a model: logits over the 16 codec symbols, and a cache.

Two implementations: the built-in ``ArcDecoder`` here (3-D positions), and any Hugging Face
causal LM in ``hf_causal_lm`` (1-D positions, its vocabulary narrowed to the symbols' tokens).
"""

from __future__ import annotations

from typing import Protocol

import torch
from torch import Tensor, nn

from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.kv_cache import KVCache
from arc_ttt.adapters.torch.token_batch import TokenBatch


class DecodeCache(Protocol):
    """Past keys/values of one batch; ``crop`` forgets positions from ``length`` on."""

    @property
    def length(self) -> int: ...

    def crop(self, length: int) -> None: ...


class SymbolModel(Protocol):
    """A causal model over codec symbols. ``logits`` returns [B, T, 16] for the batch's tokens,
    after the cached ones when a cache is given (which then grows by T)."""

    @property
    def module(self) -> nn.Module: ...

    @property
    def device(self) -> torch.device: ...

    def logits(self, batch: TokenBatch, cache: DecodeCache | None = None) -> Tensor: ...

    def new_cache(self, batch_size: int, capacity: int) -> DecodeCache: ...


class ArcSymbolModel:
    """The built-in decoder (with or without LoRA layers injected) as a ``SymbolModel``."""

    def __init__(self, module: ArcDecoder) -> None:
        self._module = module

    @property
    def module(self) -> nn.Module:
        return self._module

    @property
    def device(self) -> torch.device:
        return self._module.lm_head.weight.device

    def logits(self, batch: TokenBatch, cache: DecodeCache | None = None) -> Tensor:
        assert cache is None or isinstance(cache, KVCache)
        return self._module(
            batch.tokens, batch.rows, batch.cols, batch.grids, valid=batch.valid, cache=cache
        )

    def new_cache(self, batch_size: int, capacity: int) -> DecodeCache:
        return self._module.new_cache(capacity)
