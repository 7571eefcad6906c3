"""Exact resumption of training: a run stopped at step 20 of 40 and resumed from its saved state
ends with the same weights, bit for bit, as a run that never stopped (CPU), whether it was
interrupted in process or killed with SIGKILL; a state from another run is refused."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from resume_trainer import CONFIG, options, sequences, trainable
from safetensors.torch import load_file

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.torch.arc_decoder_config import ArcDecoderConfig
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
    assert again.resumed_from_step == 40 and again.losses == whole.losses
    assert same(trainable(backend, again.model), expected)


def test_a_run_killed_with_sigkill_resumes_to_the_same_weights(backend, tmp_path):
    _, expected = uninterrupted(backend, "lora")  # in this process: equal across processes too
    run = [sys.executable, str(SCRIPT)]
    store, out = tmp_path / "store", tmp_path / "resumed.safetensors"
    with subprocess.Popen(
        [*run, str(store), str(out), "lora", "21"], stdout=subprocess.PIPE, text=True
    ) as p:
        assert p.stdout is not None
        for line in p.stdout:
            if line.strip() == "step 21":  # step 21 trained, its state not saved
                p.send_signal(signal.SIGKILL)
                break
        p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL and not out.exists()
    assert FilesystemCheckpointStore(store).versions("run")[-1].metadata["step"] == 20
    done = subprocess.run(
        [*run, str(store), str(out), "lora"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "done 40 resumed_from 20" in done.stdout
    assert same(load_file(str(out)), expected)


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
        ({"lora_rank": 8}, "other options \\(lora_rank is 4 there, 8 here\\)"),
        ({"learning_rate": 1e-3}, "learning_rate is 0.003 there, 0.001 here"),
        ({"lora_dropout": 0.0, "seed": 6}, "lora_dropout is 0.1 there, 0.0 here, seed is 5"),
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
    with pytest.raises(CheckpointMismatchError, match="other data \\(18 sequences there, 17 here"):
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


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            ArcDecoderConfig(d_model=48, n_layers=2, n_heads=2),
            "is \\[4, 32\\] there, \\[4, 48\\] here",
        ),
        (
            ArcDecoderConfig(d_model=32, n_layers=3, n_heads=2),
            "holds parameters 28 tensors .* trains 42 tensors",
        ),
    ],
)
def test_a_state_of_another_model_is_refused(backend, config, message):
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
    other = TorchModelBackend.builtin(config, seed=0, cpu=True)
    with pytest.raises(CheckpointMismatchError, match=message):
        other.adapt(other.base(), "x", sequences(), options("lora"), checkpoints=checkpoints)


def test_a_run_out_of_time_saves_and_resumes_with_more_time(backend):
    whole, expected = uninterrupted(backend, "lora")

    def slow(step: int, loss: float) -> None:
        if step == 3:
            time.sleep(0.5)  # past the cap: the run stops before step 4

    store = InMemoryCheckpointStore()
    checkpoints = TrainingCheckpoints(store, "run", SaveSchedule(every_steps=10))
    capped = backend.adapt(
        backend.base(),
        "x",
        sequences(),
        options("lora", max_seconds=0.2),
        checkpoints=checkpoints,
        on_step=slow,
    )
    assert capped.stopped_because == "time" and capped.steps <= 3
    assert store.versions("run")[-1].metadata["step"] == capped.steps  # not on the schedule
    resumed = backend.adapt(
        backend.base(), "x", sequences(), options("lora"), checkpoints=checkpoints
    )
    assert resumed.resumed_from_step == capped.steps and resumed.losses == whole.losses
    assert same(trainable(backend, resumed.model), expected)
