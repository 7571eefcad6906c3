"""Greedy decoding with the torch eager engine against ONNX Runtime fp32 and int8, in one process.

1. Throughput: tokens/s of batch-1 greedy answers to synthetic ARC prompts (demonstrations and a
   test input, sides 3..10), the embedded default model (d=128, 4 layers; an untrained one of
   that size when the build embeds none); ratios against torch. Engines alternate by round so that load on the machine hits them alike.
2. Latency: one 10 x 10 prediction (a prompt with two 10 x 10 demonstrations), ``--requests``
   times per engine: p50/p95/p99.
3. Quantization: int8 accuracy on the recolor rule (the tiny model trained in full for a few
   seconds, 200 held-out prompts), against fp32; and how many of the default model's greedy
   answers int8 leaves identical.

Run: python benchmarks/bench_inference.py [--prompts 12] [--rounds 3] [--requests 100]
     [--threads 2] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from arc_ttt.adapters.embedded_model import embedded_model_folder
from arc_ttt.adapters.onnx.engine import onnx_engine
from arc_ttt.adapters.onnx.export import export_decoder
from arc_ttt.adapters.onnx.optimize import optimize
from arc_ttt.adapters.onnx.session import SessionOptions
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.engine import SymbolEngine, torch_engine
from arc_ttt.domain.codec import Encoded, encode_prompt, encode_task
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.domain.task import Example

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def engines(module: ArcDecoder, folder: Path, threads: int) -> dict[str, SymbolEngine]:
    fp32 = folder / "fp32.onnx"
    export_decoder(module, fp32)
    optimize(fp32, folder / "int8.onnx", "int8")
    options = SessionOptions("cpu", threads)
    return {
        "torch eager fp32": torch_engine(module),
        "onnxruntime fp32": onnx_engine(fp32, options),
        "onnxruntime int8": onnx_engine(folder / "int8.onnx", options),
    }


def ten_by_ten_prompt() -> Encoded:
    rng = np.random.default_rng(10)

    def grid() -> Grid:
        return Grid(rng.integers(0, 10, (10, 10)).tolist())

    return encode_prompt([Example(grid(), grid()), Example(grid(), grid())], grid())


def throughput(
    runs: dict[str, SymbolEngine], prompts: list[Encoded], rounds: int
) -> dict[str, dict[str, float]]:
    for engine in runs.values():
        engine.warmup()
        engine.reset_stats()
    for _ in range(rounds):
        for engine in runs.values():
            for prompt in prompts:
                engine.predict([prompt])
    return {
        name: {"tokens": e.stats().tokens, "tokens_per_second": e.stats().tokens_per_second}
        for name, e in runs.items()
    }


def latency(runs: dict[str, SymbolEngine], requests: int) -> dict[str, dict[str, float]]:
    prompt = ten_by_ten_prompt()
    for engine in runs.values():
        engine.reset_stats()
    for _ in range(requests):
        for engine in runs.values():
            engine.predict([prompt], max_new_tokens=111)  # 10 rows of 10 cells + ROW, then END
    out = {}
    for name, engine in runs.items():
        s = engine.stats()
        out[name] = {"requests": s.requests, "p50_ms": s.p50 * 1e3, "p95_ms": s.p95 * 1e3}
        out[name]["p99_ms"] = s.p99 * 1e3
    return out


def int8_accuracy(folder: Path, threads: int) -> dict[str, Any]:
    from onnx_models import recolor_decoder, recolor_prompts
    from tiny_models import recolor_pairs

    module = recolor_decoder()
    prompts = recolor_prompts(200, seed=99)
    expected = [o for _, o in recolor_pairs(200, 99)]
    fp32 = folder / "recolor.onnx"
    export_decoder(module, fp32)
    optimize(fp32, folder / "recolor-int8.onnx", "int8")
    options = SessionOptions("cpu", threads)
    result = {}
    for name, path in (("fp32", fp32), ("int8", folder / "recolor-int8.onnx")):
        with onnx_engine(path, options) as engine:
            answers = engine.predict(prompts)
        result[name] = sum(a.grid == e for a, e in zip(answers, expected, strict=True))
    result["prompts"] = len(prompts)
    return result


def greedy_agreement(runs: dict[str, SymbolEngine], prompts: list[Encoded]) -> dict[str, int]:
    fp32 = runs["onnxruntime fp32"].predict(prompts)
    int8 = runs["onnxruntime int8"].predict(prompts)
    same = sum(a.tokens == b.tokens for a, b in zip(fp32, int8, strict=True))
    return {"identical": same, "prompts": len(prompts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--prompts", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json-out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    folder = embedded_model_folder()
    if folder is not None:
        module, model_name = ArcDecoder.load(folder).eval(), "the embedded default"
    else:
        module, model_name = ArcDecoder.seeded(ArcDecoderConfig(), seed=0).eval(), "untrained"
    prompts = [encode_task(t)[0] for t in generate_tasks(args.prompts, seed=31337, min_side=3)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = engines(module, folder, args.threads)
        sizes = {p.name: p.stat().st_size for p in folder.glob("*.onnx")}
        start = time.perf_counter()
        speed = throughput(runs, prompts, args.rounds)
        lat = latency(runs, args.requests)
        agreement = greedy_agreement(runs, prompts)
        accuracy = int8_accuracy(folder, args.threads)
        for engine in runs.values():
            engine.close()
    base = speed["torch eager fp32"]["tokens_per_second"]
    report = {
        "machine": f"{platform.machine()}, {args.threads} threads, torch {torch.__version__}",
        "model": f"built-in, d=128, 4 layers, 4 heads: {model_name}",
        "throughput": {
            k: {**v, "ratio_vs_torch": v["tokens_per_second"] / base} for k, v in speed.items()
        },
        "latency_10x10": lat,
        "int8_vs_fp32_greedy": agreement,
        "int8_recolor_accuracy": accuracy,
        "sizes_bytes": sizes,
        "seconds": time.perf_counter() - start,
    }
    print(f"{'engine':<20}{'tokens/s':>10}{'vs torch':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, v in report["throughput"].items():
        la = lat[name]
        print(
            f"{name:<20}{v['tokens_per_second']:>10,.0f}{v['ratio_vs_torch']:>9.2f}x"
            f"{la['p50_ms']:>9.1f}{la['p95_ms']:>9.1f}{la['p99_ms']:>9.1f}"
        )
    print(
        f"int8 vs fp32: {agreement['identical']}/{agreement['prompts']} greedy answers identical "
        f"(default-size model); recolor accuracy fp32 {accuracy['fp32']}/{accuracy['prompts']}, "
        f"int8 {accuracy['int8']}/{accuracy['prompts']}"
    )
    print("sizes: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in sorted(sizes.items())))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
