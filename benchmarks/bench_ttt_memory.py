"""Peak memory of test-time training against the batch size.

    python -m pytest benchmarks/bench_ttt_memory.py -p no:cacheprovider

The built-in model at its default size (d=128, 4 layers, 0.8 M parameters), full fine-tuning
(what ``--method auto`` does for it), ``STEPS`` steps of batch 1, 2, 4, 8 and 16 on the TTT set
(8 copies per leave-one-out sub-task) of the ARC-AGI-1 training task nearest 800 tokens. Each
batch size runs in a fresh process, because peak RSS is a process high-water mark; the figure is
the peak RSS growth during training over the RSS after loading the model and the data (what the
batch costs), and the absolute peak RSS. On Linux the peak is reset right before training
(``/proc/self/clear_refs``) and read from ``VmHWM``, so a higher peak while loading (the bundled
datasets are parsed first) cannot hide the training's; elsewhere ``ru_maxrss`` is used. The benchmark's time is the whole child process
(interpreter and torch start-up included) and is not a training speed: the first adaptations in
a fresh process are several times slower than later ones on this machine (see
``bench_ttt_scaling.py`` and ``bench_checkpoint_frequency.py``, which warm up first).

The child is this file run as a script: ``python benchmarks/bench_ttt_memory.py BATCH``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np
import pytest

BATCHES = (1, 2, 4, 8, 16)
STEPS = 3
TARGET_TOKENS = 800
MIB = 2**20
_GROWTH: dict[int, int] = {}


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets this process's peak RSS (VmHWM)
    except OSError:
        return False
    return True


def _peak_bytes(reset: bool) -> int:
    if reset:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def child(batch: int) -> dict[str, Any]:
    import torch

    from arc_ttt import load_tasks
    from arc_ttt.adapters.memory_probe import ProcessMemoryProbe
    from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
    from arc_ttt.adapters.torch.backend import TorchModelBackend
    from arc_ttt.domain.codec import count_tokens
    from arc_ttt.domain.model_io import TrainOptions
    from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

    torch.set_num_threads(2)
    tasks = sorted(load_tasks("arc-agi-1/training"), key=lambda t: (count_tokens(t), t.id))
    task = min(tasks, key=lambda t: abs(count_tokens(t) - TARGET_TOKENS))
    data = build_ttt_set(task, TTTSetOptions(), seed=0)
    backend = TorchModelBackend.builtin(ArcDecoderConfig(), seed=0, cpu=True)
    options = TrainOptions(
        steps=STEPS, batch_size=batch, method="full", early_stop_loss=None, seed=0
    )
    reset = _reset_peak()
    before = ProcessMemoryProbe().current_bytes()
    start = time.perf_counter()
    result = backend.adapt(backend.base(), "bench", data, options)
    seconds = time.perf_counter() - start
    peak = _peak_bytes(reset)
    return {
        "task": task.id,
        "task_tokens": count_tokens(task),
        "before_bytes": before,
        "peak_bytes": peak,
        "growth_bytes": peak - before,
        "seconds": seconds,
        "tokens": result.tokens,
        "peak_source": "VmHWM after reset" if reset else "ru_maxrss",
    }


def _run_child(batch: int) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, str(batch)], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("batch", BATCHES)
def test_peak_memory(benchmark: Any, figures: Any, batch: int) -> None:
    record = benchmark.pedantic(_run_child, args=(batch,), rounds=1, iterations=1)
    _GROWTH[batch] = record["growth_bytes"]
    figures["task"] = f"{record['task']} ({record['task_tokens']} tokens)"
    figures["batch"] = batch
    figures["peak RSS growth MiB"] = round(record["growth_bytes"] / MIB)
    figures["peak RSS MiB"] = round(record["peak_bytes"] / MIB)
    figures["peak from"] = record["peak_source"]


def test_memory_per_sequence(figures: Any) -> None:
    if len(_GROWTH) < 3:
        pytest.skip("needs test_peak_memory for at least 3 batch sizes in the same run")
    batches = sorted(_GROWTH)
    slope, intercept = np.polyfit(batches, [_GROWTH[b] / MIB for b in batches], 1)
    figures["batches"] = batches
    figures["peak RSS growth MiB"] = [round(_GROWTH[b] / MIB) for b in batches]
    figures["MiB per extra sequence (linear fit)"] = round(float(slope), 1)
    figures["MiB at batch 0 (intercept)"] = round(float(intercept), 1)


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
