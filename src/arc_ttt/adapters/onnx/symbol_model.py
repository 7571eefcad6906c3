"""An exported decoder served by ONNX Runtime, as a ``SymbolModel``: the torch decoding code (greedy,
threshold DFS) runs on it unchanged, so both engines make the same choices from the same logits.

The cache holds each layer's present keys/values from the last run and which positions are real
tokens; ``crop`` only moves its length back, and the next run slices the past to that length.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import torch
from torch import Tensor, nn

from arc_ttt.adapters.onnx.graph import KEY_VALID, POSITION_INPUTS, GraphInfo, past_names
from arc_ttt.adapters.torch.symbol_model import DecodeCache
from arc_ttt.adapters.torch.token_batch import TokenBatch

_NUMPY = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


class OnnxCache:
    """Past keys/values (numpy, [B, H, capacity, head_dim]) of one batch, and its key mask."""

    def __init__(self) -> None:
        self.length = 0
        self.past: list[np.ndarray] | None = None
        self.valid: np.ndarray | None = None  # [B, >= length] int64, 1 for real tokens

    def crop(self, length: int) -> None:
        if not 0 <= length <= self.length:
            raise ValueError(f"cannot crop a cache of {self.length} positions to {length}")
        self.length = length


class OnnxSymbolModel:
    """``SymbolModel`` over an ONNX Runtime session of an arc_ttt export. Inference only: there is
    no module to train. One session serves any number of threads (ONNX Runtime's ``run`` is
    thread-safe; every call has its own cache)."""

    def __init__(self, session: ort.InferenceSession, info: GraphInfo) -> None:
        self.session = session
        self.info = info
        self._names = past_names(info.layers)
        past_type = {i.name: i.type for i in session.get_inputs()}[self._names[0]]
        self.dtype = _NUMPY.get(past_type, np.float32)

    @property
    def module(self) -> nn.Module:
        raise AttributeError("an ONNX Runtime model has no torch module (it cannot be trained)")

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")  # inputs and outputs cross as host arrays

    def new_cache(self, batch_size: int, capacity: int) -> DecodeCache:
        return OnnxCache()

    def logits(self, batch: TokenBatch, cache: DecodeCache | None = None) -> Tensor:
        b, t = batch.shape
        new_valid = (
            np.ones((b, t), dtype=np.int64)
            if batch.valid is None
            else batch.valid.cpu().numpy().astype(np.int64)
        )
        assert cache is None or isinstance(cache, OnnxCache)
        if cache is None or cache.past is None or cache.length == 0:
            past = [self._empty(b)] * len(self._names)
            key_valid = new_valid
        else:
            n = cache.length
            past = [p[:, :, :n] for p in cache.past]
            assert cache.valid is not None
            key_valid = np.concatenate((cache.valid[:, :n], new_valid), axis=1)
        feed = {
            name: tensor.cpu().numpy()
            for name, tensor in zip(
                POSITION_INPUTS, (batch.tokens, batch.rows, batch.cols, batch.grids), strict=True
            )
        }
        feed[KEY_VALID] = key_valid
        feed.update(zip(self._names, past, strict=True))
        outputs = self.session.run(None, feed)
        if cache is not None:
            cache.past = outputs[1:]
            cache.valid = key_valid
            cache.length += t
        return torch.from_numpy(np.asarray(outputs[0], dtype=np.float32))

    def _empty(self, batch: int) -> np.ndarray:
        return np.zeros((batch, self.info.heads, 0, self.info.head_dim), dtype=self.dtype)
