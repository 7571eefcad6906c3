"""Validation of an exported model against the torch model it came from.

Checks, in order: the ONNX checker (with shape inference), the input/output signature (names,
dtypes, dynamic axes), logits on the same prompts through torch and ONNX Runtime (the whole
prompt at once, and the prompt's second half as an incremental step over the first half's cache),
and greedy answers from both engines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import torch

from arc_ttt.adapters.onnx.graph import (
    KEY_VALID,
    LOGITS,
    META_VARIANT,
    POSITION_INPUTS,
    input_names,
    output_names,
    past_names,
    prefix_names,
    present_names,
)
from arc_ttt.adapters.onnx.session import SessionOptions, open_session
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.engine import SymbolEngine
from arc_ttt.adapters.torch.symbol_model import ArcSymbolModel, SymbolModel
from arc_ttt.adapters.torch.token_batch import padded
from arc_ttt.domain.codec import Encoded
from arc_ttt.domain.errors import OnnxModelError

TOLERANCE = 1e-4


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ValidationReport:
    """Every check with its verdict; ``max_abs_diff`` over all logits compared."""

    path: Path
    checks: list[Check] = field(default_factory=list)
    max_abs_diff: float = float("nan")
    prompts: int = 0
    greedy_identical: int = 0

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def lines(self) -> list[str]:
        marks = [f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in self.checks]
        return [*marks, f"{'valid' if self.ok else 'INVALID'}: {self.path}"]

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "ok": self.ok,
            "max_abs_diff": self.max_abs_diff,
            "prompts": self.prompts,
            "greedy_identical": self.greedy_identical,
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in self.checks],
        }


def validate_export(
    path: str | Path,
    module: ArcDecoder,
    prompts: Sequence[Encoded],
    *,
    tolerance: float | None = TOLERANCE,
    max_new_tokens: int = 64,
    session: SessionOptions | None = None,
) -> ValidationReport:
    """Compare the model at ``path`` with ``module`` (fp32, torch eager) on ``prompts``.
    ``tolerance`` None makes the logits and greedy comparisons informational (int8 and fp16
    variants, whose accuracy is measured on a task suite instead)."""
    return validate_against(
        path,
        ArcSymbolModel(module.eval()),
        "torch",
        prompts,
        tolerance=tolerance,
        max_new_tokens=max_new_tokens,
        session=session,
        layers=module.arc_config.n_layers,
    )


def validate_against(
    path: str | Path,
    reference: SymbolModel,
    reference_name: str,
    prompts: Sequence[Encoded],
    *,
    tolerance: float | None = TOLERANCE,
    max_new_tokens: int = 64,
    session: SessionOptions | None = None,
    layers: int | None = None,
) -> ValidationReport:
    """Compare the model at ``path`` with ``reference`` (torch, or another ONNX model) on
    ``prompts``: checker, signature, logits and greedy answers."""
    where = Path(path)
    checks: list[Check] = []
    try:
        onnx.checker.check_model(str(where), full_check=True)
        checks.append(Check("onnx checker", True, "model and shape inference pass"))
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as e:
        first = str(e).splitlines()[0][:200]
        if _variant(where) == "optimized" and "No Op registered" in first:
            # Offline ONNX Runtime optimization writes ONNX Runtime's own fused operators
            # (SimplifiedLayerNormalization, ...), which the ONNX checker does not know: it stops
            # there, so it checked nothing. Such a file serves in ONNX Runtime only; the session
            # below must load it, and its logits are compared. The fp32 source was checked.
            checks.append(
                Check("onnx checker", True, f"skipped: ONNX Runtime's own operators ({first})")
            )
        else:
            checks.append(Check("onnx checker", False, first))
    except Exception as e:  # an unreadable file: say so in our words
        raise OnnxModelError(str(where), f"not a readable ONNX model ({e})") from e
    sess, info = open_session(where, session)
    proto = onnx.load_model(str(where), load_external_data=False)
    checks.append(_signature(proto, layers or info.layers))
    candidate = OnnxSymbolModel(sess, info)
    diff = max((_logits_diff(reference, candidate, p) for p in prompts), default=float("nan"))
    versus = f"|{reference_name} - onnx|"
    if tolerance is None:
        checks.append(Check("logits", True, f"max {versus} {diff:.2e} (not bounded)"))
    else:
        checks.append(
            Check(
                "logits",
                bool(diff <= tolerance),
                f"max {versus} {diff:.2e} over {len(prompts)} prompts (bound {tolerance:g})",
            )
        )
    with (
        SymbolEngine(reference, reference_name) as ref_engine,
        SymbolEngine(candidate, "onnx") as onnx_engine_,
    ):
        a = ref_engine.predict(prompts, max_new_tokens=max_new_tokens)
        b = onnx_engine_.predict(prompts, max_new_tokens=max_new_tokens)
    same = sum(x.tokens == y.tokens for x, y in zip(a, b, strict=True))
    bounded = tolerance is not None  # a quantized model may differ where logits nearly tie
    checks.append(
        Check(
            "greedy",
            same == len(prompts) or not bounded,
            f"{same}/{len(prompts)} greedy answers identical{'' if bounded else ' (not required)'}",
        )
    )
    return ValidationReport(where, checks, diff, len(prompts), same)


def _variant(path: Path) -> str | None:
    meta = {
        p.key: p.value for p in onnx.load_model(str(path), load_external_data=False).metadata_props
    }
    return meta.get(META_VARIANT)


def _signature(proto: onnx.ModelProto, layers: int) -> Check:
    """Names, dtypes and dynamic axes of inputs and outputs."""
    problems = []
    ins = {i.name: i for i in proto.graph.input}
    outs = {o.name: o for o in proto.graph.output}
    if list(ins) != input_names(layers):
        problems.append(f"inputs {list(ins)[:6]}... are not {input_names(layers)[:6]}...")
    if list(outs) != output_names(layers):
        problems.append(f"outputs {list(outs)[:6]}... are not {output_names(layers)[:6]}...")
    int64, f32 = onnx.TensorProto.INT64, onnx.TensorProto.FLOAT
    expected = {
        **{n: (int64, (0, 1)) for n in (*POSITION_INPUTS, KEY_VALID)},
        **{n: (f32, (0, 2)) for n in (*prefix_names(layers), *past_names(layers))},
    }
    expected_out = {LOGITS: (f32, (0, 1)), **{n: (f32, (0, 2)) for n in present_names(layers)}}
    for table, wanted in ((ins, expected), (outs, expected_out)):
        for name, (dtype, dynamic) in wanted.items():
            value = table.get(name)
            if value is None:
                continue
            t = value.type.tensor_type
            if t.elem_type != dtype:
                problems.append(f"{name} has dtype {onnx.TensorProto.DataType.Name(t.elem_type)}")
            dims = t.shape.dim
            fixed = [a for a in dynamic if a >= len(dims) or not dims[a].dim_param]
            if fixed:
                problems.append(f"{name} axes {fixed} are not dynamic")
    detail = (
        "; ".join(problems)
        if problems
        else (f"{len(ins)} inputs, {len(outs)} outputs; batch, sequence and past axes dynamic")
    )
    return Check("inputs and outputs", not problems, detail)


def _logits_diff(a: SymbolModel, b: SymbolModel, prompt: Encoded) -> float:
    """Max |a - b| of the logits over the whole prompt, and over its second half decoded as an
    incremental step after the first half."""
    with torch.inference_mode():
        whole = padded([prompt], torch.device("cpu"), left=True)
        diff = float((a.logits(whole) - b.logits(whole)).abs().max())
        half = len(prompt) // 2
        if half == 0:
            return diff
        first, second = _split(prompt, half)
        cache_a, cache_b = a.new_cache(1, len(prompt)), b.new_cache(1, len(prompt))
        a.logits(padded([first], torch.device("cpu"), left=True), cache_a)
        b.logits(padded([first], torch.device("cpu"), left=True), cache_b)
        rest = padded([second], torch.device("cpu"), left=True)
        step = (a.logits(rest, cache_a) - b.logits(rest, cache_b)).abs().max()
    return float(np.nanmax([diff, float(step)]))


def _split(prompt: Encoded, at: int) -> tuple[Encoded, Encoded]:
    def part(s: slice) -> Encoded:
        return Encoded(
            prompt.tokens[s],
            prompt.rows[s],
            prompt.cols[s],
            prompt.grid_index[s],
            prompt.is_output[s],
        )

    return part(slice(0, at)), part(slice(at, None))
