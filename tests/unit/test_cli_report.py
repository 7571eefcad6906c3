"""``arc-ttt report|compare|export-results`` in process, on runs solved by the scripted model."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from arc_ttt import cli
from arc_ttt.testing.scripted_model import ScriptedModel
from cli_errors import usage_error_line
from upscale_tasks import upscale, write_upscale_tasks


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two runs of the same 3 tasks: ``good`` answers by the rule, ``bad`` echoes the input."""
    root = tmp_path_factory.mktemp("runs")
    dataset = write_upscale_tasks(root / "tasks", 3)
    models = {
        "good": ScriptedModel(lambda x: [(upscale(x), -0.5)]),
        "bad": ScriptedModel(lambda x: [(x, -0.5)]),
    }
    for name, model in models.items():
        argv = ["solve", "--dataset", str(dataset), "--out", str(root / name), "--steps", "2"]
        argv += ["--sources", "neural"]  # the scripted model answers, right or wrong
        assert cli.main([*argv, "-q"], overrides={"model": model}) == 0
    return root


def cards(page: str) -> list[str]:
    return [x.split('"')[0] for x in page.split('class="task-card" id="task-')[1:]]


def test_report_writes_report_html_in_the_run_folder(runs, capsys):
    assert cli.main(["report", str(runs / "good")]) == 0
    out = capsys.readouterr().out
    page = (runs / "good" / "report.html").read_text()
    assert out.startswith(f"wrote {runs / 'good' / 'report.html'} (3 tasks, ")
    assert len(cards(page)) == 3 and page.count('data-label="demo 2 output"') == 3
    assert page.count('data-label="attempt 1: right"') == 3


def test_report_out_and_a_moved_dataset(runs, tmp_path, capsys):
    moved = tmp_path / "moved"
    shutil.copytree(runs / "good", moved)
    settings = json.loads((moved / "settings.json").read_text())
    settings["dataset"] = str(tmp_path / "gone")
    (moved / "settings.json").write_text(json.dumps(settings))
    assert cli.main(["report", str(moved), "--out", str(tmp_path / "r.html")]) == 0
    err = capsys.readouterr().err
    assert "could not be loaded" in err and "shows attempts only" in err
    page = (tmp_path / "r.html").read_text()
    assert page.count("Demonstrations unavailable") == 3
    assert page.count('data-label="attempt 1"') == 3  # solved, which attempt unknown
    # --dataset names where the tasks are now.
    argv = [
        "report",
        str(moved),
        "--dataset",
        str(runs / "tasks"),
        "--out",
        str(tmp_path / "s.html"),
    ]
    assert cli.main(argv) == 0
    assert "Demonstrations unavailable" not in (tmp_path / "s.html").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "{tmp}/nope"], "report: run folder '{tmp}/nope' does not exist"),
        (["report", "{tmp}"], "is not a run folder (no settings.json)"),
        (["compare", "{good}", "{tmp}"], "compare: '{tmp}' is not a run folder"),
        (["export-results", "{tmp}/nope"], "export-results: run folder"),
        (["report", "{good}", "--solutions", "s.json"], "--solutions goes with --dataset"),
        (["report", "{good}", "--out", "{tmp}/no/r.html"], "--out: folder '{tmp}/no' does not"),
        (["report", "{good}", "--dataset", "{tmp}/gone"], "dataset '{tmp}/gone' is neither"),
        (["export-results", "{good}", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_usage_errors_exit_2_with_one_line(runs, tmp_path, capsys, argv, message):
    fill = {"tmp": str(tmp_path), "good": str(runs / "good")}
    assert cli.main([a.format(**fill) for a in argv]) == 2
    err = capsys.readouterr().err
    usage_error_line(err)
    assert message.format(**fill) in err


def test_a_damaged_results_file_exits_1_naming_file_and_line(runs, tmp_path, capsys):
    damaged = tmp_path / "damaged"
    shutil.copytree(runs / "good", damaged)
    lines = (damaged / "results.jsonl").read_text().splitlines()
    lines[1] = lines[1][:40]  # cut short, as a full disk would
    (damaged / "results.jsonl").write_text("\n".join(lines) + "\n")
    for argv in (["report", str(damaged)], ["compare", str(runs / "good"), str(damaged)]):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert f"{damaged / 'results.jsonl'}: line 2: invalid JSON" in err


def test_compare_lists_gained_tasks_and_deltas(runs, capsys):
    assert cli.main(["compare", str(runs / "bad"), str(runs / "good")]) == 0
    out = capsys.readouterr().out
    assert "gained (3): t0 0.00->1.00, t1 0.00->1.00, t2 0.00->1.00" in out
    assert "lost (0): -" in out
    score = next(ln for ln in out.splitlines() if ln.startswith("score "))
    assert score.split()[1:] == ["0.0000", "1.0000", "+1.0000"]
    assert cli.main(["compare", str(runs / "good"), str(runs / "bad"), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [x["task_id"] for x in record["lost"]] == ["t0", "t1", "t2"]
    assert record["score_delta"] == -1.0 and record["gained"] == []


def test_export_results_csv_on_stdout_and_json_to_a_file(runs, tmp_path, capsys):
    assert cli.main(["export-results", str(runs / "good")]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["task_id"], r["score"], r["train_steps"]) for r in rows] == [
        ("t0", "1.0", "2"),
        ("t1", "1.0", "2"),
        ("t2", "1.0", "2"),
    ]
    out = tmp_path / "bad.json"
    argv = ["export-results", str(runs / "bad"), "--format", "json", "--out", str(out)]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == f"wrote {out} (3 tasks)\n"
    assert [r["score"] for r in json.loads(out.read_text())] == [0.0, 0.0, 0.0]
