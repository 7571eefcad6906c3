"""The installed ``arc-ttt`` command, run as a user would: a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from arc_ttt import load_tasks
from cli_errors import usage_error_line

ARC_TTT = shutil.which("arc-ttt")
pytestmark = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ARC_TTT, *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def evaluation():
    return load_tasks("arc-agi-1/evaluation")


def perfect_submission(tasks):
    return {
        t.id: [{"attempt_1": g.to_lists(), "attempt_2": [[0]]} for g in t.test_outputs]
        for t in tasks
    }


def test_datasets_lists_the_four_bundled_sets():
    result = run("datasets", "--json")
    assert result.returncode == 0, result.stderr
    counts = {d["name"]: d["tasks"] for d in json.loads(result.stdout)}
    assert counts == {
        "arc-agi-1/training": 400,
        "arc-agi-1/evaluation": 400,
        "arc-agi-2/training": 1000,
        "arc-agi-2/evaluation": 120,
    }
    table = run("datasets").stdout
    assert "arc-agi-2/evaluation" in table and " 120 " in table


def test_score_of_the_solutions_is_one(tmp_path, evaluation):
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(perfect_submission(evaluation)))
    result = run("score", str(path), "--dataset", "arc-agi-1/evaluation")
    assert result.returncode == 0, result.stderr
    assert "score 1.0000" in result.stdout and "400/400" in result.stdout


def test_second_attempt_right_still_scores_one(tmp_path, evaluation):
    sub = {
        t.id: [{"attempt_1": [[0]], "attempt_2": g.to_lists()} for g in t.test_outputs]
        for t in evaluation
    }
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(sub))
    result = run("score", str(path), "--dataset", "arc-agi-1/evaluation", "--json")
    assert json.loads(result.stdout)["score"] == 1.0


def test_one_of_two_test_outputs_wrong_counts_half(tmp_path, evaluation):
    two = next(t for t in evaluation if len(t.test_inputs) == 2)
    sub = perfect_submission(evaluation)
    sub[two.id][1] = {"attempt_1": [[0]], "attempt_2": [[0]]}
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(sub))
    report = json.loads(
        run("score", str(path), "--dataset", "arc-agi-1/evaluation", "--json").stdout
    )
    assert report["per_task"][two.id] == 0.5
    assert report["score"] == pytest.approx(399.5 / 400)
    assert report["solved"] == 399


def test_malformed_submission_fails_with_a_named_place(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"007bbfb7": [{"attempt_1": [[1, 2], [3]], "attempt_2": [[0]]}]}))
    result = run("score", str(path), "--dataset", "arc-agi-1/training")
    assert result.returncode == 1
    assert "task 007bbfb7[0].attempt_1: ragged rows" in result.stderr
    assert "Traceback" not in result.stderr
    path.write_text("{not json")
    result = run("score", str(path), "--dataset", "arc-agi-1/training")
    assert result.returncode == 1 and "invalid JSON at line 1" in result.stderr


def test_show_writes_png_and_svg(tmp_path):
    png, svg = tmp_path / "t.png", tmp_path / "t.svg"
    assert (
        run("show", "007bbfb7", "--dataset", "arc-agi-1/training", "--out", str(png)).returncode
        == 0
    )
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert (
        run("show", "007bbfb7", "--dataset", "arc-agi-1/training", "--out", str(svg)).returncode
        == 0
    )
    root = ET.fromstring(svg.read_text())
    assert root.tag.endswith("svg") and len(root.iter().__next__()) > 0


def test_show_prints_plain_text_when_not_a_terminal():
    result = run("show", "007bbfb7", "--dataset", "arc-agi-1/training")
    assert result.returncode == 0
    assert "demo 1 input 3x3" in result.stdout and "0 7 7" in result.stdout
    assert "\x1b[" not in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "007bbfb7"], "Missing option '--dataset'"),
        (["show", "007bbfb7", "--dataset", "nope"], "neither a bundled name"),
        (
            ["show", "zzzzzzzz", "--dataset", "arc-agi-1/training"],
            "'zzzzzzzz' is not in arc-agi-1/training",
        ),
        (["show", "007bbfb7", "--dataset", "arc-agi-1/training", "--out", "x.gif"], "--out"),
        (
            ["show", "007bbfb7", "--dataset", "arc-agi-1/training", "--out", "no/such/dir/x.png"],
            "does not exist",
        ),
        (
            ["score", "missing.json", "--dataset", "arc-agi-1/training"],
            "SUBMISSION: file 'missing.json'",
        ),
        (["frobnicate"], "No such command 'frobnicate'"),
    ],
)
def test_usage_errors_print_the_usage_and_one_error_line_and_exit_2(tmp_path, args, message):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in usage_error_line(result.stderr)


def test_no_command_prints_the_help_and_exits_2(tmp_path):
    result = run(cwd=tmp_path)
    assert result.returncode == 2
    assert "Usage: arc-ttt [OPTIONS] COMMAND" in result.stdout + result.stderr
    assert "solve" in result.stdout + result.stderr


@pytest.mark.parametrize("command", ["datasets", "show", "score"])
def test_help_has_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "example: arc-ttt" in result.stdout


def test_a_folder_with_a_bad_task_still_serves_the_good_ones(tmp_path):
    (tmp_path / "good.json").write_text(
        json.dumps({"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]})
    )
    (tmp_path / "bad.json").write_text(
        json.dumps({"train": [{"input": [[1]], "output": [[12]]}], "test": []})
    )
    result = run("show", "good", "--dataset", str(tmp_path))
    assert result.returncode == 0 and "task good" in result.stdout
    relative = run("show", "good", "--dataset", ".", cwd=tmp_path)
    assert relative.returncode == 0


def test_kaggle_files_pair_with_their_solutions(tmp_path):
    challenges = {"k1": {"train": [{"input": [[1]], "output": [[2]]}], "test": [{"input": [[3]]}]}}
    (tmp_path / "arc-agi_test_challenges.json").write_text(json.dumps(challenges))
    (tmp_path / "arc-agi_test_solutions.json").write_text(json.dumps({"k1": [[[4]]]}))
    (tmp_path / "sub.json").write_text(
        json.dumps({"k1": [{"attempt_1": [[4]], "attempt_2": [[0]]}]})
    )
    result = run("score", "sub.json", "--dataset", "arc-agi_test_challenges.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "score 1.0000" in result.stdout


@pytest.mark.parametrize(
    "args", [("datasets", "--json"), ("show", "007bbfb7", "--dataset", "arc-agi-1/training")]
)
def test_a_closed_stdout_ends_quietly(args):
    """``arc-ttt ... | head``: the reader is gone before the first write."""
    proc = subprocess.Popen(
        [ARC_TTT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 141), err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


def test_show_and_solve_say_why_a_requested_task_was_refused(tmp_path):
    folder = tmp_path / "tasks"
    folder.mkdir()
    (folder / "bad.json").write_text(
        json.dumps(
            {"train": [{"input": [[1], [2, 3]], "output": [[1]]}], "test": [{"input": [[1]]}]}
        )
    )
    shown = run("show", "bad", "--dataset", str(folder))
    assert shown.returncode == 2
    assert "'bad' was refused" in shown.stderr and "train[0].input: ragged rows" in shown.stderr
    solved = run("solve", "--dataset", str(folder), "--tasks", "bad", "--out", str(tmp_path / "r"))
    assert solved.returncode == 2
    assert "refused" in solved.stderr and "ragged rows" in solved.stderr
