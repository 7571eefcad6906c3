"""ONNX export, validation, variants and errors, on a tiny trained built-in decoder (real
exporter, real ONNX Runtime)."""

from __future__ import annotations

import logging

import onnx
import pytest
import torch

from arc_ttt.adapters.onnx.engine import onnx_engine
from arc_ttt.adapters.onnx.export import (
    export_decoder,
    load_for_export,
    set_metadata,
    with_weights,
)
from arc_ttt.adapters.onnx.graph import MAX_OPSET, META_CODEC, META_FORMAT, MIN_OPSET
from arc_ttt.adapters.onnx.optimize import optimize
from arc_ttt.adapters.onnx.session import SessionOptions, choose_providers, open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.onnx.validate import validate_export
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.adapters.torch.symbol_model import ArcSymbolModel
from arc_ttt.adapters.torch.token_batch import padded
from arc_ttt.domain.errors import ExportError, ModelConfigError, OnnxModelError
from arc_ttt.domain.model_io import TrainOptions
from onnx_models import TINY, export_to, recolor_prompts, task_prompts
from tiny_models import recolor_sequences, save_tiny_llama


def test_export_matches_torch_on_20_prompts(recolor_module, recolor_onnx):
    report = validate_export(recolor_onnx, recolor_module, recolor_prompts(14) + task_prompts(6))
    assert report.ok, report.lines()
    assert report.prompts == 20 and report.greedy_identical == 20
    assert report.max_abs_diff <= 1e-4


def test_the_graph_uses_standard_onnx_ops_only(recolor_onnx):
    # The 3-D rotary positions, transposed heads, RMSNorm and SwiGLU export as standard ops.
    model = onnx.load_model(str(recolor_onnx))
    assert {n.domain for n in model.graph.node} <= {"", "ai.onnx"}
    assert {o.domain for o in model.opset_import} <= {"", "ai.onnx"}
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta[META_FORMAT] == "arc_ttt.arc_decoder_kv/2" and meta[META_CODEC] == "1"
    assert {"arc_ttt.version", "arc_ttt.model_config", "arc_ttt.source_sha256"} <= set(meta)


@pytest.mark.parametrize("opset", [MIN_OPSET, MAX_OPSET])
def test_the_supported_opset_range_exports_and_serves(recolor_module, tmp_path, opset):
    path = export_to(recolor_module, tmp_path, opset=opset)
    _, info = open_session(path)
    assert info.opset == opset
    with onnx_engine(path) as engine:
        assert engine.predict(recolor_prompts(2))[0].complete


@pytest.mark.parametrize("opset", [MIN_OPSET - 1, MAX_OPSET + 1])
def test_an_opset_outside_the_range_is_refused(recolor_module, tmp_path, opset):
    with pytest.raises(ExportError, match=rf"opset {opset}.*{MIN_OPSET}\.\.{MAX_OPSET}"):
        export_decoder(recolor_module, tmp_path / "m.onnx", opset=opset)


def test_a_hugging_face_model_is_an_export_error(tmp_path):
    folder = save_tiny_llama(tmp_path / "llama")
    with pytest.raises(ExportError, match=r"only the built-in arc_decoder.*llama"):
        load_for_export(folder)
    with pytest.raises(ExportError, match="only the built-in"):
        export_decoder(torch.nn.Linear(2, 2), tmp_path / "m.onnx")


def test_a_lora_adapter_is_merged_into_the_export(tmp_path):
    backend = TorchModelBackend.builtin(TINY, seed=3, cpu=True)
    options = TrainOptions(steps=6, batch_size=8, learning_rate=1e-2, warmup_steps=1, lora_rank=4)
    adapted = backend.adapt(backend.base(), "t", recolor_sequences(32, 1), options).model
    base_dir, adapter_dir = tmp_path / "base", tmp_path / "adapter"
    backend.save(backend.base(), base_dir)
    adapter_dir.mkdir()
    for name, data in backend.adapter_files(adapted).items():
        (adapter_dir / name).write_bytes(data)
    merged, source = load_for_export(base_dir, adapter_dir)
    _plain, plain_source = load_for_export(base_dir)
    assert source != plain_source
    prompts = recolor_prompts(4)
    expected = backend.generate(adapted, prompts, _greedy(24))
    path = export_to(merged, tmp_path, source_sha256=source)
    with onnx_engine(path) as engine:
        got = engine.predict(prompts, max_new_tokens=24)
    assert [c[0].tokens for c in expected] == [p.tokens for p in got]
    assert validate_export(path, merged, prompts).ok


def test_an_adapter_that_does_not_fit_is_an_export_error(tmp_path):
    base = TorchModelBackend.builtin(TINY, seed=0, cpu=True)
    base.save(base.base(), tmp_path / "base")
    (tmp_path / "adapter").mkdir()
    with pytest.raises(ExportError, match="not a peft adapter folder"):
        load_for_export(tmp_path / "base", tmp_path / "adapter")


def test_swapping_weights_into_the_graph_equals_a_fresh_export(recolor_module, recolor_onnx):
    other = ArcDecoder.seeded(TINY, seed=9).eval()
    swapped = with_weights(onnx.load_model(str(recolor_onnx)), other)
    session, info = open_session(swapped.SerializeToString())
    prompt = padded(task_prompts(1), torch.device("cpu"), left=True)
    with torch.inference_mode():
        diff = OnnxSymbolModel(session, info).logits(prompt) - ArcSymbolModel(other).logits(prompt)
    assert float(diff.abs().max()) <= 1e-4
    bigger = ArcDecoder.seeded(TINY.__class__(d_model=48, n_layers=2, n_heads=2), seed=0)
    with pytest.raises(ExportError, match="differs from the graph"):
        with_weights(onnx.load_model(str(recolor_onnx)), bigger)


def test_int8_is_small_and_keeps_the_answers(recolor_module, recolor_onnx, tmp_path):
    report = optimize(recolor_onnx, tmp_path / "int8.onnx", "int8")
    assert report.ratio <= 0.30
    prompts = recolor_prompts(30, seed=8)
    with onnx_engine(recolor_onnx) as fp32, onnx_engine(report.target) as int8:
        a, b = fp32.predict(prompts), int8.predict(prompts)
    right_fp32 = sum(p.complete for p in a)
    agree = sum(x.grid == y.grid for x, y in zip(a, b, strict=True))
    assert right_fp32 == 30 and agree >= 29
    _, info = open_session(report.target)
    assert info.variant == "int8"


@pytest.mark.parametrize("variant", ["optimized", "fp16"])
def test_other_variants_validate(recolor_module, recolor_onnx, tmp_path, variant):
    report = optimize(recolor_onnx, tmp_path / f"{variant}.onnx", variant)
    tolerance = 1e-4 if variant == "optimized" else None
    result = validate_export(report.target, recolor_module, recolor_prompts(6), tolerance=tolerance)
    assert result.ok, result.lines()
    assert result.greedy_identical >= 5
    with pytest.raises(OnnxModelError, match="already a"):
        optimize(report.target, tmp_path / "again.onnx", "int8")


def test_a_corrupted_file_is_a_clear_error(recolor_onnx, tmp_path):
    data = recolor_onnx.read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(OnnxModelError, match=r"cut\.onnx.*not a loadable ONNX model"):
        onnx_engine(cut)
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a model at all" * 100)
    with pytest.raises(OnnxModelError, match=r"garbage\.onnx"):
        onnx_engine(garbage)
    with pytest.raises(OnnxModelError, match="no such file"):
        onnx_engine(tmp_path / "missing.onnx")


def test_a_model_for_another_codec_or_no_metadata_is_refused(recolor_onnx, tmp_path):
    model = onnx.load_model(str(recolor_onnx))
    set_metadata(model, {META_CODEC: "2"})
    other = tmp_path / "codec2.onnx"
    onnx.save_model(model, str(other))
    with pytest.raises(OnnxModelError, match=r"codec version 2.*uses codec version 1"):
        onnx_engine(other)
    del model.metadata_props[:]
    bare = tmp_path / "bare.onnx"
    onnx.save_model(model, str(bare))
    with pytest.raises(OnnxModelError, match="not exported by arc_ttt"):
        onnx_engine(bare)


def test_provider_choice_and_cuda_fallback(recolor_onnx, caplog):
    assert choose_providers("cpu") == ["CPUExecutionProvider"]
    assert choose_providers("auto")[-1] == "CPUExecutionProvider"
    with pytest.raises(ModelConfigError, match="'npu' is not in this onnxruntime"):
        choose_providers("npu")
    if "CUDAExecutionProvider" not in choose_providers.__globals__["ort"].get_available_providers():
        pytest.skip("this onnxruntime build has no CUDA provider to fall back from")
    with caplog.at_level(logging.WARNING):
        session, _ = open_session(recolor_onnx, SessionOptions(providers="cuda,cpu"))
    if "CUDAExecutionProvider" in session.get_providers():
        pytest.skip("a working CUDA GPU is present: no fallback to observe")
    assert session.get_providers() == ["CPUExecutionProvider"]
    assert "CPU" in caplog.text


def test_profiling_writes_a_trace(recolor_onnx, tmp_path):
    options = SessionOptions("cpu", profile_prefix=str(tmp_path / "trace"))
    with onnx_engine(recolor_onnx, options) as engine:
        engine.predict(recolor_prompts(2))
        trace = engine.model.session.end_profiling()
    assert (tmp_path / trace).exists() or __import__("pathlib").Path(trace).exists()


def _greedy(n: int):
    from arc_ttt.domain.model_io import DecodeOptions

    return DecodeOptions(max_new_tokens=n)


def test_external_data_inside_the_folder_loads_and_outside_is_refused(recolor_onnx, tmp_path):
    proto = onnx.load_model(str(recolor_onnx))
    inside = tmp_path / "inside"
    inside.mkdir()
    onnx.save_model(
        proto, str(inside / "m.onnx"), save_as_external_data=True, location="weights.bin",
        size_threshold=0,
    )  # fmt: skip
    open_session(inside / "m.onnx")  # a model with its weights beside it is fine
    # the same model, its weights file now one folder up and named by "../"
    escaping = onnx.load_model(str(inside / "m.onnx"), load_external_data=False)
    for tensor in escaping.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = "../weights.bin"
    (inside / "weights.bin").rename(tmp_path / "weights.bin")
    onnx.save_model(escaping, str(inside / "bad.onnx"))
    with pytest.raises(OnnxModelError, match=r"'\.\./weights\.bin', outside the model's folder"):
        open_session(inside / "bad.onnx")
    with pytest.raises(OnnxModelError, match="external data"):
        open_session(escaping.SerializeToString())
