"""The ONNX Runtime inference engine: an exported model's session behind ``SymbolEngine``."""

from __future__ import annotations

from pathlib import Path

from arc_ttt.adapters.onnx.session import SessionOptions, open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.torch.engine import SymbolEngine


def onnx_engine(
    model: str | Path | bytes,
    options: SessionOptions | None = None,
    *,
    name: str | None = None,
    **kwargs: object,
) -> SymbolEngine:
    """An engine serving an exported model (a path or its bytes). Raises ``OnnxModelError`` for a
    file that cannot serve (see ``open_session``)."""
    session, info = open_session(model, options, name=name)
    label = name or f"onnx:{info.variant}"
    holder = {"session": session}
    return SymbolEngine(
        OnnxSymbolModel(session, info),
        label,
        on_close=holder.clear,  # drop the last reference: ONNX Runtime frees the session
        **kwargs,  # type: ignore[arg-type]
    )
