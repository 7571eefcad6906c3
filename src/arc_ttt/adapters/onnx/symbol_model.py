"""An exported decoder served by ONNX Runtime, as a ``SymbolModel``: the torch decoding code (greedy,
threshold DFS) runs on it unchanged, so both engines make the same choices from the same logits.

The cache holds each layer's keys/values in the graph's two segments: a prefix the graph only
reads (the prompt's) and a past it extends by each run's new tokens. A prompt is read in chunks
of ``CHUNK`` positions that extend the past; once read, the past becomes the prefix. While
answer tokens are decoded one by one, the past is folded into the prefix when it reaches ``FOLD``
positions, so a step's graph copies at most that many positions, not the whole prompt (the fold
itself copies the prefix once per ``FOLD`` steps). ``crop`` only moves the length back; the next
run slices the segments to it (a crop into the prefix copies what is kept of it, once).
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import torch
from torch import Tensor, nn

from arc_ttt.adapters.onnx.graph import (
    KEY_VALID,
    POSITION_INPUTS,
    GraphInfo,
    past_names,
    prefix_names,
)
from arc_ttt.adapters.torch.symbol_model import DecodeCache
from arc_ttt.adapters.torch.token_batch import TokenBatch

_NUMPY = {"tensor(float)": np.float32, "tensor(float16)": np.float16}


FOLD = 128  # past positions at which the past joins the prefix
CHUNK = 128  # positions per run when a long batch (a prompt) is read


class OnnxCache:
    """Keys/values of one batch (numpy, [B, H, positions, head_dim] per layer) in two segments,
    prefix then past, and its key mask."""

    def __init__(self, capacity: int = 0) -> None:
        self.length = 0
        self.capacity = capacity  # positions the key mask is first allocated for
        self.prefix: list[np.ndarray] | None = None
        self.past: list[np.ndarray] | None = None
        self.valid: np.ndarray | None = None  # [B, capacity] int64, 1 for real tokens

    def crop(self, length: int) -> None:
        if not 0 <= length <= self.length:
            raise ValueError(f"cannot crop a cache of {self.length} positions to {length}")
        self.length = length

    def segments(self) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
        """(prefix, past) holding exactly ``length`` positions; None while empty."""
        if self.prefix is None or self.past is None or self.length == 0:
            return None
        fixed = self.prefix[0].shape[2]
        if self.length < fixed:  # cropped into the prefix: it shrinks, the past empties
            self.prefix = [np.ascontiguousarray(p[:, :, : self.length]) for p in self.prefix]
            self.past = [p[:, :, :0] for p in self.past]
        elif self.past[0].shape[2] > self.length - fixed:
            self.past = [p[:, :, : self.length - fixed] for p in self.past]
        return self.prefix, self.past

    def store(self, prefix: list[np.ndarray], present: list[np.ndarray], *, fold: bool) -> None:
        """Take a run's prefix and present keys/values (the past and the new tokens); ``fold``:
        the present joins the prefix once it reaches ``FOLD`` positions."""
        self.prefix, self.past = prefix, present
        if fold and present[0].shape[2] >= FOLD:
            self.promote()

    def promote(self) -> None:
        """Make the past part of the prefix (no copy when the prefix is empty)."""
        assert self.prefix is not None and self.past is not None
        if self.past[0].shape[2] == 0:
            return
        if self.prefix[0].shape[2] == 0:
            self.prefix = self.past
        else:
            self.prefix = [
                np.concatenate(pair, axis=2) for pair in zip(self.prefix, self.past, strict=True)
            ]
        self.past = [p[:, :, :0] for p in self.past]

    def key_valid(self, new_valid: np.ndarray | None, batch: int, new: int) -> np.ndarray:
        """The key mask [B, length + new] with the new positions' entries written (None: real
        tokens). The buffer grows by doubling, so a decoding step allocates nothing (a batch of
        several rows is a strided view, which ONNX Runtime copies: a few bytes per position)."""
        end = self.length + new
        if self.valid is None or self.valid.shape[1] < end:
            size = max(end, self.capacity, 2 * (0 if self.valid is None else self.valid.shape[1]))
            grown = np.ones((batch, size), dtype=np.int64)
            if self.valid is not None:
                grown[:, : self.length] = self.valid[:, : self.length]
            self.valid = grown
        self.valid[:, self.length : end] = 1 if new_valid is None else new_valid
        return self.valid[:, :end]


class OnnxSymbolModel:
    """``SymbolModel`` over an ONNX Runtime session of an arc_ttt export. Inference only: there is
    no module to train. One session serves any number of threads (ONNX Runtime's ``run`` is
    thread-safe; every call has its own cache)."""

    def __init__(self, session: ort.InferenceSession, info: GraphInfo) -> None:
        self.session = session
        self.info = info
        self._names = past_names(info.layers)
        self._prefix_names = prefix_names(info.layers)
        past_type = {i.name: i.type for i in session.get_inputs()}[self._names[0]]
        self.dtype = _NUMPY.get(past_type, np.float32)

    @property
    def module(self) -> nn.Module:
        raise AttributeError("an ONNX Runtime model has no torch module (it cannot be trained)")

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")  # inputs and outputs cross as host arrays

    def new_cache(self, batch_size: int, capacity: int) -> DecodeCache:
        return OnnxCache(capacity)

    def logits(self, batch: TokenBatch, cache: DecodeCache | None = None) -> Tensor:
        """Logits [B, T, 16]; a long batch (a prompt) runs in chunks of ``CHUNK`` positions over
        the cache, which computes half the attention scores of one causal run over all T."""
        b, t = batch.shape
        if t == 0:
            return torch.zeros(b, 0, self.info.config["vocab_size"])
        assert cache is None or isinstance(cache, OnnxCache)
        work = cache if cache is not None else OnnxCache(t)  # a one-off run still chunks
        columns = [
            tensor.cpu().numpy() for tensor in (batch.tokens, batch.rows, batch.cols, batch.grids)
        ]
        valid = None if batch.valid is None else batch.valid.cpu().numpy().astype(np.int64)
        parts = []
        for start in range(0, t, CHUNK):
            end = min(start + CHUNK, t)
            feed = {
                name: column[:, start:end]
                for name, column in zip(POSITION_INPUTS, columns, strict=True)
            }
            new_valid = None if valid is None else valid[:, start:end]
            parts.append(self._run(feed, new_valid, work, fold=t == 1))
        if t > 1:
            work.promote()  # a prompt read: its keys are the prefix of the steps that follow
        logits = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
        return torch.from_numpy(np.asarray(logits, dtype=np.float32))

    def _run(
        self, feed: dict[str, np.ndarray], valid: np.ndarray | None, cache: OnnxCache, *, fold: bool
    ) -> np.ndarray:
        b, t = feed[POSITION_INPUTS[0]].shape
        segments = cache.segments()
        if segments is None:
            cache.length = 0
            prefix = past = [self._empty(b)] * len(self._names)
        else:
            prefix, past = segments
        feed[KEY_VALID] = cache.key_valid(valid, b, t)
        feed.update(zip(self._prefix_names, prefix, strict=True))
        feed.update(zip(self._names, past, strict=True))
        outputs = self.session.run(None, feed)
        cache.store(prefix, outputs[1:], fold=fold)
        cache.length += t
        return outputs[0]  # type: ignore[no-any-return]

    def _empty(self, batch: int) -> np.ndarray:
        return np.zeros((batch, self.info.heads, 0, self.info.head_dim), dtype=self.dtype)
