"""Memory hygiene: after each task the process returns to its baseline, so 50 tasks in a row do
not grow it (adapters released, caches freed). A real (tiny) torch model, LoRA and full."""

from __future__ import annotations

import gc
import statistics

import pytest
import torch

from arc_ttt.adapters.memory_probe import ProcessMemoryProbe
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.application.solve import SolveOptions, Solver
from arc_ttt.domain.model_io import DecodeOptions, TrainOptions
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.testing import RecordingProgress

MiB = 2**20


# LoRA (peft wrappers, adapters attached and removed per task) runs by default; full fine-tuning,
# the same loop without adapters, with the slow tests (`pytest -m slow`).
@pytest.mark.parametrize("method", ["lora", pytest.param("full", marks=pytest.mark.slow)])
def test_fifty_tasks_do_not_grow_the_process(method):
    torch.set_num_threads(1)
    backend = TorchModelBackend.builtin(
        ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2), seed=0, cpu=True
    )
    probe = ProcessMemoryProbe()
    solver = Solver(backend, backend, backend, RecordingProgress(), probe)
    options = SolveOptions(
        train=TrainOptions(steps=3, batch_size=4, method=method, lora_rank=4),
        decode=DecodeOptions(max_new_tokens=24),
        views=1,
    )
    tasks = generate_tasks(50, seed=4242, min_side=3, max_side=4)
    rss, tensors = [], []
    for task in tasks:
        solver.solve_task(task, options)
        gc.collect()
        rss.append(probe.current_bytes())
        tensors.append(sum(1 for o in gc.get_objects() if torch.is_tensor(o)))
    # Objects: exactly what was alive after the tenth task (nothing per task accumulates).
    assert tensors[10:] == [tensors[10]] * 40, tensors
    # Memory: allocator pools settle over the first tasks, then it stays flat (no trend; the
    # allocator's own noise is a few MiB).
    settled, last = statistics.median(rss[10:20]), statistics.median(rss[40:])
    assert last - settled < 16 * MiB, [round(r / MiB) for r in rss]
