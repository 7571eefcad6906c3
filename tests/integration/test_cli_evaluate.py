"""``arc-ttt evaluate`` end to end as a user runs it: the installed command, a real (small,
untrained) built-in model, a folder of synthetic tasks with solutions, and the run folder it
writes, read back by ``score``, ``report`` and ``compare``."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.scoring import parse_submission
from arc_ttt.domain.synthetic import generate_task
from cli_errors import usage_error_line
from cli_runs import arc_ttt, needs_arc_ttt

pytestmark = needs_arc_ttt

FAMILIES = ("recolor", "flip_horizontal", "recolor", "flip_horizontal", "recolor", "recolor")
RUN_FILES = (
    "settings.json",
    "submission.json",
    "results.jsonl",
    "metrics.json",
    "environment.json",
    "log.txt",
)


def evaluate(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return arc_ttt(
        "evaluate",
        "--sources",
        "neural",
        "--model",
        "builtin",
        "--method",
        "full",
        "--steps",
        "4",
        *args,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The same six tasks as an ``evaluation`` folder and a ``training`` one."""
    root = tmp_path_factory.mktemp("data")
    tasks = [
        generate_task(family, seed, n_train=2, max_side=4, n_test=1 + seed % 2)
        for seed, family in enumerate(FAMILIES)
    ]
    made = {}
    for name in ("evaluation", "training"):
        folder = root / name
        folder.mkdir()
        for task in tasks:
            (folder / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
        made[name] = folder
    return made


@pytest.fixture(scope="module")
def eval_run(folders, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "eval"
    dataset = str(folders["evaluation"])
    result = evaluate(
        "--dataset", dataset, "--limit", "3", "--seed", "1", "--time-per-task", "20",
        "--views", "2", "--out", str(out), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out, result


def chosen(run: Path) -> list[str]:
    return json.loads((run / "settings.json").read_text())["tasks"]


def test_help_names_the_flags_and_shows_an_example():
    result = arc_ttt("evaluate", "--help")
    assert result.returncode == 0
    assert "example: arc-ttt evaluate --dataset arc-agi-1/evaluation --limit 20" in result.stdout
    for flag in ("--time-per-task", "--limit", "--seed", "--out", "--model", "--views", "--json"):
        assert flag in result.stdout


def test_the_run_folder_holds_what_solve_writes_and_a_log(eval_run):
    out, _ = eval_run
    for name in RUN_FILES:
        assert (out / name).is_file(), name
    submission = parse_submission(json.loads((out / "submission.json").read_text()))
    assert sorted(submission.answers) == sorted(chosen(out))
    settings = json.loads((out / "settings.json").read_text())
    assert settings["budget"]["total_seconds"] == 60 and settings["budget"]["task_seconds"] == 20
    assert settings["evaluation"] == {"limit": 3, "subset_seed": 1, "time_per_task": 20}
    log = (out / "log.txt").read_text()
    assert "evaluating 3 tasks" in log and "score" in log


def test_every_reported_field_is_there_and_the_score_is_the_official_one(eval_run, folders):
    out, result = eval_run
    record = json.loads(result.stdout)
    assert record == {**json.loads((out / "metrics.json").read_text()), "run": str(out)}
    official = arc_ttt(
        "score", str(out / "submission.json"), "--dataset", str(folders["evaluation"]), "--json"
    )
    assert official.returncode == 0, official.stderr
    # The subset's score: the official per-task scores of the chosen tasks, averaged.
    per_task = json.loads(official.stdout)["per_task"]
    picked = [per_task[t] for t in chosen(out)]
    assert record["score"] == pytest.approx(sum(picked) / 3)
    assert record["solved"] == sum(1 for s in picked if s == 1.0)
    assert record["tasks"] == 3 and record["dataset"] == str(folders["evaluation"])
    assert record["subset"] == {"limit": 3, "seed": 1, "of": 6}
    assert 0 < record["seconds_per_task_median"] <= record["seconds_per_task_p90"]
    assert record["peak_memory_bytes"] > 0 and "peak_gpu_bytes" in record
    assert record["tokens_trained"] > 0
    assert record["budget"] == {"time_per_task": 20, "total_seconds": 60, "within": True}
    assert record["seconds"] <= 60 and record["wall_seconds"] >= record["seconds"]
    assert record["model"]["path"] == "builtin" and "untrained" in record["model"]["kind"]
    machine = record["machine"]
    assert machine["cpu"] and machine["cpu_count"] >= 1 and isinstance(machine["gpus"], list)
    assert record["evaluation_set"] is True


def test_an_evaluation_set_gets_a_never_tune_notice(eval_run):
    _, result = eval_run
    notes = [line for line in result.stderr.splitlines() if "never tune" in line]
    assert len(notes) == 1 and "evaluation set" in notes[0]


def test_the_same_seed_draws_the_same_tasks_and_another_seed_others(eval_run, folders, tmp_path):
    out, _ = eval_run
    cheap = ["--dataset", str(folders["training"]), "--limit", "3", "--ttt", "none"]
    again = evaluate(*cheap, "--views", "1", "--seed", "1", "--out", str(tmp_path / "a"))
    other = evaluate(*cheap, "--views", "1", "--seed", "2", "--out", str(tmp_path / "b"), "-q")
    assert again.returncode == 0, again.stderr
    assert other.returncode == 0, other.stderr
    assert chosen(tmp_path / "a") == chosen(out)
    assert set(chosen(tmp_path / "b")) != set(chosen(out))
    ids = sorted(p.stem for p in folders["training"].glob("*.json"))
    assert set(chosen(out)) == set(random.Random(1).sample(ids, 3))
    assert "never tune" not in again.stderr  # a training set: nothing to warn about
    # The table names every figure, then the run folder.
    for label in (
        "score (pass@2)", "tasks solved", "seconds per task", "median", "p90", "time budget",
        "peak memory", "RSS", "GPU", "tokens trained", "model", "machine", "drawn with seed 1",
    ):  # fmt: skip
        assert label in again.stdout, label
    assert again.stdout.strip().endswith(f"run: {tmp_path / 'a'}")


def test_without_seed_the_first_n_tasks_by_id_are_chosen(folders, tmp_path):
    result = evaluate(
        "--dataset", str(folders["training"]), "--limit", "2", "--ttt", "none", "--views", "1",
        "--out", str(tmp_path), "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert chosen(tmp_path) == sorted(p.stem for p in folders["training"].glob("*.json"))[:2]


def test_tasks_names_the_tasks_to_evaluate_as_in_solve(folders, tmp_path):
    ids = sorted(p.stem for p in folders["training"].glob("*.json"))
    picked = f"{ids[3]},{ids[1]}"
    result = evaluate(
        "--dataset", str(folders["training"]), "--tasks", picked, "--ttt", "none",
        "--views", "1", "--out", str(tmp_path / "r"), "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(chosen(tmp_path / "r")) == sorted([ids[3], ids[1]])
    unknown = evaluate(
        "--dataset", str(folders["training"]), "--tasks", "nope", "--out", str(tmp_path / "u")
    )
    assert unknown.returncode == 2 and "nope" in unknown.stderr
    both = evaluate(
        "--dataset", str(folders["training"]), "--tasks", ids[0], "--limit", "1",
        "--out", str(tmp_path / "b"),
    )  # fmt: skip
    assert both.returncode == 2 and "--tasks and --limit" in both.stderr


def test_the_default_run_folder_is_named_after_the_dataset(folders, tmp_path):
    result = evaluate(
        "--dataset", str(folders["training"]), "--limit", "1", "--ttt", "none", "--views", "1",
        "-q", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (made,) = (tmp_path / "runs").iterdir()
    assert made.name.startswith("eval-training-") and (made / "metrics.json").is_file()
    assert result.stdout.strip().endswith(f"run: {made}")


def test_tasks_without_solutions_are_a_usage_error(folders, tmp_path):
    folder = tmp_path / "puzzles"
    shutil.copytree(folders["training"], folder)
    task = json.loads(next(folder.glob("*.json")).read_text())
    for test in task["test"]:
        del test["output"]
    (folder / "unsolved.json").write_text(json.dumps(task))
    result = evaluate("--dataset", str(folder), "--out", str(tmp_path / "run"))
    assert result.returncode == 2
    error = usage_error_line(result.stderr)
    assert str(folder) in error and "1 of the 7 chosen tasks have no solutions" in error
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--time-per-task", "0"], "--time-per-task"),
        (["--time-per-task", "-5"], "--time-per-task"),
        (["--limit", "0"], "--limit"),
        (["--views", "0"], "--views"),
        (["--seed", "3"], "--seed"),
    ],
)
def test_a_bad_value_is_a_one_line_usage_error_naming_its_flag(folders, tmp_path, args, flag):
    result = evaluate("--dataset", str(folders["training"]), *args, "--out", str(tmp_path / "r"))
    assert result.returncode == 2
    assert usage_error_line(result.stderr).startswith(flag)
    assert not (tmp_path / "r").exists()


def test_a_tiny_time_per_task_still_answers_every_task(folders, tmp_path):
    result = evaluate(
        "--dataset", str(folders["training"]), "--steps", "100000", "--time-per-task", "1",
        "--out", str(tmp_path), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["budget"]["total_seconds"] == 6
    assert record["tasks"] == 6 and record["seconds"] < 6 + 3  # a few seconds of grace
    submission = parse_submission(json.loads((tmp_path / "submission.json").read_text()))
    expected = {
        p.stem: len(json.loads(p.read_text())["test"]) for p in folders["training"].glob("*")
    }
    assert {t: len(a) for t, a in submission.answers.items()} == expected
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert all(line["seconds"] < 1 + 1 for line in lines)  # each task within its second
    assert all(line["stopped_because"] == "time" or line["degradations"] for line in lines)


def test_report_and_compare_read_an_evaluation_run(eval_run, tmp_path):
    out, _ = eval_run
    page = tmp_path / "page.html"
    report = arc_ttt("report", str(out), "--out", str(page))
    assert report.returncode == 0, report.stderr
    html = page.read_text()
    assert all(t in html for t in chosen(out))
    compared = arc_ttt("compare", str(out), str(out), "--json")
    assert compared.returncode == 0, compared.stderr
    totals = json.loads(compared.stdout)["a"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert totals["tasks"] == 3 and totals["score"] == pytest.approx(metrics["score"])
    assert totals["seconds_per_task_p90"] == pytest.approx(
        metrics["seconds_per_task_p90"], abs=1e-3
    )
