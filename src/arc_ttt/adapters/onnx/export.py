"""Export of the built-in decoder to ONNX: one graph for the prompt and the incremental steps.

The exported module is ``FusedStep``: the decoder's own function (3-D rotary positions,
transposed heads, RMSNorm, SwiGLU, masked attention) with its weights rearranged into fewer,
larger operations, and its KV cache as inputs and outputs in two segments (``graph``). Validation
holds it to the torch model's logits. The dynamo exporter (``torch.export`` + onnxscript) writes
it in standard ONNX ops with dynamic batch, sequence and cache axes; parameters keep their names,
so another model of the same configuration fits the same graph by swapping initializers
(``with_weights``).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import onnx
import torch
from torch import nn

from arc_ttt.adapters.onnx.fused_step import FusedStep, initializers
from arc_ttt.adapters.onnx.graph import (
    DEFAULT_OPSET,
    FORMAT,
    KEY_VALID,
    MAX_OPSET,
    META_CONFIG,
    META_SOURCE,
    MIN_OPSET,
    POSITION_INPUTS,
    GraphInfo,
    input_names,
    output_names,
)
from arc_ttt.adapters.torch.arc_decoder import CONFIG_FILE, ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import MODEL_TYPE, ArcDecoderConfig
from arc_ttt.domain.codec import CODEC_VERSION, SYMBOL_TEXT
from arc_ttt.domain.errors import ExportError, ModelLoadError

PARAMETER = "w_"  # initializer names of the model's (fused) weights: see fused_step.initializers
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


@dataclass(frozen=True, slots=True)
class ExportReport:
    """Where the model went, its size, opset, metadata and the seconds the export took."""

    path: Path
    size_bytes: int
    opset: int
    seconds: float
    info: GraphInfo


def load_for_export(model_dir: Path, adapter_dir: Path | None = None) -> tuple[ArcDecoder, str]:
    """The built-in decoder saved in ``model_dir``, with the LoRA adapter in ``adapter_dir`` (peft
    format) merged into its weights (``merge_and_unload``), and a sha256 over the source files.

    Raises ``ExportError`` for a folder that is not a built-in decoder (a Hugging Face model, a
    damaged folder) or an adapter that does not fit it.
    """
    what = str(model_dir)
    try:
        config = json.loads((model_dir / CONFIG_FILE).read_text())
    except (OSError, ValueError) as e:
        raise ExportError(what, f"no readable {CONFIG_FILE} ({e})") from e
    kind = config.get("model_type") if isinstance(config, dict) else None
    if kind != MODEL_TYPE:
        raise ExportError(
            what,
            f"only the built-in {MODEL_TYPE} exports to ONNX with arc_ttt's KV-cache graph; this "
            f"folder holds a {kind or 'non-arc_ttt'} model (export Hugging Face models with "
            "optimum, and serve them with the torch engine)",
        )
    try:
        module = ArcDecoder.load(model_dir)
    except ModelLoadError as e:
        raise ExportError(what, e.reason) from e
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if adapter_dir is not None:
        module = _merged(module, adapter_dir)
        for name in ADAPTER_FILES:
            digest.update(name.encode() + b"\0" + (adapter_dir / name).read_bytes())
    return module, digest.hexdigest()


def _merged(module: ArcDecoder, adapter_dir: Path) -> ArcDecoder:
    from peft import PeftModel  # noqa: PLC0415 - only for adapters

    missing = [n for n in ADAPTER_FILES if not (adapter_dir / n).is_file()]
    if missing:
        raise ExportError(str(adapter_dir), f"not a peft adapter folder (missing {missing})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # peft's notes about custom (non-transformers) models
            peft_model = PeftModel.from_pretrained(module, str(adapter_dir))
            merged = peft_model.merge_and_unload()
    except (ValueError, RuntimeError, KeyError, OSError) as e:
        raise ExportError(str(adapter_dir), f"the adapter does not fit this model ({e})") from e
    assert isinstance(merged, ArcDecoder)
    return merged


def state_sha256(module: nn.Module) -> str:
    """sha256 over a module's parameters and buffers (names, shapes, bytes): the source hash of a
    model that exists only in memory."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().float().contiguous().cpu()
        digest.update(f"{name}{list(t.shape)}".encode() + t.numpy().tobytes())
    return digest.hexdigest()


def export_decoder(
    module: nn.Module,
    path: str | Path,
    *,
    source_sha256: str | None = None,
    opset: int = DEFAULT_OPSET,
) -> ExportReport:
    """Write ``module`` (a built-in decoder, fp32) to ``path`` as one self-contained ONNX file.

    Raises ``ExportError`` for another kind of model, an opset outside the supported range, or an
    operator the exporter cannot translate (with the exporter's reason).
    """
    out = Path(path)
    if not isinstance(module, ArcDecoder):
        raise ExportError(
            type(module).__name__,
            f"only the built-in {MODEL_TYPE} exports to ONNX (merge LoRA adapters first)",
        )
    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ExportError(
            f"opset {opset}",
            f"the supported opsets are {MIN_OPSET}..{MAX_OPSET} (default {DEFAULT_OPSET})",
        )
    decoder = _fp32_copy(module)
    config = decoder.arc_config
    info = GraphInfo(
        FORMAT,
        metadata.version("arc-ttt"),
        CODEC_VERSION,
        SYMBOL_TEXT,
        config.to_json(),
        source_sha256 or state_sha256(decoder),
        opset,
        "fp32",
    )
    start = time.perf_counter()
    try:
        proto = _export_proto(FusedStep(decoder).eval(), config, opset)
    except ExportError:
        raise
    except Exception as e:
        raise ExportError(f"{MODEL_TYPE} {config.to_json()}", f"{type(e).__name__}: {e}") from e
    set_metadata(proto, info.to_metadata())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    onnx.save_model(proto, str(tmp))
    tmp.replace(out)
    return ExportReport(out, out.stat().st_size, opset, time.perf_counter() - start, info)


def _fp32_copy(module: ArcDecoder) -> ArcDecoder:
    clone = ArcDecoder(module.arc_config)
    clone.load_state_dict({k: v.detach().float().cpu() for k, v in module.state_dict().items()})
    return clone.eval()


def _export_proto(step: nn.Module, config: ArcDecoderConfig, opset: int) -> onnx.ModelProto:
    layers, heads, head_dim = config.n_layers, config.n_heads, config.head_dim
    batch, new, past = 2, 5, 3  # example sizes; every axis is exported dynamic
    ints = [torch.randint(0, 10, (batch, new)) for _ in POSITION_INPUTS]
    fixed = 4
    key_valid = torch.ones(batch, fixed + past + new, dtype=torch.int64)
    caches = [torch.zeros(batch, heads, fixed, head_dim) for _ in range(2 * layers)]
    caches += [torch.zeros(batch, heads, past, head_dim) for _ in range(2 * layers)]
    dynamic = torch.export.Dim.DYNAMIC
    shapes: dict[str, object] = {name: {0: dynamic, 1: dynamic} for name in POSITION_INPUTS}
    shapes[KEY_VALID] = {0: dynamic, 1: dynamic}
    shapes["cache"] = tuple({0: dynamic, 2: dynamic} for _ in caches)
    with tempfile.TemporaryDirectory() as tmp, _quiet_exporter():
        target = Path(tmp) / "model.onnx"
        torch.onnx.export(
            step,
            (*ints, key_valid, *caches),
            str(target),
            input_names=input_names(layers),
            output_names=output_names(layers),
            dynamic_shapes=shapes,
            opset_version=opset,
            dynamo=True,
            external_data=False,
            optimize=False,  # keep parameter names; ONNX Runtime optimizes at load or offline
        )
        return onnx.load_model(str(target))


@contextlib.contextmanager
def _quiet_exporter() -> Iterator[None]:
    """The exporter prints progress lines and warns about optional packages; keep stdout clean."""
    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "onnxscript")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def set_metadata(proto: onnx.ModelProto, metadata: Mapping[str, str]) -> None:
    """Replace the model's metadata entries named in ``metadata``, keep the others."""
    kept = [p for p in proto.metadata_props if p.key not in metadata]
    del proto.metadata_props[:]
    proto.metadata_props.extend(kept)
    for key, value in metadata.items():
        proto.metadata_props.add(key=key, value=value)


def with_weights(template: onnx.ModelProto, module: ArcDecoder) -> onnx.ModelProto:
    """A copy of an exported (unoptimized) graph carrying ``module``'s weights instead of its own.

    Cheap next to an export: the graph is reused, only initializers change. Raises
    ``ExportError`` when the module's parameters do not match the graph's by name and shape.
    """
    meta = {p.key: p.value for p in template.metadata_props}
    config = json.loads(meta.get(META_CONFIG, "{}"))
    if config != module.arc_config.to_json():
        raise ExportError(
            "model weights",
            f"the model's configuration {module.arc_config.to_json()} differs from the graph's "
            f"{config}",
        )
    state = initializers(module)
    proto = onnx.ModelProto()
    proto.CopyFrom(template)
    for init in proto.graph.initializer:
        if not init.name.startswith(PARAMETER):
            continue
        tensor = state.pop(init.name, None)
        if tensor is None or list(tensor.shape) != list(init.dims):
            raise ExportError(
                "model weights",
                f"{init.name} {list(init.dims)} has no counterpart of that shape in the model",
            )
        init.raw_data = tensor.numpy().tobytes()
        del init.float_data[:]
    leftover = list(state)
    if leftover:
        raise ExportError("model weights", f"the graph has no place for {leftover[:3]}")
    set_metadata(proto, {META_SOURCE: state_sha256(module)})
    return proto
