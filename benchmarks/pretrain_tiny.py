"""Pretrain a tiny built-in model on synthetic tasks only, for the solve figures in docs/solve.md.

This is the small stand-in for ``arc-ttt pretrain`` (issue 6) that the solver's docs compare an
untrained model against. Its data is synthetic tasks from ``arc_ttt.domain.synthetic`` (seeds from
``--seed``), never ARC tasks, so solving ARC-AGI-1 training tasks with it is not contaminated.
Each task becomes its leave-one-out sequences (every demonstration and the test pair asked for
in turn, under random D8 x color x order augmentations), loss on output grids; full training.

Run: python benchmarks/pretrain_tiny.py --out runs/tiny-pretrained --minutes 8
Then: arc-ttt solve --model runs/tiny-pretrained ...
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.domain.synthetic import generate_tasks
from arc_ttt.domain.task import Example, Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set


def _with_test_as_demo(task: Task) -> Task:
    """All of the task's pairs as demonstrations (it is training data: its answers may be seen)."""
    assert task.test_outputs is not None
    extra = tuple(Example(i, o) for i, o in zip(task.test_inputs, task.test_outputs, strict=True))
    return Task(task.id, task.train + extra, task.test_inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="model folder to write")
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=8.0)
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    start = time.perf_counter()
    tasks = generate_tasks(args.tasks, args.seed, min_side=3, max_side=8)
    options = TTTSetOptions(per_subtask=1, max_tokens=2048)
    sequences = [s for t in tasks for s in build_ttt_set(_with_test_as_demo(t), options, args.seed)]
    config = ArcDecoderConfig(d_model=args.d_model, n_layers=args.layers, n_heads=args.heads)
    backend = TorchModelBackend.builtin(config, seed=args.seed, cpu=True)
    train = TrainOptions(
        steps=args.steps,
        batch_size=16,
        learning_rate=1e-3,
        warmup_steps=50,
        weight_decay=0.01,
        max_seconds=args.minutes * 60,
        method="full",
        seed=args.seed,
    )
    result = backend.adapt(backend.base(), "pretrained", sequences, train)
    out = Path(args.out)
    backend.save(result.model, out)
    losses = result.losses
    record = {
        "data": f"{len(tasks)} synthetic tasks (generate_tasks seed {args.seed}, sides 3..8), "
        f"{len(sequences)} leave-one-out sequences",
        "config": {"d_model": args.d_model, "layers": args.layers, "heads": args.heads},
        "steps": result.steps,
        "tokens": result.tokens,
        "train_seconds": round(result.seconds, 1),
        "tokens_per_second": round(result.tokens / max(result.seconds, 1e-9)),
        "loss_first_50": round(sum(losses[:50]) / max(1, len(losses[:50])), 4),
        "loss_last_50": round(sum(losses[-50:]) / max(1, len(losses[-50:])), 4),
        "stopped_because": result.stopped_because,
        "total_seconds": round(time.perf_counter() - start, 1),
        "machine": f"CPU, {args.threads} threads",
    }
    (out / "pretraining.json").write_text(json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
