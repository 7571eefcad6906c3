"""``arc-ttt solve --sources ...`` and ``arc-ttt explain`` as a user runs them: the installed
command, the program search in its worker processes, a candidates file, the run folder."""

from __future__ import annotations

import json

import pytest

from arc_ttt.domain.scoring import parse_submission
from cli_runs import arc_ttt, needs_arc_ttt
from upscale_tasks import write_upscale_tasks

pytestmark = needs_arc_ttt


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return write_upscale_tasks(tmp_path_factory.mktemp("tasks"), 3)


@pytest.fixture(scope="module")
def search_run(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "search"
    result = arc_ttt(
        "solve", "--dataset", str(dataset), "--sources", "search", "--out", str(out), "--json"
    )
    assert result.returncode == 0, result.stderr
    return out, json.loads(result.stdout)


def test_search_alone_solves_the_tasks_and_records_the_program_behind_each_attempt(search_run):
    out, metrics = search_run
    assert metrics["tasks"] == 3 and metrics["score"] == 1.0
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    for line in lines:
        ((first, _second),) = line["provenance"]
        assert first[0]["source"] == "search" and first[0]["kind"] == "exact"
        assert "scale_up(2)" in first[0]["program"]
        assert line["train_steps"] == 0 and list(line["sources"]) == ["search"]
    assert json.loads((out / "settings.json").read_text())["sources"] == ["search"]


def test_a_resumed_search_run_reads_its_cache(search_run, dataset, tmp_path):
    out, _ = search_run
    again = arc_ttt("solve", "--resume", str(out), "--json")
    assert again.returncode == 0, again.stderr
    lines = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert all(line["from_cache"] for line in lines)


def test_a_candidates_file_is_one_more_source(dataset, tmp_path):
    (tmp_path / "other.json").write_text(
        json.dumps({"t0": [{"attempt_1": [[7]], "attempt_2": [[8]]}], "t9": "not a list"})
    )
    out = tmp_path / "run"
    result = arc_ttt(
        "solve",
        "--dataset",
        str(dataset),
        "--tasks",
        "t0",
        "--sources",
        "file,search",
        "--candidates",
        str(tmp_path / "other.json"),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "task t9" in result.stderr  # the bad task is named, the good one kept
    (line,) = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    assert line["score"] == 1.0 and list(line["sources"]) == ["file", "search"]
    # The file's grids are ranked with the search's: after the exact fit, by partial evidence.
    assert [[7]] in [c["grid"] for c in line["candidates"][0]]
    assert line["sources"]["file"]["stopped_because"] == "read"


def test_a_broken_candidates_file_is_a_one_line_error(dataset, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    result = arc_ttt(
        "solve",
        "--dataset",
        str(dataset),
        "--candidates",
        str(tmp_path / "broken.json"),
        "--sources",
        "file",
        "--out",
        str(tmp_path / "run"),
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "broken.json" in result.stderr and "invalid JSON" in result.stderr


def test_explain_prints_the_programs_with_the_demonstrations_they_fit(dataset):
    result = arc_ttt("explain", "t1", "--dataset", str(dataset))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("1. scale_up(2)")
    assert "fits demonstrations: 1, 2 (2/2)" in result.stdout
    as_json = json.loads(arc_ttt("explain", "t1", "--dataset", str(dataset), "--json").stdout)
    best = as_json["programs"][0]
    assert best["kind"] == "exact" and best["fits"] == [True, True]
    assert best["test_outputs"] == [[[0, 0, 5, 5, 5, 5], [0, 0, 5, 5, 5, 5]]]


def test_explain_names_an_unknown_task(dataset):
    result = arc_ttt("explain", "nope", "--dataset", str(dataset))
    assert result.returncode == 2 and "nope" in result.stderr


def test_the_default_skips_the_model_for_tasks_the_search_solves(dataset, tmp_path):
    out = tmp_path / "run"
    result = arc_ttt("solve", "--dataset", str(dataset), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert metrics["score"] == 1.0 and metrics["tokens_trained"] == 0
    submission = parse_submission(json.loads((out / "submission.json").read_text()))
    assert set(submission.answers) == {"t0", "t1", "t2"}
