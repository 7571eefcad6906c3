"""Comparing two runs, and a run's per-task results as CSV / JSON."""

from __future__ import annotations

import csv
import io
import json

import pytest

from arc_ttt.application.results_table import COLUMNS, results_text
from arc_ttt.application.run_comparison import (
    compare_runs,
    comparison_record,
    comparison_text,
)
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.past_run import PastRun, PastTask

PAIR = (Grid([[1]]), Grid([[2]]))


def task(task_id: str, correct, seconds: float = 1.0, **kw) -> PastTask:
    n = 1 if correct is None else len(correct)
    return PastTask(task_id, (PAIR,) * n, correct, seconds=seconds, **kw)


def run(folder: str, tasks, dataset: str = "arc-agi-1/training", seconds: float = 10.0):
    settings = {"dataset": dataset, "tasks": [t.task_id for t in tasks]}
    return PastRun(folder, settings, {"seconds": seconds}, tuple(tasks))


A = run(
    "runs/a",
    [
        task("t1", (False,), 2.0),
        task("t2", (True,), 4.0),
        task("t3", (True, False), 6.0),
        task("t4", (True,), 1.0),
        task("only-a", (True,), 1.0),
    ],
    seconds=20.0,
)
B = run(
    "runs/b",
    [
        task("t1", (True,), 1.0),
        task("t2", (False,), 2.0),
        task("t3", (True, True), 3.0),
        task("t4", (True,), 1.0),
        task("only-b", (False,), 1.0),
    ],
    seconds=14.5,
)


def test_tasks_gained_and_lost_by_per_task_score():
    c = compare_runs(A, B)
    assert [(x.task_id, x.score_a, x.score_b) for x in c.gained] == [
        ("t1", 0.0, 1.0),
        ("t3", 0.5, 1.0),
    ]
    assert [(x.task_id, x.score_a, x.score_b) for x in c.lost] == [("t2", 1.0, 0.0)]
    assert c.unchanged == 1
    assert c.only_in_a == ("only-a",) and c.only_in_b == ("only-b",)


def test_score_and_time_deltas_are_b_minus_a():
    c = compare_runs(A, B)
    assert c.score_delta == pytest.approx((3.0 / 5) - (3.5 / 5))
    assert c.seconds_delta == pytest.approx(-5.5)
    assert c.median_delta == pytest.approx(1.0 - 2.0)
    # On the four tasks both answered: A 2.5/4, B 3/4.
    assert (c.common_score_a, c.common_score_b) == (pytest.approx(0.625), pytest.approx(0.75))
    assert compare_runs(A, A).score_delta == 0.0 and compare_runs(A, A).gained == ()


def test_runs_without_solutions_compare_times_but_not_scores():
    a = run("a", [task("t1", None, 2.0)])
    b = run("b", [task("t1", (True,), 1.0)], dataset="other")
    c = compare_runs(a, b)
    assert c.score_delta is None and c.unscored == ("t1",) and c.gained == ()
    assert c.median_delta == -1.0 and not c.same_dataset
    text = comparison_text(c)
    assert "score unknown in A or B (1): t1" in text
    assert next(ln.split()[-1] for ln in text.splitlines() if ln.startswith("score ")) == "-"


def test_json_record_has_every_figure():
    record = comparison_record(compare_runs(A, B))
    json.dumps(record)  # JSON-ready
    assert record["a"]["run"] == "runs/a" and record["b"]["score"] == pytest.approx(0.6)
    assert [g["task_id"] for g in record["gained"]] == ["t1", "t3"]
    assert record["lost"] == [{"task_id": "t2", "score_a": 1.0, "score_b": 0.0}]
    assert record["seconds_delta"] == -5.5 and record["same_dataset"] is True
    assert record["only_in_a"] == ["only-a"] and record["only_in_b"] == ["only-b"]


def test_text_table_one_fact_a_line_even_with_hostile_ids():
    hostile = "t\nforged line\x1b[31m"
    a = run("a", [task(hostile, (False,))])
    b = run("b", [task(hostile, (True,))])
    text = comparison_text(compare_runs(a, b))
    assert "forged line" in text and "\nforged line" not in text and "\x1b" not in text
    assert "gained (1): 't\\nforged line\\x1b[31m' 0.00->1.00" in text
    text = comparison_text(compare_runs(A, B))
    assert "seconds (total)" in text and "-5.5" in text and "lost (1): t2 1.00->0.00" in text


def test_results_csv_reads_back_one_row_per_task():
    r = run(
        "r",
        [
            task("t1", (True, False), 2.5, degradations=("views 4 -> 2", "no dfs")),
            task("t,2", None, 1.0, peak_gpu_bytes=2048),
        ],
    )
    rows = list(csv.DictReader(io.StringIO(results_text(r, "csv"))))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[0]["task_id"] == "t1" and rows[0]["score"] == "0.5"
    assert rows[0]["correct"] == "1;0" and rows[0]["degradations"] == "views 4 -> 2; no dfs"
    assert rows[1]["task_id"] == "t,2" and rows[1]["score"] == "" and rows[1]["correct"] == ""
    assert rows[1]["peak_gpu_bytes"] == "2048" and rows[0]["peak_gpu_bytes"] == ""


def test_results_json_is_a_list_of_rows():
    r = run("r", [task("t1", (True, False), 2.5)])
    (row,) = json.loads(results_text(r, "json"))
    assert list(row) == list(COLUMNS)
    assert row["correct"] == [True, False] and row["test_inputs"] == 2 and row["seconds"] == 2.5
    with pytest.raises(ValueError, match="unknown results format 'xml'"):
        results_text(r, "xml")
