"""Runs over several processes through ``accelerate launch`` on the CPU (gloo): pretraining with
2 processes follows the 1-process loss curve at the same global batch and resumes from a saved
state to the weights of an uninterrupted run, and a 2-process sharded ``solve`` writes the
1-process submission."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.synthetic import generate_task
from cli_runs import SMALL_MODEL

ACCELERATE = shutil.which("accelerate")
pytestmark = pytest.mark.skipif(ACCELERATE is None, reason="accelerate's launcher is missing")

# What a user types on a machine without GPUs (ACCELERATE_USE_CPU: gloo on the CPU).
ENV = {"ACCELERATE_USE_CPU": "1", "OMP_NUM_THREADS": "1"}
TINY_PRETRAIN = [
    *("--data", "synthetic", "--synthetic-tasks", "24", "--steps", "6", "--seed", "3"),
    *("--d-model", "32", "--layers", "2", "--heads", "2", "--threads", "1"),
    *("--batch-size", "4", "--max-tokens", "600", "--val-fraction", "0.1"),
    *("--lr", "3e-3", "--warmup", "2", "--eval-every", "3", "--log-every", "1", "-q"),
]
SOLVE = ["solve", "--model", "builtin", "--method", "full", "--steps", "2", "--views", "2"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def arc_ttt(args: list[str], processes: int, **env: str) -> subprocess.CompletedProcess[str]:
    """``arc-ttt ARGS`` in one process, or under ``accelerate launch`` with ``processes``."""
    if processes == 1:
        command = [sys.executable, "-m", "arc_ttt.cli", *args]
    else:
        assert ACCELERATE is not None
        command = [ACCELERATE, "launch", "--multi_gpu", "--num_processes", str(processes)]
        command += ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
        command += ["--main_process_port", str(free_port()), "-m", "arc_ttt.cli", *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, **env},
        timeout=300,
        check=False,
    )


def curve(folder: Path) -> list[tuple[int, float, float | None]]:
    records = [json.loads(x) for x in (folder / "metrics.jsonl").read_text().splitlines()]
    return [(r["step"], r["train_loss"], r["val_loss"]) for r in records]


@pytest.mark.slow
def test_two_processes_pretrain_along_the_one_process_loss_curve(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    first = arc_ttt(["pretrain", "--out", str(one), *TINY_PRETRAIN], 1)
    assert first.returncode == 0, first.stderr
    second = arc_ttt(["pretrain", "--out", str(two), *TINY_PRETRAIN], 2)
    assert second.returncode == 0, second.stderr
    assert second.stdout.count("pretrained 6 steps") == 1  # the main process alone reports
    expected, got = curve(one), curve(two)
    assert [s for s, _, _ in got] == [s for s, _, _ in expected] == list(range(1, 7))
    for (_, loss_1, val_1), (_, loss_2, val_2) in zip(expected, got, strict=True):
        assert loss_2 == pytest.approx(loss_1, rel=1e-4)
        assert (val_1 is None) == (val_2 is None)
        assert val_1 is None or val_2 == pytest.approx(val_1, rel=1e-4)
    manifest = json.loads((two / "manifest.json").read_text())
    assert manifest["model"]["processes"] == 2 and manifest["result"]["steps"] == 6
    states = [p.name for p in (two / "checkpoints").iterdir() if not p.name.startswith(".")]
    assert states == ["pretrain"]  # one writer: the main process


@pytest.mark.slow
def test_a_two_process_pretrain_resumes_from_its_last_saved_state(tmp_path):
    args = [*TINY_PRETRAIN, "--save-every", "3"]
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    for out in (whole, cut):
        run = arc_ttt(["pretrain", "--out", str(out), *args], 2)
        assert run.returncode == 0, run.stderr
    # As if both processes died after step 3's state was saved: later states and outputs are gone.
    store = FilesystemCheckpointStore(cut / "checkpoints")
    kept = [v for v in store.versions("pretrain") if v.metadata["step"] <= 3]
    assert kept and kept[-1].metadata["step"] == 3
    for v in store.versions("pretrain"):
        if v.metadata["step"] > 3:
            store.delete("pretrain", v.version)
    (cut / "model.safetensors").unlink()
    (cut / "manifest.json").unlink()
    resumed = arc_ttt(["pretrain", "--out", str(cut), *args, "--resume"], 2)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.count("pretrained 6 steps") == 1
    weights = "model.safetensors"
    assert (cut / weights).read_bytes() == (whole / weights).read_bytes()
    manifest = json.loads((cut / "manifest.json").read_text())
    assert manifest["result"]["resumed_from_step"] == 3 and manifest["model"]["processes"] == 2
    assert curve(cut) == curve(whole)


@pytest.mark.slow
def test_sigterm_stops_both_processes_at_one_step_and_the_run_resumes_to_the_same_weights(
    tmp_path,
):
    args = list(TINY_PRETRAIN)
    args[args.index("--steps") + 1] = "30"
    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    run = arc_ttt(["pretrain", "--out", str(whole), *args], 2)
    assert run.returncode == 0, run.stderr
    args.remove("-q")  # the main process's progress lines tell when to send the signal
    command = [ACCELERATE, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1"]
    command += ["--mixed_precision", "no", "--dynamo_backend", "no"]
    command += ["--main_process_port", str(free_port()), "-m", "arc_ttt.cli"]
    command += ["pretrain", "--out", str(stopped), *args]
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, text=True, env={**os.environ, **ENV}
    ) as p:
        assert p.stderr is not None
        for line in p.stderr:
            if line.startswith("step 4/"):
                p.send_signal(signal.SIGTERM)  # the launcher passes it on to both processes
                break
        rest = p.stderr.read()
        p.wait(timeout=120)
    assert p.returncode != 0, rest
    result = json.loads((stopped / "manifest.json").read_text())["result"]
    assert result["stopped_because"] == "interrupted" and 4 <= result["steps"] < 30, rest
    saved = FilesystemCheckpointStore(stopped / "checkpoints").versions("pretrain")[-1]
    assert saved.metadata["step"] == result["steps"]
    resumed = arc_ttt(["pretrain", "--out", str(stopped), *args, "-q", "--resume"], 2)
    assert resumed.returncode == 0, resumed.stderr
    weights = "model.safetensors"
    assert (stopped / weights).read_bytes() == (whole / weights).read_bytes()
    assert curve(stopped) == curve(whole)


@pytest.fixture(scope="module")
def four_tasks(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tasks")
    for rule, seed in (("recolor", 5), ("flip_horizontal", 6), ("transpose", 7), ("recolor", 8)):
        task = generate_task(rule, seed, n_train=2, max_side=4)
        (folder / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
    return folder


@pytest.mark.slow
def test_a_sharded_solve_writes_the_one_process_submission(four_tasks, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    first = arc_ttt([*SOLVE, "--dataset", str(four_tasks), "--out", str(one)], 1, **SMALL_MODEL)
    assert first.returncode == 0, first.stderr
    second = arc_ttt([*SOLVE, "--dataset", str(four_tasks), "--out", str(two)], 2, **SMALL_MODEL)
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("[2/2]") == 2 and "[3/" not in second.stderr  # 2 tasks each
    assert second.stdout.count("submission:") == 1  # the main process alone writes and reports
    assert (two / "submission.json").read_text() == (one / "submission.json").read_text()
    lines = [json.loads(x) for x in (two / "results.jsonl").read_text().splitlines()]
    assert [x["task_id"] for x in lines] == sorted(p.stem for p in four_tasks.glob("*.json"))
    assert json.loads((two / "metrics.json").read_text())["tasks"] == 4


def test_shared_ttt_refuses_several_processes(four_tasks, tmp_path):
    args = [*SOLVE, "--ttt", "shared", "--dataset", str(four_tasks), "--out", str(tmp_path)]
    result = arc_ttt(args, 2, **SMALL_MODEL)
    assert result.returncode != 0 and "--ttt shared runs in one process" in result.stderr
