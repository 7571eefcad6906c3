"""Exact-grid accuracy, size and decoding speed of static against dynamic int8, on a model that
solves its task greedily: the tiny built-in decoder trained on the recolor rule (the ONNX tests'
model), over a synthetic suite of recolor prompts it was not trained on.

    python benchmarks/static_int8_accuracy.py [--prompts 200] [--json FILE]

The calibration prompts (seed 23) and the suite (seed 11) are recolor prompts; the model was
trained on seed 0. Figures: docs/inference.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from arc_ttt.adapters.onnx.optimize import optimize  # noqa: E402
from arc_ttt.adapters.onnx.session import open_session  # noqa: E402
from arc_ttt.adapters.onnx.symbol_model import OnnxSymbolModel  # noqa: E402
from arc_ttt.adapters.torch.decoding import greedy  # noqa: E402
from arc_ttt.domain.codec import decode_grid  # noqa: E402
from onnx_models import export_to, recolor_decoder, recolor_prompts  # noqa: E402
from tiny_models import recolor_pairs  # noqa: E402


def accuracy(model: Path, n: int) -> dict[str, float]:
    """Exact grids, and tokens per second of greedy decoding one prompt at a time."""
    session, info = open_session(model)
    engine = OnnxSymbolModel(session, info)
    prompts = recolor_prompts(n, seed=11)
    expected = [out for _, out in recolor_pairs(n, seed=11)]
    start = time.perf_counter()
    found = greedy(engine, prompts, max_new_tokens=16, batch_size=1)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    right = 0
    for candidate, want in zip(found, expected, strict=True):
        with contextlib.suppress(ValueError):  # an answer that is no grid is wrong
            right += candidate.complete and decode_grid(candidate.tokens) == want
    tokens = sum(len(c.tokens) for c in found)
    return {
        "right": right,
        "of": n,
        "tokens_per_second": tokens / seconds,
        "bytes": model.stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fp32 = export_to(recolor_decoder(), folder, "fp32.onnx")
        optimize(fp32, folder / "int8.onnx", "int8")
        optimize(fp32, folder / "static.onnx", "int8-static", recolor_prompts(16, seed=23))
        figures = {
            name: accuracy(folder / f"{name}.onnx", args.prompts)
            for name in ("fp32", "int8", "static")
        }
    base = figures["fp32"]["right"]
    for name, f in figures.items():
        f["of_fp32_accuracy"] = f["right"] / base if base else float("nan")
        print(
            f"{name:<7} {f['right']:>4}/{f['of']} exact ({f['of_fp32_accuracy']:.1%} of fp32), "
            f"{f['tokens_per_second']:,.0f} tokens/s, {f['bytes'] / 1e3:.0f} kB"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
