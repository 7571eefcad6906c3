"""ONNX Runtime sessions for exported models: provider choice with CPU fallback, thread counts,
optional profiling, and the metadata check that refuses a model made for another codec or opset.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import onnx
import onnxruntime as ort

from arc_ttt.adapters.onnx.graph import GraphInfo, input_names, output_names, read_graph_info
from arc_ttt.domain.errors import ModelConfigError, OnnxModelError

log = logging.getLogger(__name__)

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
SHORT_NAMES = {"cpu": CPU, "cuda": CUDA, "tensorrt": "TensorrtExecutionProvider"}


def _gpu_present() -> bool:
    try:
        import pynvml  # noqa: PLC0415 - nvidia-ml-py: optional at run time

        pynvml.nvmlInit()
        try:
            return bool(pynvml.nvmlDeviceGetCount() > 0)
        finally:
            pynvml.nvmlShutdown()
    except Exception:
        return False


def choose_providers(wanted: str | Sequence[str] = "auto") -> list[str]:
    """Execution providers in preference order. ``auto``: CUDA when this onnxruntime has it and a
    GPU is present, then CPU. Otherwise a list of names (``cpu``, ``cuda`` or ONNX Runtime's full
    names); CPU is always appended as the last resort. Raises ``ModelConfigError`` for a name this
    onnxruntime does not know."""
    available = ort.get_available_providers()
    if isinstance(wanted, str):
        if wanted == "auto":
            return [CUDA, CPU] if CUDA in available and _gpu_present() else [CPU]
        wanted = [w.strip() for w in wanted.split(",") if w.strip()]
    chosen = []
    for name in wanted:
        full = SHORT_NAMES.get(name.lower(), name)
        if full not in available:
            raise ModelConfigError(
                f"execution provider {name!r} is not in this onnxruntime (it has "
                f"{', '.join(available)})"
            )
        if full not in chosen:
            chosen.append(full)
    return chosen if CPU in chosen else [*chosen, CPU]


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """Providers (``auto`` or a list), thread counts (None: ONNX Runtime's defaults) and a
    profiling file prefix (None: no profiling)."""

    providers: str | tuple[str, ...] = "auto"
    intra_op_threads: int | None = None
    inter_op_threads: int | None = None
    profile_prefix: str | None = None


def ort_options(options: SessionOptions) -> ort.SessionOptions:
    so = ort.SessionOptions()
    if options.intra_op_threads:
        so.intra_op_num_threads = options.intra_op_threads
    if options.inter_op_threads:
        so.inter_op_num_threads = options.inter_op_threads
    if options.profile_prefix:
        so.enable_profiling = True
        so.profile_file_prefix = options.profile_prefix
    so.log_severity_level = 3  # errors only: provider fallbacks are reported by us
    return so


def open_session(
    model: str | Path | bytes, options: SessionOptions | None = None, *, name: str | None = None
) -> tuple[ort.InferenceSession, GraphInfo]:
    """An ONNX Runtime session for an exported model (a path, or the model's bytes), and its
    metadata. Raises ``OnnxModelError`` for a missing, unreadable or corrupted file, a model not
    exported by arc_ttt, or one made for another codec, vocabulary or opset; a provider that fails
    to start falls back to CPU with a warning."""
    options = options or SessionOptions()
    where = name or (str(model) if not isinstance(model, bytes) else "<bytes>")
    if not isinstance(model, bytes):
        path = Path(model)
        if not path.is_file():
            raise OnnxModelError(where, "no such file")
        _refuse_escaping_external_data(_proto(path.read_bytes(), where), path.parent, where)
        source: str | bytes = str(path)
    else:
        _refuse_escaping_external_data(_proto(model, where), None, where)
        source = model
    providers = choose_providers(options.providers)
    try:
        session = _session(source, options, providers)
    except Exception as e:
        if providers == [CPU]:
            raise OnnxModelError(where, f"not a loadable ONNX model ({_brief(e)})") from e
        log.warning("%s failed to start (%s); falling back to CPU", providers[0], _brief(e))
        try:
            session = _session(source, options, [CPU])
        except Exception as e2:
            raise OnnxModelError(where, f"not a loadable ONNX model ({_brief(e2)})") from e2
    active = session.get_providers()
    if providers[0] != CPU and providers[0] not in active:
        log.warning("%s is not available here; running on %s", providers[0], ", ".join(active))
    try:
        info = read_graph_info(session.get_modelmeta().custom_metadata_map)
    except ValueError as e:
        raise OnnxModelError(where, str(e)) from e
    ins = [i.name for i in session.get_inputs()]
    outs = [o.name for o in session.get_outputs()]
    if ins != input_names(info.layers) or outs != output_names(info.layers):
        raise OnnxModelError(
            where, f"its inputs {ins[:6]}... or outputs do not form arc_ttt's KV-cache graph"
        )
    return session, info


def _proto(data: bytes, where: str) -> onnx.ModelProto:
    try:
        return onnx.load_model_from_string(data)
    except Exception as e:  # a damaged file: protobuf's own error types
        raise OnnxModelError(where, f"not a loadable ONNX model ({_brief(e)})") from e


def _tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Every tensor a graph holds: initializers, sparse ones, node attributes, subgraphs."""
    yield from graph.initializer
    for sparse in graph.sparse_initializer:
        yield sparse.values
        yield sparse.indices
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("t"):
                yield attr.t
            yield from attr.tensors
            if attr.HasField("g"):
                yield from _tensors(attr.g)
            for sub in attr.graphs:
                yield from _tensors(sub)


def _refuse_escaping_external_data(proto: onnx.ModelProto, folder: Path | None, where: str) -> None:
    """A model whose external data would be read from outside its own folder (an absolute
    path, or ``..``) is refused before ONNX Runtime opens anything; from bytes, which have no
    folder, any external data is."""
    root = None if folder is None else folder.resolve()
    for tensor in _tensors(proto.graph):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        entries = {e.key: e.value for e in tensor.external_data}
        location = entries.get("location", "")
        if root is None:
            raise OnnxModelError(
                where,
                f"tensor {tensor.name!r} has external data ({location!r}); load it from a file",
            )
        target = (root / location).resolve()
        if Path(location).is_absolute() or not target.is_relative_to(root):
            raise OnnxModelError(
                where,
                f"tensor {tensor.name!r} reads external data from {location!r}, outside the "
                "model's folder: refused",
            )


def _session(
    source: str | bytes, options: SessionOptions, providers: list[str]
) -> ort.InferenceSession:
    return ort.InferenceSession(source, sess_options=ort_options(options), providers=providers)


def _brief(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[-1] if text else ''}"[:300]
