"""``arc-ttt solve`` wiring, in process, with the scripted model in place of torch."""

import json

import pytest

from arc_ttt import cli, parse_submission
from arc_ttt.testing.scripted_model import ScriptedModel
from upscale_tasks import upscale, write_upscale_tasks


@pytest.fixture
def dataset(tmp_path):
    return write_upscale_tasks(tmp_path / "tasks", 3)


@pytest.fixture
def scripted():
    return ScriptedModel(lambda x: [(upscale(x), -0.5)])


def test_solve_writes_a_valid_submission_and_run_folder(tmp_path, dataset, scripted, capsys):
    out = tmp_path / "run"
    code = cli.main(
        [
            "solve",
            "--dataset",
            str(dataset),
            "--out",
            str(out),
            "--limit",
            "2",
            "--steps",
            "3",
            "--sources",
            "neural",
            "-q",
        ],
        overrides={"model": scripted},
    )
    assert code == 0
    stdout = capsys.readouterr().out
    assert "solved 2/2 tasks, score 1.0000" in stdout
    submission = parse_submission(json.loads((out / "submission.json").read_text()))
    assert set(submission.answers) == {"t0", "t1"}
    lines = (out / "results.jsonl").read_text().splitlines()
    assert [json.loads(x)["task_id"] for x in lines] == ["t0", "t1"]
    settings = json.loads((out / "settings.json").read_text())
    assert settings["ttt"]["steps"] == 3 and settings["tasks"] == ["t0", "t1"]
    assert json.loads((out / "metrics.json").read_text())["score"] == 1.0
    assert [c.options.steps for c in scripted.adapt_calls] == [3, 3]


def test_solve_json_and_task_selection(tmp_path, dataset, scripted, capsys):
    code = cli.main(
        [
            "solve",
            "--dataset",
            str(dataset),
            "--out",
            str(tmp_path / "r"),
            "--tasks",
            "t2",
            "--ttt",
            "none",
            "--sources",
            "neural",
            "--json",
        ],
        overrides={"model": scripted},
    )
    assert code == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["tasks"] == 1 and metrics["score"] == 1.0 and scripted.adapt_calls == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--steps", "0"], "--steps: Input should be greater than 0"),
        (["--views", "-1"], "--views"),
        (["--limit", "0"], "--limit"),
        (["--tasks", "a", "--limit", "2"], "--tasks and --limit: give one of them, not both"),
        (["--strategy", "beam"], "'beam' is not one of 'greedy', 'dfs'"),
        (["--sources", "magic"], "--sources"),
        (["--sources", "search,search"], "each source once"),
        (["--sources", "file"], "--candidates"),
        (["--candidates", "nowhere.json"], "--candidates: file 'nowhere.json' does not exist"),
    ],
)
def test_bad_solve_flags_are_usage_errors(tmp_path, dataset, scripted, capsys, args, message):
    code = cli.main(
        ["solve", "--dataset", str(dataset), "--out", str(tmp_path / "r"), *args],
        overrides={"model": scripted},
    )
    assert code == 2
    assert message in capsys.readouterr().err


def test_unknown_task_is_a_usage_error(tmp_path, dataset, scripted, capsys):
    assert (
        cli.main(
            ["solve", "--dataset", str(dataset), "--out", str(tmp_path / "r"), "--tasks", "zz"]
        )
        == 2
    )
    assert "zz" in capsys.readouterr().err
