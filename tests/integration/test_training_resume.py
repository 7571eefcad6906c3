"""Exact resumption of training: a run stopped at step 20 of 40 and resumed from its saved state
ends with the same weights, bit for bit, as a run that never stopped (CPU), whether it was
interrupted in process or killed with SIGKILL; a state from another run is refused."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from resume_trainer import CONFIG, options, sequences, trainable
from safetensors.torch import load_file

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.torch.backend import TorchModelBackend
from arc_ttt.adapters.torch.training_state import DOCUMENT, TENSORS, TrainingCheckpoints
from arc_ttt.domain.checkpoint_policy import RetentionPolicy, SaveSchedule
from arc_ttt.domain.errors import CheckpointMismatchError

SCRIPT = Path(__file__).with_name("resume_trainer.py")


class StopTrainingError(Exception):
    pass


def stop_at(step: int):
    def hook(done: int, loss: float) -> None:
        if done == step:
            raise StopTrainingError

    return hook


@pytest.fixture
def backend():
    torch.set_num_threads(1)
    return TorchModelBackend.builtin(CONFIG, seed=0, cpu=True)


def uninterrupted(backend, method):
    result = backend.adapt(backend.base(), "whole", sequences(), options(method))
    return result, trainable(backend, result.model)


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("method", ["lora", "full"])
def test_stopped_at_20_of_40_and_resumed_equals_never_stopped(backend, method):
    whole, expected = uninterrupted(backend, method)
    store = InMemoryCheckpointStore()
    checkpoints = TrainingCheckpoints(store, "run", SaveSchedule(every_steps=5))
    with pytest.raises(StopTrainingError):
        backend.adapt(
            backend.base(),
            "x",
            sequences(),
            options(method),
            checkpoints=checkpoints,
            on_step=stop_at(22),  # two steps past the save at 20 are lost and redone
        )
    assert [v.metadata["step"] for v in store.versions("run")] == [15, 20]  # keep_last=2
    resumed = backend.adapt(
        backend.base(), "x", sequences(), options(method), checkpoints=checkpoints
    )
    assert resumed.resumed_from_step == 20 and resumed.steps == 40
    assert resumed.losses == whole.losses
    assert same(trainable(backend, resumed.model), expected)
    # A finished run's state resumes as finished: nothing more is trained.
    again = backend.adapt(
        backend.base(), "y", sequences(), options(method), checkpoints=checkpoints
    )
    assert again.losses == whole.losses and same(trainable(backend, again.model), expected)


def test_a_run_killed_with_sigkill_resumes_to_the_same_weights(tmp_path):
    straight = tmp_path / "straight.safetensors"
    run = [sys.executable, str(SCRIPT)]
    subprocess.run([*run, str(tmp_path / "s1"), str(straight), "lora"], check=True, timeout=300)
    store, out = tmp_path / "s2", tmp_path / "resumed.safetensors"
    with subprocess.Popen(
        [*run, str(store), str(out), "lora"], stdout=subprocess.PIPE, text=True
    ) as p:
        assert p.stdout is not None
        for line in p.stdout:
            if line.strip() == "step 21":
                p.send_signal(signal.SIGKILL)
                break
        p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL and not out.exists()
    done = subprocess.run(
        [*run, str(store), str(out), "lora"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "done 40 resumed_from 20" in done.stdout
    assert same(load_file(str(out)), load_file(str(straight)))


def test_a_corrupted_newest_state_falls_back_to_the_one_before(backend, tmp_path):
    _, expected = uninterrupted(backend, "lora")
    store = FilesystemCheckpointStore(tmp_path)
    checkpoints = TrainingCheckpoints(store, "run", SaveSchedule(every_steps=5), None)
    with pytest.raises(StopTrainingError):
        backend.adapt(
            backend.base(),
            "x",
            sequences(),
            options("lora"),
            checkpoints=checkpoints,
            on_step=stop_at(21),
        )
    newest = store.versions("run")[-1]
    assert newest.metadata["step"] == 20
    damaged = sorted(tmp_path.rglob(TENSORS))[-1]  # version folders sort by version
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    resumed = backend.adapt(
        backend.base(), "x", sequences(), options("lora"), checkpoints=checkpoints
    )
    assert resumed.resumed_from_step == 15
    assert same(trainable(backend, resumed.model), expected)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lora_rank": 8}, "is \\[8, 32\\] there|is \\[4, 32\\] there|other options|is \\["),
        ({"learning_rate": 1e-3}, "other options"),
    ],
)
def test_a_state_from_another_run_is_refused(backend, change, message):
    store = InMemoryCheckpointStore()
    checkpoints = TrainingCheckpoints(store, "run", SaveSchedule(every_steps=2))
    with pytest.raises(StopTrainingError):
        backend.adapt(
            backend.base(),
            "x",
            sequences(),
            options("lora"),
            checkpoints=checkpoints,
            on_step=stop_at(3),
        )
    with pytest.raises(CheckpointMismatchError, match=message):
        backend.adapt(
            backend.base(), "x", sequences(), options("lora", **change), checkpoints=checkpoints
        )


def test_other_data_is_refused(backend):
    store = InMemoryCheckpointStore()
    checkpoints = TrainingCheckpoints(store, "run", SaveSchedule(every_steps=2))
    with pytest.raises(StopTrainingError):
        backend.adapt(
            backend.base(),
            "x",
            sequences(),
            options("lora"),
            checkpoints=checkpoints,
            on_step=stop_at(3),
        )
    with pytest.raises(CheckpointMismatchError, match="other data"):
        backend.adapt(
            backend.base(), "x", sequences()[:-1], options("lora"), checkpoints=checkpoints
        )


def test_the_state_is_safetensors_and_json_only(backend):
    store = InMemoryCheckpointStore()
    checkpoints = TrainingCheckpoints(store, "run", SaveSchedule(every_steps=40))
    backend.adapt(backend.base(), "x", sequences(), options("lora"), checkpoints=checkpoints)
    saved = store.load("run")
    assert set(saved.files) == {TENSORS, DOCUMENT}
    assert saved.metadata["step"] == 40


def test_retention_keeps_the_newest_states(backend):
    store = InMemoryCheckpointStore()
    checkpoints = TrainingCheckpoints(
        store, "run", SaveSchedule(every_steps=10), RetentionPolicy(keep_last=1)
    )
    backend.adapt(backend.base(), "x", sequences(), options("lora"), checkpoints=checkpoints)
    assert [v.metadata["step"] for v in store.versions("run")] == [40]
