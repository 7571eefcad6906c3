"""Seconds of test-time training per task against the task's size in tokens, and the fitted growth.

    python -m pytest benchmarks/bench_ttt_scaling.py -p no:cacheprovider

Five real ARC-AGI-1 training tasks whose size (``count_tokens``: prompt + target of the first
test input) is nearest 200, 400, 800, 1,600 and 3,200 tokens; each is adapted with the solve
defaults for the built-in model (default size d=128, 4 layers, full fine-tuning, TTT set of 8
copies per leave-one-out sub-task, batch 4, lr 2e-3) but only ``STEPS`` optimizer steps and no
early stop, so every task does the same number of steps. A solve run does 48 steps: its training
time is about 48 / STEPS times these. Wall seconds are the fastest of ``ROUNDS`` rounds (the
least disturbed by other work on a shared machine); CPU seconds (``time.process_time``, all
threads of the process) of the same round are reported too: on a machine shared with other
jobs, wall time swings several-fold with their load while CPU time mostly does not.
``test_growth`` fits seconds = c * tokens^k by least squares on log-log, for wall and for CPU
seconds, and reports k (1: linear; 2: quadratic).
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import numpy as np
import pytest
import torch

from arc_ttt import load_tasks
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.codec import count_tokens
from arc_ttt.domain.model_io import TrainingSequence, TrainOptions
from arc_ttt.domain.task import Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

TARGETS = (200, 400, 800, 1600, 3200)
STEPS, BATCH, ROUNDS = 4, 4, 3
OPTIONS = TrainOptions(
    steps=STEPS,
    batch_size=BATCH,
    learning_rate=2e-3,
    method="full",
    early_stop_loss=None,
    seed=0,
)
# task size -> (fastest wall seconds, its CPU seconds, tokens trained), read by test_growth
_MEASURED: dict[int, tuple[float, float, int]] = {}


def nearest_tasks(targets: tuple[int, ...]) -> dict[int, Task]:
    by_size = sorted(load_tasks("arc-agi-1/training"), key=lambda t: (count_tokens(t), t.id))
    return {n: min(by_size, key=lambda t: abs(count_tokens(t) - n)) for n in targets}


@pytest.fixture(scope="module")
def tasks() -> dict[int, Task]:
    return nearest_tasks(TARGETS)


@pytest.fixture(scope="module")
def backend(tasks: dict[int, Task]) -> TorchModelBackend:
    torch.set_num_threads(2)
    backend = TorchModelBackend.builtin(ArcDecoderConfig(), seed=0, cpu=True)
    # Warm-up on the largest task: the first adaptations in a process are several times slower
    # than later ones (one-time set-up, and memory the process has not used before).
    data = build_ttt_set(tasks[TARGETS[-1]], TTTSetOptions(), seed=0)
    backend.release(backend.adapt(backend.base(), "warmup", data, OPTIONS).model)
    return backend


def _fit(sizes: list[float], seconds: list[float]) -> tuple[float, float]:
    """Exponent and constant of seconds = c * size^k, least squares on log-log."""
    k, log_c = np.polyfit(np.log(sizes), np.log(seconds), 1)
    return float(k), float(math.exp(log_c))


@pytest.mark.parametrize("target", TARGETS)
def test_ttt_seconds(
    benchmark: Any, figures: Any, backend: TorchModelBackend, tasks: dict[int, Task], target: int
) -> None:
    task = tasks[target]
    data: list[TrainingSequence] = build_ttt_set(task, TTTSetOptions(), seed=0)
    rounds: list[tuple[float, float, int]] = []  # (wall, CPU seconds, tokens trained)

    def adapt() -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        result = backend.adapt(backend.base(), task.id, data, OPTIONS)
        rounds.append((time.perf_counter() - wall, time.process_time() - cpu, result.tokens))
        backend.release(result.model)

    benchmark.pedantic(adapt, rounds=ROUNDS, iterations=1)
    fastest, cpu, tokens = min(rounds)
    size = count_tokens(task)
    _MEASURED[size] = (fastest, cpu, tokens)
    figures["task"] = task.id
    figures["task tokens"] = size
    figures["TTT sequences"] = len(data)
    figures["median sequence tokens"] = int(statistics.median(len(s) for s in data))
    figures["tokens trained"] = tokens
    figures["seconds"] = round(fastest, 2)
    figures["CPU seconds"] = round(cpu, 2)
    figures["tokens/s"] = round(tokens / fastest)
    figures["wall seconds of each round"] = [round(r[0], 2) for r in rounds]


def test_growth(figures: Any) -> None:
    if len(_MEASURED) < 3:
        pytest.skip("needs test_ttt_seconds for at least 3 task sizes in the same run")
    sizes = sorted(_MEASURED)
    x = [float(n) for n in sizes]
    wall = [_MEASURED[n][0] for n in sizes]
    cpu = [_MEASURED[n][1] for n in sizes]
    k, _ = _fit(x, wall)
    k_cpu, c_cpu = _fit(x, cpu)
    figures["sizes (tokens)"] = sizes
    figures["seconds"] = [round(s, 2) for s in wall]
    figures["CPU seconds"] = [round(s, 2) for s in cpu]
    figures["growth exponent k, wall (seconds ~ tokens^k)"] = round(k, 3)
    figures["growth exponent k, CPU"] = round(k_cpu, 3)
    figures["c, CPU"] = round(c_cpu, 6)
    # Per trained token: how much of the growth is more tokens, how much is longer attention.
    per_token = [_MEASURED[n][1] / _MEASURED[n][2] for n in sizes]
    figures["exponent of CPU seconds per trained token"] = round(_fit(x, per_token)[0], 3)
    figures["largest / smallest: tokens"] = round(sizes[-1] / sizes[0], 1)
    figures["largest / smallest: CPU seconds"] = round(cpu[-1] / cpu[0], 1)
