"""Builders of the adapters that load heavy libraries (torch, ONNX Runtime, NVML) on first use,
so that the container, and with it ``arc-ttt --help``, imports none of them. The container's
providers call these; nothing else needs to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arc_ttt.settings import Settings


def embedded_model_folder() -> Any:
    from arc_ttt.adapters.embedded_model import embedded_model_folder  # noqa: PLC0415

    return embedded_model_folder()


def machine() -> Any:
    from arc_ttt.adapters.machine import machine  # noqa: PLC0415 - reads the GPU through NVML

    return machine()


def untrained_decoder(settings: Settings) -> Any:
    """A freshly seeded built-in decoder of ``settings.model``'s size (torch)."""
    from arc_ttt.adapters.torch.arc_decoder import ArcDecoder  # noqa: PLC0415
    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig  # noqa: PLC0415

    m = settings.model
    config = ArcDecoderConfig(d_model=m.d_model, n_layers=m.layers, n_heads=m.heads)
    return ArcDecoder.seeded(config, settings.seed)


def load_for_export(folder: Path, adapter: Path | None) -> Any:
    from arc_ttt.adapters.onnx.export import load_for_export  # noqa: PLC0415

    return load_for_export(folder, adapter)


def onnx_engine(
    model: Path,
    *,
    providers: str | tuple[str, ...] = "cpu",
    threads: int | None = None,
    profile: str | None = None,
    name: str | None = None,
) -> Any:
    """An inference engine serving an exported ``.onnx`` model through ONNX Runtime."""
    from arc_ttt.adapters.onnx.engine import onnx_engine  # noqa: PLC0415
    from arc_ttt.adapters.onnx.session import SessionOptions  # noqa: PLC0415

    return onnx_engine(model, SessionOptions(providers, threads, None, profile), name=name)


def check_providers(providers: str | tuple[str, ...]) -> Any:
    """The ONNX Runtime providers ``providers`` picks; ``ValueError`` naming a bad one."""
    from arc_ttt.adapters.onnx.session import choose_providers  # noqa: PLC0415

    return choose_providers(providers)


def torch_engine(module: Any, *, name: str) -> Any:
    from arc_ttt.adapters.torch.engine import torch_engine  # noqa: PLC0415

    return torch_engine(module, name=name)


def saved_decoder(folder: Path) -> Any:
    """A built-in decoder saved in ``folder`` (config.json + model.safetensors)."""
    from arc_ttt.adapters.torch.arc_decoder import ArcDecoder  # noqa: PLC0415

    return ArcDecoder.load(folder)


def opsets() -> tuple[int, int, int]:
    """ONNX opsets the exporter supports: (lowest, default, highest)."""
    from arc_ttt.adapters.onnx.graph import DEFAULT_OPSET, MAX_OPSET, MIN_OPSET  # noqa: PLC0415

    return MIN_OPSET, DEFAULT_OPSET, MAX_OPSET


def export_decoder(module: Any, out: Path, **kwargs: Any) -> Any:
    from arc_ttt.adapters.onnx.export import export_decoder  # noqa: PLC0415

    return export_decoder(module, out, **kwargs)


def validate_export(out: Path, module: Any, prompts: Any) -> Any:
    """The exported model's logits and greedy answers against the torch module's."""
    from arc_ttt.adapters.onnx.validate import validate_export  # noqa: PLC0415

    return validate_export(out, module, prompts)


def optimize_model(source: Path, target: Path, variant: str, calibration: Any = ()) -> Any:
    from arc_ttt.adapters.onnx.optimize import optimize  # noqa: PLC0415

    return optimize(source, target, variant, calibration)  # type: ignore[arg-type]


def validate_optimized(target: Path, source: Path, prompts: Any, tolerance: float | None) -> Any:
    """The optimized model ``target`` against its fp32 ``source``."""
    from arc_ttt.adapters.onnx.session import open_session  # noqa: PLC0415
    from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel  # noqa: PLC0415
    from arc_ttt.adapters.onnx.validate import validate_against  # noqa: PLC0415

    session, info = open_session(source)
    reference = OnnxSymbolModel(session, info)
    return validate_against(target, reference, "fp32 onnx", prompts, tolerance=tolerance)


def folder_prompt_format(folder: Path, requested: str) -> str | None:
    """The prompt format a model folder is driven in: None for arc_ttt's own decoder folder
    (its codec needs no tokenizer), else ``requested`` or, for ``auto``, the folder's own."""
    from arc_ttt.adapters.torch.format_folder import prompt_format_name  # noqa: PLC0415

    return prompt_format_name(folder, None if requested == "auto" else requested)


def formatted_model(folder: Path, prompt_format: str) -> Any:
    """A Hugging Face causal LM folder driven in ``prompt_format`` (see formatted_lm)."""
    from arc_ttt.adapters.torch.formatted_lm import load_formatted_lm  # noqa: PLC0415

    return load_formatted_lm(folder, prompt_format)


def gpu_count() -> int:
    """CUDA GPUs this process sees (0 without torch's CUDA build or a GPU)."""
    import torch  # noqa: PLC0415 - heavy: only for the commands that place work on GPUs

    return int(torch.cuda.device_count()) if torch.cuda.is_available() else 0
