"""``arc-ttt solve --sources neural`` end to end as a user runs it: the installed command, a real
(small, untrained) built-in model, test-time training, augmented decoding, and the run folder it writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.scoring import parse_submission
from arc_ttt.domain.synthetic import generate_task
from cli_errors import usage_error_line
from cli_runs import ARC_TTT, SMALL_MODEL, needs_arc_ttt

pytestmark = needs_arc_ttt
# What these tests are about: the test-time-training source alone.
NEURAL_SOLVE = [ARC_TTT, "solve", "--sources", "neural", "--model", "builtin", "--method", "full"]


def solve(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **SMALL_MODEL}
    return subprocess.run(
        [*NEURAL_SOLVE, "--steps", "6", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def task_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tasks")
    tasks = [
        generate_task("recolor", 5, n_train=2, max_side=4),
        generate_task("flip_horizontal", 6, n_train=2, max_side=4, n_test=2),
    ]
    for task in tasks:
        (folder / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
    return folder


@pytest.fixture(scope="module")
def first_run(task_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "first"
    result = solve("--dataset", str(task_folder), "--views", "2", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    return out, result


def test_solve_writes_a_valid_submission_with_two_attempts_per_test_input(first_run, task_folder):
    out, _ = first_run
    submission = parse_submission(json.loads((out / "submission.json").read_text()))
    expected = {p.stem: 2 if "flip" in p.stem else 1 for p in task_folder.glob("*.json")}
    assert {t: len(a) for t, a in submission.answers.items()} == expected
    for attempts in submission.answers.values():
        for a in attempts:
            assert a.attempt_1 != a.attempt_2


def test_solve_records_every_task_and_the_run(first_run):
    out, result = first_run
    metrics = json.loads(result.stdout)
    assert metrics["tasks"] == 2 and metrics["score"] is not None
    assert metrics["tokens_trained"] > 0 and metrics["peak_memory_bytes"] > 0
    assert metrics == {**json.loads((out / "metrics.json").read_text()), "run": str(out)}
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert line["train_steps"] == 6 and line["seconds"] > 0
        assert line["correct"] is not None and len(line["correct"]) == len(line["attempts"])
    settings = json.loads((out / "settings.json").read_text())
    assert settings["ttt"]["steps"] == 6 and settings["model"]["d_model"] == 32


def test_the_same_seed_gives_the_same_submission(first_run, task_folder, tmp_path):
    out, _ = first_run
    again = solve("--dataset", str(task_folder), "--views", "2", "--out", str(tmp_path), "-q")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "submission.json").read_text() == (out / "submission.json").read_text()


def test_progress_prints_a_line_per_task_and_the_score(task_folder, tmp_path):
    result = solve(
        "--dataset", str(task_folder), "--limit", "1", "--views", "1", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert "[1/1]" in result.stderr + result.stdout
    assert "score" in result.stdout and "submission:" in result.stdout


def test_a_bad_flag_value_is_a_one_line_usage_error(task_folder, tmp_path):
    result = solve("--dataset", str(task_folder), "--views", "0", "--out", str(tmp_path))
    assert result.returncode == 2
    assert usage_error_line(result.stderr).startswith("--views")


def test_a_killed_run_resumes_without_redoing_finished_tasks(first_run, task_folder, tmp_path):
    out = tmp_path / "killed"
    args = ["--dataset", str(task_folder), "--views", "2", "--out", str(out)]
    env = {**os.environ, **SMALL_MODEL}
    command = [ARC_TTT, "solve", "--sources", "neural", "--model", "builtin", "--method", "full"]
    command += ["--steps", "6", *args]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("[1/2]"):
                proc.send_signal(signal.SIGKILL)  # killed after its first task, mid-run
                break
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert not (out / "submission.json").exists()
    resumed = subprocess.run(
        [ARC_TTT, "solve", "--resume", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    first_out, _ = first_run
    assert (out / "submission.json").read_text() == (first_out / "submission.json").read_text()
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert sorted(line["from_cache"] for line in lines) == [False, True]


@pytest.fixture(scope="module")
def shared_run(task_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "shared"
    result = solve(
        "--dataset",
        str(task_folder),
        "--ttt",
        "shared",
        "--views",
        "2",
        "--out",
        str(out),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def test_shared_ttt_trains_once_then_answers_every_test_input_twice(shared_run, task_folder):
    out, metrics = shared_run
    submission = parse_submission(json.loads((out / "submission.json").read_text()))
    expected = {p.stem: 2 if "flip" in p.stem else 1 for p in task_folder.glob("*.json")}
    assert {t: len(a) for t, a in submission.answers.items()} == expected
    assert all(a.attempt_1 != a.attempt_2 for att in submission.answers.values() for a in att)
    shared = metrics["shared_ttt"]
    assert shared["tasks"] == 2 and shared["steps"] == 6 and shared["sequences"] > 0
    assert shared["tokens"] > 0 and shared["seconds"] > 0 and shared["from_cache"] is False
    assert metrics["tokens_trained"] == shared["tokens"]
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert [(x["stopped_because"], x["train_steps"]) for x in lines] == [("shared", 0)] * 2
    # One model for the set, kept for a resumed run: no per-task adapters.
    assert [p.name for p in (out / "cache" / "adapters").iterdir()] == ["shared-ttt"]


@pytest.mark.slow
def test_a_killed_shared_run_resumes_with_its_cached_model(shared_run, task_folder, tmp_path):
    out = tmp_path / "killed"
    env = {**os.environ, **SMALL_MODEL}
    command = [ARC_TTT, "solve", "--sources", "neural", "--model", "builtin", "--method", "full"]
    command += [
        "--steps",
        "6",
        "--ttt",
        "shared",
        "--dataset",
        str(task_folder),
        "--views",
        "2",
        "--out",
        str(out),
    ]
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("[1/2]"):
                proc.send_signal(signal.SIGKILL)  # after the shared training and one task
                break
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    resumed = subprocess.run(
        [ARC_TTT, "solve", "--resume", str(out), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    shared = json.loads(resumed.stdout)["shared_ttt"]
    assert shared["from_cache"] is True and shared["steps"] == 6  # loaded, not trained again
    first_out, _ = shared_run
    assert (out / "submission.json").read_text() == (first_out / "submission.json").read_text()


def test_resume_refuses_new_settings_and_non_run_folders(tmp_path):
    result = subprocess.run(
        [ARC_TTT, "solve", "--resume", str(tmp_path), "--steps", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "drop --steps" in result.stderr
    result = subprocess.run(
        [ARC_TTT, "solve", "--resume", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "no settings.json" in result.stderr


def test_sigterm_stops_after_the_current_step_and_the_run_resumes(task_folder, tmp_path):
    env = {**os.environ, **SMALL_MODEL}
    command = [ARC_TTT, "solve", "--sources", "neural", "--model", "builtin", "--method", "full"]
    command += ["--steps", "300"]
    command += ["--dataset", str(task_folder), "--views", "2", "-q"]
    straight = tmp_path / "straight"
    subprocess.run([*command, "--out", str(straight)], env=env, check=True, timeout=300)
    out = tmp_path / "terminated"
    with subprocess.Popen(
        [*command[:-1], "--out", str(out)], stderr=subprocess.PIPE, text=True, env=env
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("[1/2]"):
                proc.send_signal(signal.SIGTERM)  # task 2 is training (300 steps, seconds)
                break
        rest = proc.stderr.read()
        proc.wait(timeout=120)
    assert proc.returncode == 128 + signal.SIGTERM, rest
    assert "SIGTERM: stopping after the current step" in rest
    assert f"resume with: arc-ttt solve --resume {out}" in rest
    assert len(json.loads((out / "submission.json").read_text())) == 1  # the partial submission
    assert json.loads((out / "metrics.json").read_text())["interrupted"] is True
    resumed = subprocess.run(
        [ARC_TTT, "solve", "--resume", str(out), "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "submission.json").read_text() == (straight / "submission.json").read_text()


def test_a_time_limit_still_answers_every_task(task_folder, tmp_path):
    result = solve(
        "--dataset",
        str(task_folder),
        "--steps",
        "100000",
        "--time-limit",
        "4",
        "--out",
        str(tmp_path),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["tasks"] == 2 and metrics["seconds"] < 4 + 3  # a few seconds of grace
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert all(line["stopped_because"] == "time" or line["degradations"] for line in lines)
