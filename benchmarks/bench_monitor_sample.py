"""Cost of one resource sample, the figure behind the sampler's overhead (``arc-ttt solve`` samples
every 0.25 s on a background thread).

    python -m pytest benchmarks/bench_monitor_sample.py -p no:cacheprovider

A light companion of ``python benchmarks/bench_monitor_overhead.py`` (docs/budgets.md), which
also times a training loop with and without the sampler; this measures only ``sample()``:
``SystemMonitor`` (psutil RSS, host available memory, NVML GPUs: none here) and, for scale, with
USS on (a full memory map walk).
"""

from __future__ import annotations

from typing import Any

import pytest

from arc_ttt.adapters.resource_monitor import SystemMonitor

INTERVAL = 0.25  # seconds between samples in arc-ttt solve


@pytest.mark.parametrize("uss", [False, True], ids=["rss", "rss+uss"])
def test_sample(benchmark: Any, figures: Any, uss: bool) -> None:
    monitor = SystemMonitor(uss=uss)
    benchmark.pedantic(monitor.sample, rounds=200, iterations=5, warmup_rounds=10)
    mean = benchmark.stats.stats.mean
    figures["microseconds per sample"] = round(mean * 1e6)
    figures[f"implied overhead at {INTERVAL} s"] = f"{100 * mean / INTERVAL:.3f}%"
