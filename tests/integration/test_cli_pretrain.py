"""``arc-ttt pretrain`` as a user runs it (the installed command, a tiny model on synthetic
tasks): help, one-line usage errors, a model folder that ``arc-ttt solve`` loads with its
manifest and metrics, and a run killed with SIGKILL that resumes to the same weights, bit for
bit, as the run that was never stopped."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from arc_ttt.adapters.fs_store import FilesystemCheckpointStore
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.synthetic import generate_task
from cli_errors import usage_error_line

ARC_TTT = shutil.which("arc-ttt")
pytestmark = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")
RUNNER = Path(__file__).with_name("pretrain_runner.py")

# A few seconds on one thread: 40 steps of a 32-wide, 2-layer decoder on 24 synthetic tasks,
# states every 10 steps, a progress record every step (the SIGKILL test needs them).
TINY = [
    *("--data", "synthetic", "--synthetic-tasks", "24", "--steps", "40", "--seed", "3"),
    *("--d-model", "32", "--layers", "2", "--heads", "2", "--threads", "1"),
    *("--batch-size", "4", "--max-tokens", "600", "--val-fraction", "0.1"),
    *("--lr", "3e-3", "--warmup", "4"),
    *("--eval-every", "10", "--log-every", "1", "--save-every", "10", "-q"),
]


def pretrain(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARC_TTT, "pretrain", *args], capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The uninterrupted tiny run: (model folder, manifest printed by --json)."""
    out = tmp_path_factory.mktemp("pretrain") / "whole"
    result = pretrain("--out", str(out), *TINY, "--json")
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def test_help_lists_the_flags():
    result = pretrain("--help")
    assert result.returncode == 0
    for flag in ("--out", "--data", "--steps", "--minutes", "--val-fraction", "--resume"):
        assert flag in result.stdout
    assert "--checkpoint-store" in result.stdout and "arc1-train" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--val-fraction", "0.9"], "--val-fraction: Input should be less than or equal to 0.5"),
        (["--data", "arc1-train,arc1-eval"], "--data: unknown source(s) 'arc1-eval'"),
        (["--steps", "0"], "--steps: Input should be greater than 0"),
        (["--steps", "ten"], "Invalid value for '--steps': 'ten' is not a valid integer"),
        (["--lr", "-1"], "--lr: Input should be greater than 0"),
        (["--heads", "5"], "--d-model/--layers/--heads: ArcDecoderConfig.d_model=128"),
        (["--checkpoint-store", "s3://Bad_Bucket/x"], "--checkpoint-store: store URL"),
        ([], "Missing option '--out'"),
        (
            ["--data", "synthetic", "--synthetic-tasks", "4", "--max-tokens", "30"],
            "--data/--max-tokens/--val-fraction: no training sequence fits in max_tokens=30",
        ),
    ],
)
def test_a_bad_flag_value_is_a_one_line_usage_error(args, message, tmp_path):
    out = [] if not args else ["--out", str(tmp_path / "m")]
    result = pretrain(*out, *args)
    assert result.returncode == 2
    assert message in usage_error_line(result.stderr)
    assert not (tmp_path / "m" / "model.safetensors").exists()


def test_a_tiny_run_writes_a_model_folder_that_solve_loads(whole, tmp_path):
    out, printed = whole
    assert {"config.json", "model.safetensors", "manifest.json", "metrics.jsonl"} <= {
        p.name for p in out.iterdir()
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert printed["model_dir"] == str(out) and printed["result"] == manifest["result"]
    result, data = manifest["result"], manifest["data"]
    assert (result["steps"], result["stopped_because"], manifest["seed"]) == (40, "steps", 3)
    assert [s for s, _ in result["validations"]] == [10, 20, 30, 40]
    assert result["tokens"] > 0 and result["train_loss_last"] < result["train_loss_first"]
    assert data["sources"][0]["source"] == "synthetic" and data["train_tasks"] > 0
    assert manifest["model"]["d_model"] == 32 and manifest["provenance"]["package_version"]
    assert manifest["training"]["steps"] == 40 and "git_commit" in manifest["provenance"]
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics] == list(range(1, 41))
    assert {"train_loss", "val_loss", "tokens_per_second", "seconds"} <= set(metrics[0])
    task = generate_task("recolor", 7, n_train=2, max_side=4)
    (tmp_path / "task.json").write_text(json.dumps(task_to_json(task)))
    command = [ARC_TTT, "solve", "--model", str(out), "--dataset", str(tmp_path / "task.json")]
    solved = subprocess.run(
        [*command, "--ttt", "none", "--views", "1", "--out", str(tmp_path / "run"), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert solved.returncode == 0, solved.stderr
    assert (tmp_path / "run" / "submission.json").is_file()


def test_a_run_killed_with_sigkill_resumes_to_the_same_weights(whole, tmp_path):
    reference, _ = whole
    out = tmp_path / "killed"
    with subprocess.Popen(
        [sys.executable, str(RUNNER), "21", "--out", str(out), *TINY],
        stdout=subprocess.PIPE,
        text=True,
    ) as p:
        assert p.stdout is not None
        for line in p.stdout:
            if line.strip() == "step 21":  # step 21 trained and logged, its state not saved
                p.send_signal(signal.SIGKILL)
                break
        p.wait(timeout=60)
    assert p.returncode == -signal.SIGKILL and not (out / "model.safetensors").exists()
    assert (
        FilesystemCheckpointStore(out / "checkpoints").versions("pretrain")[-1].metadata["step"]
        == 20
    )
    resumed = pretrain("--out", str(out), *TINY, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    weights = "model.safetensors"
    assert (out / weights).read_bytes() == (reference / weights).read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["result"]["resumed_from_step"] == 20
    expected = json.loads((reference / "manifest.json").read_text())["result"]
    for key in ("steps", "tokens", "validations", "model_step", "train_loss_last"):
        assert manifest["result"][key] == expected[key]

    def losses(folder: Path) -> list[tuple]:
        lines = (folder / "metrics.jsonl").read_text().splitlines()
        return [(r["step"], r["train_loss"], r["val_loss"]) for r in map(json.loads, lines)]

    assert losses(out) == losses(reference)  # step 21's line from the killed run was replaced


def test_a_fresh_run_over_a_saved_state_asks_for_resume(whole):
    out, _ = whole
    result = pretrain("--out", str(out), *TINY)
    assert result.returncode == 2
    assert "already holds a pretraining state" in result.stderr and "--resume" in result.stderr
    nothing = pretrain("--out", str(out / "elsewhere"), *TINY, "--resume")
    assert nothing.returncode == 2 and "nothing to resume" in nothing.stderr


def test_sigint_stops_after_the_current_step_with_the_state_saved(tmp_path):
    out = tmp_path / "stopped"
    args = list(TINY)
    args[args.index("--steps") + 1] = "100000"
    args.remove("-q")  # progress lines on stderr tell when to send the signal
    with subprocess.Popen(
        [ARC_TTT, "pretrain", "--out", str(out), *args], stderr=subprocess.PIPE, text=True
    ) as p:
        assert p.stderr is not None
        for line in p.stderr:
            if line.startswith("step 5/"):
                p.send_signal(signal.SIGINT)
                break
        rest = p.stderr.read()
        p.wait(timeout=60)
    assert p.returncode == 130, rest
    assert "stopped by SIGINT" in rest and "--resume" in rest
    result = json.loads((out / "manifest.json").read_text())["result"]
    assert result["stopped_because"] == "interrupted" and result["steps"] < 100000
    saved = FilesystemCheckpointStore(out / "checkpoints").versions("pretrain")[-1]
    assert saved.metadata["step"] == result["steps"]
    assert (out / "model.safetensors").is_file()
