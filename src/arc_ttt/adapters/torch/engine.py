"""``InferenceEngine`` over any ``SymbolModel``: the torch eager decoder, or an ONNX Runtime session
(``OnnxSymbolModel``). Both run the same grammar-constrained greedy search (``decoding``)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Sequence

import torch

from arc_ttt.adapters.torch import decoding
from arc_ttt.adapters.torch.symbol_model import SymbolModel
from arc_ttt.domain.codec import VOCAB_SIZE, Encoded, Symbol, max_target_tokens
from arc_ttt.domain.errors import InferenceRequestError, ModelRuntimeError
from arc_ttt.domain.inference import LatencyStats, Prediction

ROW, END = int(Symbol.ROW), int(Symbol.END)
WARMUP_PROMPT = Encoded(
    (int(Symbol.BOS), int(Symbol.INPUT), 0, ROW, int(Symbol.OUTPUT)),
    (0, 0, 1, 1, 0),
    (0, 0, 1, 2, 0),
    (0, 0, 0, 0, 1),
    (False,) * 5,
)


class SymbolEngine:
    """Greedy predictions from one ``SymbolModel``.

    ``batch_size``: prompts decoded together (grouped by length). ``max_prompt_tokens``: longer
    prompts are refused. ``max_new_tokens``: the default answer budget (a 30 x 30 grid and END).
    ``on_close`` runs once when the engine is closed (to release a session or a model).
    """

    def __init__(
        self,
        model: SymbolModel,
        name: str,
        *,
        batch_size: int = 8,
        max_prompt_tokens: int = 8192,
        max_new_tokens: int | None = None,
        constrained: bool = True,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self._model: SymbolModel | None = model
        self._batch_size = batch_size
        self._max_prompt = max_prompt_tokens
        self._max_new = max_new_tokens or max_target_tokens()
        self._constrained = constrained
        self._on_close = on_close
        self._lock = threading.Lock()
        self._seconds: list[float] = []
        self._tokens = 0

    @property
    def model(self) -> SymbolModel:
        """The model served (``ModelRuntimeError`` once closed)."""
        return self._open()

    def predict(
        self, prompts: Sequence[Encoded], *, max_new_tokens: int | None = None
    ) -> list[Prediction]:
        """Greedy answers for ``prompts``, in their order. Raises ``InferenceRequestError`` naming
        the first bad prompt (nothing is decoded then)."""
        model = self._open()
        limit = self._limit(max_new_tokens)
        for i, prompt in enumerate(prompts):
            self._check(prompt, f"prompt {i}")
        if not prompts:
            return []
        start = time.perf_counter()
        with torch.inference_mode():
            found = decoding.greedy(
                model, prompts, limit, self._batch_size, constrained=self._constrained
            )
        seconds = time.perf_counter() - start
        self._record(seconds, sum(len(c.tokens) for c in found))
        return [Prediction(c.tokens, c.logprob, c.complete, seconds) for c in found]

    def stream(
        self, prompt: Encoded, *, max_new_tokens: int | None = None
    ) -> Iterator[tuple[int, ...]]:
        """Each output row's colors as soon as its ROW symbol is decoded; the rows of a complete
        answer are those of ``predict``'s grid. An unfinished last row is not yielded."""
        model = self._open()
        limit = self._limit(max_new_tokens)
        self._check(prompt, "prompt")
        return self._rows(model, prompt, limit)

    def _rows(self, model: SymbolModel, prompt: Encoded, limit: int) -> Iterator[tuple[int, ...]]:
        start = time.perf_counter()
        row: list[int] = []
        count = 0
        try:
            for token, _ in decoding.greedy_stream(
                model, prompt, limit, constrained=self._constrained
            ):
                count += 1
                if token == ROW:
                    yield tuple(row)
                    row = []
                elif token < ROW:
                    row.append(token)
        finally:
            self._record(time.perf_counter() - start, count)

    async def predict_async(
        self, prompts: Sequence[Encoded], *, max_new_tokens: int | None = None
    ) -> list[Prediction]:
        """``predict`` in a worker thread: the event loop goes on while the model decodes."""
        return await asyncio.to_thread(self.predict, prompts, max_new_tokens=max_new_tokens)

    def warmup(self) -> None:
        """One short decode, so the first real request does not pay for lazy initialization; not
        counted in the statistics."""
        model = self._open()
        with torch.inference_mode():
            decoding.greedy(model, [WARMUP_PROMPT], 4, 1, constrained=self._constrained)

    def stats(self) -> LatencyStats:
        with self._lock:
            return LatencyStats.of(list(self._seconds), self._tokens)

    def reset_stats(self) -> None:
        with self._lock:
            self._seconds.clear()
            self._tokens = 0

    def close(self) -> None:
        """Release the model; later calls raise ``ModelRuntimeError``. Closing twice is harmless."""
        with self._lock:
            model, self._model = self._model, None
        if model is not None and self._on_close is not None:
            self._on_close()

    def __enter__(self) -> SymbolEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> SymbolModel:
        model = self._model
        if model is None:
            raise ModelRuntimeError(f"inference engine {self.name!r} is closed")
        return model

    def _limit(self, max_new_tokens: int | None) -> int:
        limit = self._max_new if max_new_tokens is None else max_new_tokens
        if limit < 1:
            raise InferenceRequestError(f"max_new_tokens must be at least 1, got {limit}")
        return min(limit, max_target_tokens())

    def _check(self, prompt: Encoded, where: str) -> None:
        if len(prompt) == 0:
            raise InferenceRequestError(f"{where} is empty (a prompt starts with BOS)")
        if len(prompt) > self._max_prompt:
            raise InferenceRequestError(
                f"{where} has {len(prompt)} tokens, more than this engine's limit of "
                f"{self._max_prompt}"
            )
        lengths = {len(prompt.rows), len(prompt.cols), len(prompt.grid_index)}
        if lengths != {len(prompt)}:
            raise InferenceRequestError(f"{where} has positions of another length than its tokens")
        bad = next((i for i, t in enumerate(prompt.tokens) if not 0 <= t < VOCAB_SIZE), None)
        if bad is not None:
            raise InferenceRequestError(
                f"{where} has token {prompt.tokens[bad]} at {bad}, outside 0..{VOCAB_SIZE - 1}"
            )
        if prompt.tokens[-1] != int(Symbol.OUTPUT):
            raise InferenceRequestError(
                f"{where} does not end with the OUTPUT marker that asks for an answer"
            )
        if min(prompt.rows) < 0 or min(prompt.cols) < 0 or min(prompt.grid_index) < 0:
            raise InferenceRequestError(f"{where} has a negative position")

    def _record(self, seconds: float, tokens: int) -> None:
        with self._lock:
            self._seconds.append(seconds)
            self._tokens += tokens


def torch_engine(module: torch.nn.Module, name: str = "torch", **kwargs: object) -> SymbolEngine:
    """The torch eager engine for a built-in decoder (fp32, eval mode, on its current device)."""
    from arc_ttt.adapters.torch.arc_decoder import ArcDecoder  # noqa: PLC0415
    from arc_ttt.adapters.torch.symbol_model import ArcSymbolModel  # noqa: PLC0415

    if not isinstance(module, ArcDecoder):
        raise ModelRuntimeError(f"the torch engine serves the built-in decoder, not {type(module)}")
    return SymbolEngine(ArcSymbolModel(module.eval()), name, **kwargs)  # type: ignore[arg-type]
