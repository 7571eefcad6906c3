"""``arc-ttt report|compare|export-results`` as a user runs them: the installed command on a run
folder written by a real ``arc-ttt solve`` (tiny untrained built-in model, a few steps)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.synthetic import generate_task
from cli_errors import failure_line, usage_error_line
from cli_runs import arc_ttt, needs_arc_ttt

pytestmark = needs_arc_ttt


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    tasks = root / "tasks"
    tasks.mkdir()
    for task in (
        generate_task("recolor", 5, n_train=2, max_side=4),
        generate_task("flip_horizontal", 6, n_train=2, max_side=4, n_test=2),
    ):
        (tasks / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
    out = root / "run"
    solve = ["solve", "--model", "builtin", "--method", "full", "--steps", "3", "--views", "1"]
    result = arc_ttt(*solve, "--dataset", str(tasks), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    return out


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    return usage_error_line(result.stderr) if code == 2 else failure_line(result.stderr)


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (
            "report",
            ["RUN_DIR", "--out FILE", "report.html", "--dataset", "example: arc-ttt report"],
        ),
        ("compare", ["RUN_A", "RUN_B", "--json", "B minus A", "example: arc-ttt compare"]),
        ("export-results", ["RUN_DIR", "[csv|json]", "default: stdout", "example:"]),
    ],
)
def test_help_documents_each_command(command, words):
    result = arc_ttt(command, "--help")
    assert result.returncode == 0 and result.stderr == ""
    for word in words:
        assert word in result.stdout, word
    assert command in arc_ttt("--help").stdout


def test_report_defaults_to_report_html_in_the_run_folder(run_dir):
    (run_dir / "report.html").unlink(missing_ok=True)
    result = arc_ttt("report", str(run_dir))
    assert result.returncode == 0, result.stderr
    page = (run_dir / "report.html").read_text()
    assert (
        result.stdout
        == f"wrote {run_dir / 'report.html'} (2 tasks, {len(page.encode()):,} bytes)\n"
    )
    results = [json.loads(x) for x in (run_dir / "results.jsonl").read_text().splitlines()]
    for r in results:
        assert f'data-task-id="{r["task_id"]}"' in page
    assert page.count('class="task-card"') == 2
    assert page.count('data-label="expected output"') == 3  # 1 + 2 test inputs
    assert "http://" not in page and "https://" not in page  # nothing to fetch


def test_report_from_another_folder_with_a_relative_out(run_dir, tmp_path):
    result = arc_ttt("report", str(run_dir), "--out", "page.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "page.html").stat().st_size > 0


def test_compare_a_run_with_itself_shows_no_change(run_dir):
    result = arc_ttt("compare", str(run_dir), str(run_dir), "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["score_delta"] == 0.0 and record["seconds_delta"] == 0.0
    assert record["gained"] == [] and record["lost"] == [] and record["unchanged"] == 2
    table = arc_ttt("compare", str(run_dir), str(run_dir))
    assert table.returncode == 0 and "unchanged: 2" in table.stdout


def test_export_results_json_matches_results_jsonl(run_dir):
    result = arc_ttt("export-results", str(run_dir), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    lines = [json.loads(x) for x in (run_dir / "results.jsonl").read_text().splitlines()]
    assert [(r["task_id"], r["score"], r["seconds"]) for r in rows] == [
        (x["task_id"], x["score"], x["seconds"]) for x in lines
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report"], "Missing argument 'RUN_DIR'"),
        (["report", "{tmp}/missing"], "run folder '{tmp}/missing' does not exist"),
        (["report", "{tmp}"], "'{tmp}' is not a run folder (no settings.json)"),
        (["compare", "{run}"], "Missing argument 'RUN_B'"),
        (["compare", "{run}", "{tmp}"], "'{tmp}' is not a run folder"),
        (["export-results", "{run}", "--out", "{tmp}"], "--out: '{tmp}' is a folder; name a file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(run_dir, tmp_path, args, message):
    fill = {"tmp": str(tmp_path), "run": str(run_dir)}
    err = one_line_error(arc_ttt(*[a.format(**fill) for a in args]), 2)
    assert message.format(**fill) in err


def test_a_damaged_metrics_file_exits_1_naming_file_and_line(run_dir, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(run_dir, damaged, ignore=shutil.ignore_patterns("cache"))
    (damaged / "metrics.json").write_text('{\n  "tasks": 2,\n  "score": oops\n}\n')
    err = one_line_error(arc_ttt("report", str(damaged)), 1)
    assert f"{damaged / 'metrics.json'}: line 3: invalid JSON" in err
    err = one_line_error(arc_ttt("export-results", str(damaged)), 1)
    assert "metrics.json: line 3" in err
