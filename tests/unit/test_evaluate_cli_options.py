"""``arc-ttt evaluate`` wiring, in process, with the scripted model in place of torch."""

import json

import pytest

from arc_ttt import cli
from arc_ttt.testing.scripted_model import ScriptedModel
from upscale_tasks import upscale, write_upscale_tasks


@pytest.fixture
def dataset(tmp_path):
    return write_upscale_tasks(tmp_path / "tasks", 4)


def test_a_model_that_is_always_right_scores_1_on_the_drawn_tasks(tmp_path, dataset, capsys):
    right = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    out = tmp_path / "run"
    argv = [
        "evaluate",
        "--dataset",
        str(dataset),
        "--limit",
        "2",
        "--seed",
        "7",
        "--sources",
        "neural",
    ]
    argv += ["--time-per-task", "5", "--steps", "2", "--out", str(out), "--json"]
    assert cli.main(argv, overrides={"model": right}) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["score"] == 1.0 and record["solved"] == 2 and record["tasks"] == 2
    assert record["budget"] == {"time_per_task": 5, "total_seconds": 10, "within": True}
    assert len(right.adapt_calls) == 2 and all(c.options.steps == 2 for c in right.adapt_calls)
    settings = json.loads((out / "settings.json").read_text())
    assert settings["budget"]["task_seconds"] == 5 and len(settings["tasks"]) == 2


def test_a_wrong_model_scores_0_and_the_table_says_so(tmp_path, dataset, capsys):
    wrong = ScriptedModel(lambda x: [(x, -0.5)])
    argv = [
        "evaluate",
        "--dataset",
        str(dataset),
        "--time-per-task",
        "5",
        "-q",
        "--sources",
        "neural",
    ]
    assert cli.main([*argv, "--out", str(tmp_path / "r")], overrides={"model": wrong}) == 0
    text = capsys.readouterr().out
    assert "0.0000" in text and "0 / 4" in text and "all 4 tasks" in text


def test_solve_resume_refuses_an_evaluate_run(tmp_path, dataset, capsys):
    model = ScriptedModel(lambda x: [(x, -0.5)])
    out = tmp_path / "r"
    argv = ["evaluate", "--dataset", str(dataset), "--limit", "1", "--out", str(out), "-q"]
    argv += ["--sources", "neural"]
    assert cli.main(argv, overrides={"model": model}) == 0
    capsys.readouterr()
    assert cli.main(["solve", "--resume", str(out)], overrides={"model": model}) == 2
    assert "is an evaluate run" in capsys.readouterr().err


def test_the_same_command_into_the_same_folder_takes_finished_tasks_from_its_cache(
    tmp_path, dataset, capsys
):
    model = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    argv = [
        "evaluate",
        "--dataset",
        str(dataset),
        "--limit",
        "3",
        "--seed",
        "1",
        "--sources",
        "neural",
    ]
    argv += ["--out", str(tmp_path / "r"), "-q"]
    assert cli.main(argv, overrides={"model": model}) == 0
    trained = len(model.adapt_calls)
    assert cli.main(argv, overrides={"model": model}) == 0
    assert len(model.adapt_calls) == trained == 3  # nothing trained the second time
    lines = [json.loads(x) for x in (tmp_path / "r" / "results.jsonl").read_text().splitlines()]
    assert [line["from_cache"] for line in lines] == [True] * 3
