"""Decoding through ONNX Runtime for the solver (``inference.engine = "onnx"``).

Training and scoring stay with the torch backend; ``generate`` serves each adapted model from an
ONNX Runtime session. The graph is exported once, from the base model, and every adapted model
(LoRA merged, or fully trained) reuses it with its own weights swapped in (``with_weights``): a
session per task costs milliseconds, not an export. Only the built-in decoder exports.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import onnx

from arc_ttt.adapters.onnx.export import export_decoder, with_weights
from arc_ttt.adapters.onnx.session import SessionOptions, open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.torch import decoding
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.codec import Encoded
from arc_ttt.domain.errors import ExportError
from arc_ttt.domain.model_io import Candidate, DecodeOptions, ModelRef


class OnnxDecodingBackend:
    """The torch backend for ``adapt``/``score``/``release``/files, ONNX Runtime for ``generate``.

    Raises ``ExportError`` at construction when the base model is not the built-in decoder.
    """

    def __init__(
        self, torch_backend: TorchModelBackend, options: SessionOptions | None = None
    ) -> None:
        base = torch_backend.standalone(torch_backend.base())
        if not isinstance(base, ArcDecoder):
            raise ExportError(
                type(base).__name__,
                "the onnx engine serves the built-in decoder only; use engine = torch for "
                "Hugging Face models",
            )
        self._torch = torch_backend
        self._options = options or SessionOptions()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "base.onnx"
            export_decoder(base, path)
            self._template = onnx.load_model(str(path))
        self._sessions: dict[ModelRef, OnnxSymbolModel] = {}
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # base, adapt, score, save, adapter_files, ...: the torch backend's.
        return getattr(self._torch, name)

    def release(self, model: ModelRef) -> None:
        with self._lock:
            self._sessions.pop(model, None)
        self._torch.release(model)

    def generate(
        self, model: ModelRef, prompts: Sequence[Encoded], options: DecodeOptions
    ) -> list[list[Candidate]]:
        """As ``TorchModelBackend.generate``, decoded by ONNX Runtime."""
        return decoding.candidates(self._session(model), prompts, options)

    def _session(self, model: ModelRef) -> OnnxSymbolModel:
        with self._lock:
            found = self._sessions.get(model)
        if found is not None:
            return found
        module = self._torch.standalone(model)
        assert isinstance(module, ArcDecoder)
        proto = with_weights(self._template, module)
        session, info = open_session(proto.SerializeToString(), self._options, name=str(model))
        symbols = OnnxSymbolModel(session, info)
        with self._lock:
            self._sessions[model] = symbols
        return symbols
