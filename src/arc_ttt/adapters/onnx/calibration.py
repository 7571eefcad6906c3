"""Calibration data for static int8 quantization: the inputs an exported model really sees.

The model is run greedily on the calibration prompts (reading each prompt, then decoding its
answer one token at a time over the KV cache), and every feed it is given is recorded: prompt
chunks and single decode steps, with their past keys and values. ONNX Runtime's static
quantizer then measures each activation's range over those feeds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from onnxruntime.quantization import CalibrationDataReader

from arc_ttt.adapters.onnx.session import open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.torch.decoding import greedy
from arc_ttt.domain.codec import Encoded

MAX_FEEDS = 256  # enough for stable min/max ranges; more only slows the calibration


class _Recording:
    """An ONNX Runtime session that keeps a copy of every feed it runs."""

    def __init__(self, session: Any) -> None:
        self._session = session
        self.feeds: list[dict[str, np.ndarray]] = []

    def run(self, names: Any, feed: dict[str, np.ndarray]) -> Any:
        self.feeds.append({k: np.array(v, copy=True) for k, v in feed.items()})
        return self._session.run(names, feed)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def calibration_feeds(
    model: Any, prompts: Sequence[Encoded], *, max_new_tokens: int = 32, limit: int = MAX_FEEDS
) -> list[dict[str, np.ndarray]]:
    """The feeds of greedy decoding of ``prompts`` with the fp32 export at ``model``, at most
    ``limit`` of them, spread evenly over the run (prompt reads and decode steps alike)."""
    session, info = open_session(model)
    recording = _Recording(session)
    greedy(OnnxSymbolModel(recording, info), list(prompts), max_new_tokens, batch_size=1)  # type: ignore[arg-type]
    feeds = recording.feeds
    if len(feeds) <= limit:
        return feeds
    picked = np.linspace(0, len(feeds) - 1, limit).round().astype(int)
    return [feeds[i] for i in sorted(set(picked.tolist()))]


class FeedReader(CalibrationDataReader):  # type: ignore[misc]
    """The recorded feeds, one per ``get_next`` call, as ONNX Runtime's quantizer reads them."""

    def __init__(self, feeds: Sequence[dict[str, np.ndarray]]) -> None:
        self._feeds: Iterator[dict[str, np.ndarray]] = iter(feeds)

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)
