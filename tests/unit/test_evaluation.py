"""Evaluation: choosing the tasks, the nearest-rank p90, and the record and table it reports."""

from __future__ import annotations

import pytest

from arc_ttt.application.evaluation import (
    MissingSolutionsError,
    evaluation_record,
    evaluation_text,
    is_evaluation_set,
    plan_evaluation,
)
from arc_ttt.application.run_record import summary_record
from arc_ttt.application.solve import SolveReport, TaskResult
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.quantile import nearest_rank
from arc_ttt.domain.scoring import Attempts
from arc_ttt.domain.task import Example, Task, TaskCollection

MACHINE = {"cpu": "Test CPU", "cpu_count": 2, "gpus": []}
MODEL = {"path": "builtin", "kind": "untrained built-in"}


def task(task_id: str, *, solved: bool = True) -> Task:
    g = Grid([[1]])
    return Task(task_id, (Example(g, g),), (g,), (g,) if solved else None)


def collection(n: int, *, unsolved: int = 0) -> TaskCollection:
    tasks = [task(f"t{i:02d}") for i in range(n)]
    tasks += [task(f"u{i}", solved=False) for i in range(unsolved)]
    return TaskCollection("test", tuple(tasks))


def result(task_id: str, seconds: float, correct: tuple[bool, ...], gpu: int = 0) -> TaskResult:
    g = Grid([[1]])
    return TaskResult(
        task_id,
        tuple(Attempts(g, g) for _ in correct),
        seconds,
        tokens_trained=100,
        correct=correct,
        peak_memory_bytes=2**30,
        peak_gpu_bytes=gpu,  # what the sampler reads without a GPU: 0
    )


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        ([], 0.9, None),
        ([7.0], 0.9, 7.0),
        ([3.0, 1.0, 2.0], 0.9, 3.0),  # rank ceil(2.7) = 3
        ([float(i) for i in range(1, 11)], 0.9, 9.0),  # rank 9 of 10
        ([float(i) for i in range(1, 21)], 0.9, 18.0),  # rank 18 of 20
        ([float(i) for i in range(1, 12)], 0.9, 10.0),  # rank ceil(9.9) = 10 of 11
        ([5.0, 1.0], 0.5, 1.0),
        ([float(i) for i in range(1, 101)], 0.07, 7.0),  # 0.07 * 100 is 7.000000000000001
    ],
)
def test_nearest_rank_is_a_value_of_the_data_at_rank_ceil_q_n(values, q, expected):
    assert nearest_rank(values, q) == expected


def test_nearest_rank_refuses_a_quantile_outside_0_1():
    with pytest.raises(ValueError, match=r"1\.5"):
        nearest_rank([1.0], 1.5)


def test_the_run_summary_has_the_p90_of_task_seconds():
    results = tuple(result(f"t{i}", float(i), (True,)) for i in range(1, 11))
    summary = summary_record(SolveReport(results, 60.0))
    assert summary["seconds_per_task_p90"] == 9.0
    assert summary_record(SolveReport((), 0.0))["seconds_per_task_p90"] is None


def test_the_plan_takes_the_first_n_by_id_without_a_seed_and_a_fixed_draw_with_one():
    data = collection(10)
    first = plan_evaluation("d", data, limit=3, seed=None, time_per_task=5)
    assert first.tasks.ids() == ["t00", "t01", "t02"] and first.budget_seconds == 15
    drawn = plan_evaluation("d", data, limit=3, seed=4, time_per_task=5)
    assert (
        drawn.tasks.ids()
        == plan_evaluation("d", data, limit=3, seed=4, time_per_task=5).tasks.ids()
    )
    assert (
        drawn.tasks.ids()
        != plan_evaluation("d", data, limit=3, seed=5, time_per_task=5).tasks.ids()
    )
    assert plan_evaluation("d", data, limit=None, seed=None, time_per_task=1).budget_seconds == 10


def test_tasks_without_solutions_are_refused_with_their_count():
    with pytest.raises(
        MissingSolutionsError, match="ds: 2 of the 5 chosen tasks have no solutions"
    ):
        plan_evaluation("ds", collection(3, unsolved=2), limit=None, seed=None, time_per_task=1)
    # Only the chosen tasks count: the first 3 by id all have solutions.
    assert (
        len(
            plan_evaluation(
                "ds", collection(3, unsolved=2), limit=3, seed=None, time_per_task=1
            ).tasks
        )
        == 3
    )


@pytest.mark.parametrize(("limit", "seconds"), [(0, 1.0), (2, 0.0), (2, -1.0)])
def test_bad_plans_are_value_errors(limit, seconds):
    with pytest.raises(ValueError):
        plan_evaluation("d", collection(3), limit=limit, seed=None, time_per_task=seconds)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("arc-agi-1/evaluation", True),
        ("arc-agi-2/evaluation", True),
        ("data/arc-agi_evaluation_challenges.json", True),
        ("/tmp/eval", True),
        ("arc-agi-1/training", False),
        ("/data/medieval-tasks", False),
    ],
)
def test_evaluation_sets_are_recognised_by_name(name, expected):
    assert is_evaluation_set(name) is expected


def test_the_record_and_table_report_every_figure():
    plan = plan_evaluation("arc-agi-1/evaluation", collection(8), limit=4, seed=0, time_per_task=10)
    results = (
        result("a", 2.0, (True,)),
        result("b", 4.0, (True, False)),
        result("c", 6.0, (False,)),
        result("d", 9.0, (True,)),
    )
    record = evaluation_record(
        SolveReport(results, 25.0), plan, wall_seconds=31.5, model=MODEL, machine=MACHINE
    )
    assert record["score"] == pytest.approx((1 + 0.5 + 0 + 1) / 4) and record["solved"] == 2
    assert record["seconds_per_task_p90"] == 9.0 and record["tokens_trained"] == 400
    assert record["budget"] == {"time_per_task": 10, "total_seconds": 40, "within": True}
    assert record["subset"] == {"limit": 4, "seed": 0, "of": 8}
    assert record["evaluation_set"] is True and record["peak_gpu_bytes"] is None
    text = evaluation_text(record)
    for fragment in (
        "4 of 8 tasks drawn with seed 0",
        "0.6250",
        "2 / 4",
        "median 6.0 s, p90 9.0 s",
        "40 s (10 s x 4), used 25.0 s",
        "RSS 1.00 GiB, GPU -",
        "400",
        "builtin (untrained built-in)",
        "Test CPU (2 CPUs), no GPU",
    ):
        assert fragment in text, fragment
    over = evaluation_record(
        SolveReport(results, 41.0), plan, wall_seconds=45, model=MODEL, machine=MACHINE
    )
    assert over["budget"][
        "within"
    ] is False and "used 41.0 s (over budget by 1.0 s)" in evaluation_text(over)


def test_the_gpu_peak_is_reported_where_there_is_a_gpu():
    plan = plan_evaluation("d", collection(2), limit=None, seed=None, time_per_task=10)
    results = (result("a", 1.0, (True,), gpu=3 * 2**30), result("b", 1.0, (True,), gpu=2**30))
    gpu = {**MACHINE, "gpus": ["NVIDIA H200 (140 GiB)"]}
    record = evaluation_record(
        SolveReport(results, 2.0), plan, wall_seconds=3, model=MODEL, machine=gpu
    )
    assert record["peak_gpu_bytes"] == 3 * 2**30
    text = evaluation_text(record)
    assert "GPU 3.00 GiB" in text and "NVIDIA H200 (140 GiB)" in text
