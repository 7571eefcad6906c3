"""``solve`` decoding through ONNX Runtime (``inference.engine = "onnx"``) gives the torch
engine's answers: same tasks, same seed, same test-time training, same attempts."""

from __future__ import annotations

import arc_ttt
from arc_ttt.domain.synthetic import generate_tasks

SMALL = {"path": "builtin", "d_model": 32, "layers": 2, "heads": 2, "threads": 1}


def _solve(tasks, engine: str, mode: str):
    return arc_ttt.solve(
        tasks,
        model=SMALL,
        ttt={"mode": mode, "steps": 6, "batch_size": 2},
        decode={"views": 2, "strategy": "greedy"},
        inference={"engine": engine, "providers": "cpu", "intra_op_threads": 1},
        budget={"total_seconds": None},
        seed=3,
        progress=False,
    )


def test_onnx_and_torch_engines_submit_the_same_attempts_after_ttt():
    tasks = generate_tasks(3, seed=2026, max_side=4)
    torch_report = _solve(tasks, "torch", "per-task")
    onnx_report = _solve(tasks, "onnx", "per-task")
    assert onnx_report.submission == torch_report.submission
    assert [r.score for r in onnx_report.results] == [r.score for r in torch_report.results]


def test_onnx_engine_without_ttt_matches_torch():
    tasks = generate_tasks(2, seed=2027, max_side=4)
    assert _solve(tasks, "onnx", "none").submission == _solve(tasks, "torch", "none").submission


def test_the_onnx_setting_puts_onnx_runtime_behind_generate():
    from arc_ttt.adapters.onnx.generator import OnnxDecodingBackend
    from arc_ttt.container import build_container
    from arc_ttt.settings import Settings

    onnx = build_container(Settings(model=SMALL, inference={"engine": "onnx"})).model()
    torch = build_container(Settings(model=SMALL)).model()
    assert isinstance(onnx, OnnxDecodingBackend)
    assert not isinstance(torch, OnnxDecodingBackend)
