"""Static int8 quantization keeps the exact-grid accuracy of the fp32 export on a synthetic suite
the model solves greedily (the recolor rule, prompts it was not trained on)."""

from __future__ import annotations

import contextlib

from arc_ttt.adapters.onnx.optimize import optimize
from arc_ttt.adapters.onnx.session import open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.torch.decoding import greedy
from arc_ttt.domain.codec import decode_grid
from onnx_models import recolor_prompts
from tiny_models import recolor_pairs

SUITE = 60


def exact(model) -> int:
    session, info = open_session(model)
    found = greedy(OnnxSymbolModel(session, info), recolor_prompts(SUITE, seed=11), 16, 8)
    right = 0
    for candidate, (_, want) in zip(found, recolor_pairs(SUITE, seed=11), strict=True):
        with contextlib.suppress(ValueError):
            right += candidate.complete and decode_grid(candidate.tokens) == want
    return right


def test_static_int8_keeps_99_percent_of_fp32_exact_grids(recolor_onnx, tmp_path):
    static = tmp_path / "static.onnx"
    report = optimize(recolor_onnx, static, "int8-static", recolor_prompts(16, seed=23))
    assert report.bytes_after < report.bytes_before / 4
    base = exact(recolor_onnx)
    assert base >= SUITE * 0.9  # the suite is one the fp32 model solves
    assert exact(static) >= 0.99 * base
