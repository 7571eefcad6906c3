"""``arc-ttt kaggle`` as the notebook runs it: a placeholder challenges file gets a dry run, a
hidden one the whole budget, over two processes on the CPU, and submission.json always holds
every task id."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from arc_ttt import cli, load_tasks
from arc_ttt.domain.arc_json import task_to_json
from cli_runs import arc_ttt, needs_arc_ttt

FAST = ("007bbfb7", "00d62c1b")  # the search fits both within a second


def challenges(path, ids_as=None):
    tasks = [t for t in load_tasks("arc-agi-1/training") if t.id in FAST]
    names = ids_as or [t.id for t in tasks]
    data = {
        name: {
            "train": task_to_json(t)["train"],
            "test": [{"input": g.to_lists()} for g in t.test_inputs],
        }
        for name, t in zip(names, tasks, strict=True)
    }
    path.write_text(json.dumps(data))
    return path


@needs_arc_ttt
@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate's launcher is missing")
def test_a_placeholder_file_gets_a_dry_run_and_a_whole_submission(tmp_path):
    file = challenges(tmp_path / "arc-agi_test_challenges.json")
    out = tmp_path / "working"
    result = arc_ttt(
        "kaggle",
        "--challenges",
        str(file),
        "--out",
        str(out),
        "--sources",
        "search",
        "--dry-run-seconds",
        "20",
        "--processes",
        "2",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    assert "placeholder file, so a dry run of 20 s" in result.stderr
    record = json.loads(result.stdout)
    assert record["dry_run"] and record["seconds"] <= 20  # the solve kept its budget
    submission = json.loads((out / "submission.json").read_text())
    assert sorted(submission) == sorted(FAST)
    settings = json.loads((out / "arc-ttt-run" / "settings.json").read_text())
    assert settings["kaggle"]["dry_run"] and settings["kaggle"]["seconds"] == 20


@needs_arc_ttt
@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate's launcher is missing")
def test_hidden_tasks_over_two_processes_with_a_tiny_model(tmp_path):
    file = challenges(tmp_path / "test.json", ids_as=["hidden1", "hidden2"])
    out = tmp_path / "working"
    model = ["--sources", "neural", "--model", "builtin", "--method", "full", "--steps", "2"]
    result = arc_ttt(
        "kaggle",
        "--challenges",
        str(file),
        "--out",
        str(out),
        *model,
        "--views",
        "1",
        "--processes",
        "2",
        "--hours",
        "0.5",
        "--margin-minutes",
        "1",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)  # the main process alone reports
    assert record["tasks"] == 2 and not record["dry_run"] and record["seconds"] <= 0.5 * 3600
    submission = json.loads((out / "submission.json").read_text())
    assert sorted(submission) == ["hidden1", "hidden2"]
    assert all(len(entries) >= 1 and "attempt_2" in entries[0] for entries in submission.values())
    results = (out / "arc-ttt-run" / "results.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["task_id"] for line in results) == ["hidden1", "hidden2"]


def test_the_run_never_touches_the_network(tmp_path, monkeypatch):
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    file = challenges(tmp_path / "c.json", ids_as=["h1", "h2"])
    args = ["kaggle", "--challenges", str(file), "--out", str(tmp_path), "--sources", "search"]
    assert cli.main([*args, "--processes", "1", "-q"]) == 0
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert sorted(json.loads((tmp_path / "submission.json").read_text())) == ["h1", "h2"]


def test_bad_flags_are_usage_errors(tmp_path, capsys):
    assert cli.main(["kaggle", "--challenges", str(tmp_path / "none.json")]) == 2
    assert "--challenges: file" in capsys.readouterr().err
    file = challenges(tmp_path / "c.json")
    assert cli.main(["kaggle", "--challenges", str(file), "--processes", "0"]) == 2
