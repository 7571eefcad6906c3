"""What gradient checkpointing, bf16 and smaller micro-batches save in peak memory, and cost in
time, for test-time training of the built-in model (d=128, 4 layers) on long sequences.

Each configuration runs in a fresh process (peak RSS is a process high-water mark); the figure is
the peak RSS growth during training over the RSS after loading the model and data.

Run: python benchmarks/bench_memory_savings.py [--steps 12]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

CONFIGS = {
    "baseline (fp32, batch 8)": {},
    "gradient checkpointing": {"gradient_checkpointing": True},
    "bf16 autocast": {"precision": "bf16"},
    "micro-batch 2 x accumulation 4": {"batch_size": 2, "grad_accumulation": 4},
}


def child(config: dict[str, object], steps: int) -> None:
    import torch

    from arc_ttt.adapters.memory_probe import ProcessMemoryProbe
    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
    from arc_ttt.adapters.torch.backend import TorchModelBackend
    from arc_ttt.domain.model_io import TrainOptions
    from arc_ttt.domain.synthetic import generate_task
    from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

    torch.set_num_threads(2)
    precision = "bf16" if config.get("precision") == "bf16" else "no"
    backend = TorchModelBackend.builtin(
        ArcDecoderConfig(), seed=0, cpu=True, mixed_precision=precision
    )
    task = generate_task("tile", 2, n_train=4, min_side=8, max_side=10)
    data = build_ttt_set(task, TTTSetOptions(per_subtask=4), seed=0)
    options = TrainOptions(
        steps=steps,
        batch_size=int(config.get("batch_size", 8)),  # type: ignore[call-overload]
        grad_accumulation=int(config.get("grad_accumulation", 1)),  # type: ignore[call-overload]
        method="full",
        gradient_checkpointing=bool(config.get("gradient_checkpointing", False)),
        early_stop_loss=None,
    )
    before = ProcessMemoryProbe().current_bytes()
    start = time.perf_counter()
    result = backend.adapt(backend.base(), "bench", data, options)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    lengths = sorted(len(s) for s in data)
    print(
        json.dumps(
            {
                "growth_bytes": peak - before,
                "seconds": seconds,
                "tokens": result.tokens,
                "median_tokens": lengths[len(lengths) // 2],
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child), args.steps)
        return
    results = {}
    for name, config in CONFIGS.items():
        out = subprocess.run(
            [sys.executable, __file__, "--steps", str(args.steps), "--child", json.dumps(config)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[name] = json.loads(out.stdout.strip().splitlines()[-1])
    base = results["baseline (fp32, batch 8)"]
    print(f"{args.steps} steps, sequences of median {base['median_tokens']} tokens")
    print("| configuration | peak RSS growth | vs baseline | seconds | vs baseline |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['growth_bytes'] / 2**20:.0f} MiB | "
            f"{r['growth_bytes'] / base['growth_bytes']:.2f}x | {r['seconds']:.1f} | "
            f"{r['seconds'] / base['seconds']:.2f}x |"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
