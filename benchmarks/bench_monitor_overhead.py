"""Overhead of the background resource sampler on a training loop (issue: under 1%).

Trains the built-in model (d=64, 2 layers) on one synthetic task's TTT set for 60 steps, with
and without a ``BackgroundSampler(SystemMonitor())`` running, alternating, and prints the median
time of each and their ratio; then the cost of one sample, which over the interval is the
overhead the sampler implies (the end-to-end ratio is within run-to-run noise on a shared CPU).

Run: python benchmarks/bench_monitor_overhead.py [--interval 0.25] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch

from arc_ttt.adapters.resource_monitor import BackgroundSampler, SystemMonitor
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.domain.synthetic import generate_task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.25)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(2)
    backend = TorchModelBackend.builtin(ArcDecoderConfig(d_model=64, n_layers=2), seed=0, cpu=True)
    task = generate_task("flip_horizontal", 1, n_train=3, max_side=6)
    sequences = build_ttt_set(task, TTTSetOptions(per_subtask=8), seed=0)
    options = TrainOptions(steps=60, batch_size=8, method="full")

    def run() -> float:
        start = time.perf_counter()
        result = backend.adapt(backend.base(), "bench", sequences, options)
        backend.release(result.model)
        return time.perf_counter() - start

    run()  # warm-up
    plain, sampled, samples = [], [], 0
    for _ in range(args.rounds):
        plain.append(run())
        with BackgroundSampler(SystemMonitor(), interval=args.interval) as sampler:
            sampled.append(run())
        samples += sampler.peaks.samples
    ratio = statistics.median(sampled) / statistics.median(plain)
    monitor = SystemMonitor()
    start = time.perf_counter()
    for _ in range(1000):
        monitor.sample()
    cost = (time.perf_counter() - start) / 1000
    # The sampler thread costs one sample per interval (it holds the GIL only while sampling).
    implied = cost / args.interval
    print(f"| run | median s ({args.rounds} rounds) |\n|---|---|")
    print(f"| no sampler | {statistics.median(plain):.3f} |")
    print(f"| sampler every {args.interval} s | {statistics.median(sampled):.3f} |")
    print(f"measured overhead: {100 * (ratio - 1):+.2f}% ({samples} samples; run-to-run noise)")
    print(f"one sample: {cost * 1e6:.0f} us -> implied overhead {100 * implied:.3f}%")
    record = {"plain": plain, "sampled": sampled, "ratio": ratio, "sample_seconds": cost}
    print(json.dumps(record))


if __name__ == "__main__":
    main()
