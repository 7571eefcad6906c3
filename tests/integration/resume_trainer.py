"""A training run that saves its state to a filesystem store: the victim of the resume tests.

Run as a script (``python resume_trainer.py STORE OUT METHOD [HOLD]``) it trains a small built-in
model for 40 steps with its state saved every 4 steps under key ``run``, resuming from whatever the
store holds, prints ``step N`` after each step, and writes the final trainable weights to OUT
(safetensors). With HOLD it stops moving after printing ``step HOLD`` (waits to be killed), so a
test kills it at a known step whatever the machine's load. One thread, so two processes do the
same float operations.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import torch
from safetensors.torch import save_file

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.adapters.torch.training_state import TrainingCheckpoints
from arc_ttt.domain.checkpoint_policy import SaveSchedule
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.domain.synthetic import generate_task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

CONFIG = ArcDecoderConfig(d_model=32, n_layers=2, n_heads=2)


def options(method: str, **changes: object) -> TrainOptions:
    base = TrainOptions(
        steps=40,
        batch_size=4,
        grad_accumulation=2,
        learning_rate=3e-3,
        warmup_steps=3,
        method=method,  # type: ignore[arg-type]
        lora_rank=4,
        lora_dropout=0.1,  # dropout draws from the global generator: its state must resume too
        patience=1000,
        seed=5,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def sequences():
    task = generate_task("flip_horizontal", 3, n_train=3, max_side=4)
    return build_ttt_set(task, TTTSetOptions(per_subtask=6), seed=0)


def trainable(backend: TorchModelBackend, model) -> dict[str, torch.Tensor]:
    """The adapted model's own tensors (LoRA weights, or the whole model), from its files."""
    from safetensors.torch import load

    files = backend.adapter_files(model)
    name = next(n for n in files if n.endswith(".safetensors"))
    return load(files[name])


def main() -> None:
    store_root, out, method = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    hold = int(sys.argv[4]) if len(sys.argv) > 4 else None
    torch.set_num_threads(1)
    backend = TorchModelBackend.builtin(CONFIG, seed=0, cpu=True)
    checkpoints = TrainingCheckpoints(
        FilesystemCheckpointStore(store_root), "run", SaveSchedule(every_steps=4)
    )

    def report(step: int, loss: float) -> None:
        print(f"step {step}", flush=True)
        while step == hold:
            time.sleep(1)  # the state saved at step 20 is in the store; step 21's is not

    result = backend.adapt(
        backend.base(), "x", sequences(), options(method), checkpoints=checkpoints, on_step=report
    )
    save_file(trainable(backend, result.model), str(out))
    print(f"done {result.steps} resumed_from {result.resumed_from_step}", flush=True)


if __name__ == "__main__":
    main()
