"""Offline ONNX Runtime graph optimization, dynamic and static int8 quantization and fp16
conversion of an exported model. Every variant keeps the export's metadata (its variant
recorded) so it is served and checked like the original.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import onnx
import onnxruntime as ort

from arc_ttt.adapters.onnx.export import set_metadata
from arc_ttt.adapters.onnx.graph import META_VARIANT
from arc_ttt.adapters.onnx.session import open_session
from arc_ttt.domain.codec import Encoded
from arc_ttt.domain.errors import OnnxModelError

Variant = Literal["optimized", "int8", "int8-static", "fp16"]


@dataclass(frozen=True, slots=True)
class SizeReport:
    """What a step wrote, and the sizes before and after."""

    source: Path
    target: Path
    variant: str
    bytes_before: int
    bytes_after: int

    @property
    def ratio(self) -> float:
        return self.bytes_after / self.bytes_before

    def line(self) -> str:
        return (
            f"{self.variant}: {self.target} {self.bytes_after / 1e6:.2f} MB "
            f"({self.ratio:.0%} of {self.bytes_before / 1e6:.2f} MB)"
        )


def optimize(
    source: str | Path,
    target: str | Path,
    variant: Variant,
    calibration: Sequence[Encoded] = (),
) -> SizeReport:
    """Write ``variant`` of the exported model at ``source`` to ``target``.

    ``optimized``: ONNX Runtime's extended graph optimizations (constant folding, fusions that
    every provider runs), saved offline so a session starts faster. ``int8``: dynamic quantization
    of the MatMul weights to int8 after ONNX Runtime's recommended pre-processing (shape inference
    and graph optimization); activations are quantized per call. ``int8-static``: weights and
    activations of the MatMuls in int8 with ranges measured beforehand on the feeds of greedy
    decoding of the ``calibration`` prompts (QDQ format, MinMax ranges, ONNX Runtime's static
    quantizer). ``fp16``: weights and compute in
    float16 (for GPUs), inputs and outputs kept float32.
    Raises ``OnnxModelError`` when ``source`` is not a servable arc_ttt export.
    """
    src, dst = Path(source), Path(target)
    _, info = open_session(src)  # refuses a damaged or foreign model before any work
    if info.variant != "fp32":
        raise OnnxModelError(
            str(src), f"is already a {info.variant} variant; start from the fp32 export"
        )
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, _quiet():
        work = Path(tmp) / "work.onnx"
        if variant == "optimized":
            _ort_optimized(src, work)
        elif variant == "int8":
            _int8(src, work, Path(tmp))
        elif variant == "int8-static":
            if not calibration:
                raise ValueError("int8-static needs calibration prompts")
            _static(src, work, Path(tmp), calibration)
        elif variant == "fp16":
            _fp16(src, work)
        else:
            raise ValueError(f"unknown variant {variant!r}")
        proto = onnx.load_model(str(work))
        metadata = {
            p.key: p.value
            for p in onnx.load_model(str(src), load_external_data=False).metadata_props
        }
        metadata[META_VARIANT] = variant
        set_metadata(proto, metadata)
        tmp_out = dst.with_name(f".{dst.name}.tmp")
        onnx.save_model(proto, str(tmp_out))
        tmp_out.replace(dst)
    open_session(dst)  # the variant must load and pass the metadata check
    return SizeReport(src, dst, variant, src.stat().st_size, dst.stat().st_size)


def _ort_optimized(src: Path, out: Path) -> None:
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    so.optimized_model_filepath = str(out)
    so.log_severity_level = 3
    ort.InferenceSession(str(src), sess_options=so, providers=["CPUExecutionProvider"])


def _int8(src: Path, out: Path, tmp: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415
    from onnxruntime.quantization.shape_inference import quant_pre_process  # noqa: PLC0415

    prepared = tmp / "prepared.onnx"
    quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
    quantize_dynamic(
        str(prepared),
        str(out),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        per_channel=False,
    )


def _static(src: Path, out: Path, tmp: Path, calibration: Sequence[Encoded]) -> None:
    from onnxruntime.quantization import (  # noqa: PLC0415
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process  # noqa: PLC0415

    from arc_ttt.adapters.onnx.calibration import FeedReader, calibration_feeds  # noqa: PLC0415

    feeds = calibration_feeds(src, calibration)
    prepared = tmp / "prepared.onnx"
    quant_pre_process(str(src), str(prepared), skip_symbolic_shape=True)
    quantize_static(
        str(prepared),
        str(out),
        FeedReader(feeds),
        quant_format=QuantFormat.QDQ,
        activation_type=QuantType.QInt8,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul"],
        # The attention's own products (queries x keys, weights x values) stay float: on the
        # validation prompts, quantizing them too kept 8 of 20 greedy answers, against 16.
        nodes_to_exclude=_activation_matmuls(onnx.load_model(str(prepared))),
        per_channel=False,
        calibrate_method=CalibrationMethod.MinMax,
    )


def _activation_matmuls(model: onnx.ModelProto) -> list[str]:
    """The MatMul nodes neither of whose inputs is computed from weights alone."""
    static = {i.name for i in model.graph.initializer}
    for node in model.graph.node:  # topologically sorted: a node's inputs come first
        if node.op_type == "Constant" or (
            node.input and all(i in static or not i for i in node.input)
        ):
            static.update(node.output)
    return [
        n.name
        for n in model.graph.node
        if n.op_type == "MatMul" and not any(i in static for i in n.input)
    ]


def _fp16(src: Path, out: Path) -> None:
    from onnxruntime.transformers.float16 import convert_float_to_float16  # noqa: PLC0415
    from onnxruntime.transformers.onnx_model import OnnxModel  # noqa: PLC0415

    converted = OnnxModel(convert_float_to_float16(onnx.load_model(str(src)), keep_io_types=True))
    converted.topological_sort()  # the converter appends its input casts after their users
    del converted.model.graph.value_info[:]  # stale float32 shape hints; inference redoes them
    onnx.save_model(converted.model, str(out))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The quantization tools log and warn freely; keep the CLI's output ours."""
    logger = logging.getLogger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
