"""Greedy decoding with the torch eager engine against ONNX Runtime fp32 and int8, in one process.

1. Throughput: tokens/s of batch-1 greedy answers to synthetic ARC prompts (demonstrations and a
   test input, sides 3..10), the embedded default model (d=128, 4 layers; an untrained one of
   that size when the build embeds none), each engine at each thread count of ``--threads``;
   ratios against torch at the same thread count, and best against best. Engines alternate by
   round so that load on the machine hits them alike. The prompt passes alone are timed too, so
   the report splits each engine's time into reading the prompt and generating.
2. Latency: one 10 x 10 prediction (a prompt with two 10 x 10 demonstrations), ``--requests``
   times per engine and thread count: p50/p95/p99.
3. Quantization: int8 accuracy on the recolor rule (the tiny model trained in full for a few
   seconds, 200 held-out prompts), against fp32; and how many of the default model's greedy
   answers int8 leaves identical.

Run: python benchmarks/bench_inference.py [--prompts 8] [--rounds 3] [--requests 100]
     [--threads 1,2] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch

from arc_ttt.adapters.embedded_model import embedded_model_folder
from arc_ttt.adapters.onnx.engine import onnx_engine
from arc_ttt.adapters.onnx.export import export_decoder
from arc_ttt.adapters.onnx.optimize import optimize
from arc_ttt.adapters.onnx.session import SessionOptions
from arc_ttt.adapters.torch.arc_decoder import ArcDecoder
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.engine import SymbolEngine, torch_engine
from arc_ttt.adapters.torch.token_batch import padded
from arc_ttt.domain.codec import Encoded, encode_prompt, encode_task
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.domain.task import Example

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


ENGINES = ("torch eager fp32", "onnxruntime fp32", "onnxruntime int8")


class Run:
    """One engine at one thread count (torch's intra-op threads are process-wide: set per call)."""

    def __init__(self, engine: SymbolEngine, threads: int) -> None:
        self.engine, self.threads = engine, threads

    def predict(self, prompt: Encoded, max_new_tokens: int | None = None) -> None:
        torch.set_num_threads(self.threads)
        self.engine.predict([prompt], max_new_tokens=max_new_tokens)

    def prompt_seconds(self, prompts: list[Encoded]) -> float:
        """Seconds of the prompt passes alone (the first model call of each prediction)."""
        torch.set_num_threads(self.threads)
        model = self.engine.model
        total = 0.0
        with torch.inference_mode():
            for prompt in prompts:
                batch = padded([prompt], model.device, left=True)
                start = time.perf_counter()
                model.logits(batch, model.new_cache(1, len(prompt)))
                total += time.perf_counter() - start
        return total


def engines(module: ArcDecoder, folder: Path, thread_counts: list[int]) -> dict[str, Run]:
    fp32 = folder / "fp32.onnx"
    export_decoder(module, fp32)
    optimize(fp32, folder / "int8.onnx", "int8")
    runs = {}
    for threads in thread_counts:
        options = SessionOptions("cpu", threads)
        runs[f"{ENGINES[0]} @{threads}"] = Run(torch_engine(module), threads)
        runs[f"{ENGINES[1]} @{threads}"] = Run(onnx_engine(fp32, options), threads)
        runs[f"{ENGINES[2]} @{threads}"] = Run(onnx_engine(folder / "int8.onnx", options), threads)
    return runs


def ten_by_ten_prompt() -> Encoded:
    rng = np.random.default_rng(10)

    def grid() -> Grid:
        return Grid(rng.integers(0, 10, (10, 10)).tolist())

    return encode_prompt([Example(grid(), grid()), Example(grid(), grid())], grid())


def throughput(
    runs: dict[str, Run], prompts: list[Encoded], rounds: int
) -> dict[str, dict[str, float]]:
    for run in runs.values():
        run.engine.warmup()
        run.engine.reset_stats()
    for _ in range(rounds):
        for run in runs.values():
            for prompt in prompts:
                run.predict(prompt)
    out = {}
    for name, run in runs.items():
        s = run.engine.stats()
        busy = s.mean * s.requests
        prompt_pass = run.prompt_seconds(prompts) * rounds
        out[name] = {
            "tokens": s.tokens,
            "seconds": busy,
            "tokens_per_second": s.tokens_per_second,
            "prompt_seconds": prompt_pass,
            "generation_tokens_per_second": s.tokens / max(busy - prompt_pass, 1e-9),
        }
    return out


def latency(runs: dict[str, Run], requests: int) -> dict[str, dict[str, float]]:
    prompt = ten_by_ten_prompt()
    for run in runs.values():
        run.engine.reset_stats()
    for _ in range(requests):
        for run in runs.values():
            run.predict(prompt, max_new_tokens=111)  # 10 rows of 10 cells + ROW, then END
    out = {}
    for name, run in runs.items():
        s = run.engine.stats()
        out[name] = {"requests": s.requests, "p50_ms": s.p50 * 1e3, "p95_ms": s.p95 * 1e3}
        out[name]["p99_ms"] = s.p99 * 1e3
    return out


def best_ratios(speed: dict[str, dict[str, float]]) -> dict[str, dict[str, Any]]:
    """Each engine at its fastest thread count, and its tokens/s against torch's fastest."""
    best: dict[str, dict[str, Any]] = {}
    for engine in ENGINES:
        name, v = max(
            ((n, v) for n, v in speed.items() if n.startswith(engine + " @")),
            key=lambda item: item[1]["tokens_per_second"],
        )
        best[engine] = {"run": name, "tokens_per_second": v["tokens_per_second"]}
    base = best[ENGINES[0]]["tokens_per_second"]
    for v in best.values():
        v["ratio_vs_best_torch"] = v["tokens_per_second"] / base
    return best


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


def greedy_agreement(runs: dict[str, Run], prompts: list[Encoded]) -> dict[str, int]:
    fp32 = next(r for n, r in runs.items() if n.startswith(ENGINES[1])).engine.predict(prompts)
    int8 = next(r for n, r in runs.items() if n.startswith(ENGINES[2])).engine.predict(prompts)
    same = sum(a.tokens == b.tokens for a, b in zip(fp32, int8, strict=True))
    return {"identical": same, "prompts": len(prompts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=100)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    thread_counts = [int(t) for t in args.threads.split(",") if t.strip()]
    folder = embedded_model_folder()
    if folder is not None:
        module, model_name = ArcDecoder.load(folder).eval(), "the embedded default"
    else:
        module, model_name = ArcDecoder.seeded(ArcDecoderConfig(), seed=0).eval(), "untrained"
    prompts = [encode_task(t)[0] for t in generate_tasks(args.prompts, seed=31337, min_side=3)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = engines(module, folder, thread_counts)
        sizes = {p.name: p.stat().st_size for p in folder.glob("*.onnx")}
        start = time.perf_counter()
        speed = throughput(runs, prompts, args.rounds)
        lat = latency(runs, args.requests)
        agreement = greedy_agreement(runs, prompts)
        accuracy = int8_accuracy(folder, max(thread_counts))
        for run in runs.values():
            run.engine.close()
    for name, v in speed.items():
        torch_same = speed[f"{ENGINES[0]} @{name.rsplit('@', 1)[1]}"]
        v["ratio_vs_torch"] = v["tokens_per_second"] / torch_same["tokens_per_second"]
        v["generation_ratio_vs_torch"] = (
            v["generation_tokens_per_second"] / torch_same["generation_tokens_per_second"]
        )
    best = best_ratios(speed)
    report = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"onnxruntime {ort.__version__}",
        "model": f"built-in, d=128, 4 layers, 4 heads: {model_name}",
        "prompts": len(prompts),
        "throughput": speed,
        "best": best,
        "latency_10x10": lat,
        "int8_vs_fp32_greedy": agreement,
        "int8_recolor_accuracy": accuracy,
        "sizes_bytes": sizes,
        "seconds": time.perf_counter() - start,
    }
    print(
        f"{'engine @threads':<24}{'tokens/s':>9}{'vs torch':>9}{'prompt s':>9}{'gen tok/s':>10}"
        f"{'vs torch':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
    )
    for name, v in speed.items():
        la = lat[name]
        print(
            f"{name:<24}{v['tokens_per_second']:>9,.0f}{v['ratio_vs_torch']:>8.2f}x"
            f"{v['prompt_seconds']:>9.2f}{v['generation_tokens_per_second']:>10,.0f}"
            f"{v['generation_ratio_vs_torch']:>8.2f}x"
            f"{la['p50_ms']:>8.1f}{la['p95_ms']:>8.1f}{la['p99_ms']:>8.1f}"
        )
    print(
        "best thread count each: "
        + ", ".join(
            f"{v['run']} {v['tokens_per_second']:,.0f} tokens/s ({v['ratio_vs_best_torch']:.2f}x)"
            for v in best.values()
        )
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
