"""The inference engine port: greedy answers for encoded prompts, served by one loaded model.

Two adapters pass the same contract (tests/contract/inference_engine.py): torch eager and ONNX
Runtime. Both decode with the same grammar-constrained greedy search over a KV cache, so for the
same weights and prompt they give the same grid.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol, runtime_checkable

from arc_ttt.domain.codec import Encoded
from arc_ttt.domain.inference import LatencyStats, Prediction


@runtime_checkable
class InferenceEngine(Protocol):
    """Serves greedy predictions from one model.

    ``predict`` answers a batch (prompts grouped by length so padding stays short), in the
    prompts' order. ``stream`` yields each output row (its colors) as soon as it is decoded.
    ``predict_async`` awaits the same answers without blocking the event loop. Calls from several
    threads at once are safe and give what sequential calls give. A request that cannot be
    served raises ``InferenceRequestError`` and leaves the engine serving. ``stats`` covers
    every request since the engine was opened (or ``reset_stats``); ``close`` releases it.
    """

    name: str

    def predict(
        self, prompts: Sequence[Encoded], *, max_new_tokens: int | None = None
    ) -> list[Prediction]: ...

    def stream(
        self, prompt: Encoded, *, max_new_tokens: int | None = None
    ) -> Iterator[tuple[int, ...]]: ...

    async def predict_async(
        self, prompts: Sequence[Encoded], *, max_new_tokens: int | None = None
    ) -> list[Prediction]: ...

    def warmup(self) -> None: ...

    def stats(self) -> LatencyStats: ...

    def reset_stats(self) -> None: ...

    def close(self) -> None: ...
