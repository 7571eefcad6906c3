"""The search as a user sees it: what it finds, that it stops on time and under its memory cap,
that it never looks at the test outputs, and that it is deterministic."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.search import SearchOptions, search
from search_tasks import g, planted_tasks, task_of

ROOT = Path(__file__).resolve().parents[2]


def rot90_task():
    xs = [g([[1, 2], [0, 0]]), g([[3, 0, 0], [0, 4, 0]]), g([[5], [6], [0]])]
    test = g([[7, 8, 0]])
    return task_of([(x, np.rot90(x)) for x in xs], test, np.rot90(test))


def noise_task(seed: int, side: int, n_train: int = 3):
    """Random inputs and unrelated random outputs: nothing to find, so the search runs on."""
    rng = np.random.default_rng(seed)
    pairs = [
        (
            rng.integers(0, 10, (side, side), dtype=np.uint8),
            rng.integers(0, 10, (side, side), dtype=np.uint8),
        )
        for _ in range(n_train)
    ]
    return task_of(pairs, rng.integers(0, 10, (side, side), dtype=np.uint8), name=f"noise{seed}")


def sparse_task(seed: int, side: int = 30):
    """Scattered objects on background, outputs unrelated: object and region operations apply."""
    rng = np.random.default_rng(seed)

    def grid():
        return ((rng.random((side, side)) < 0.2) * rng.integers(1, 10, (side, side))).astype(
            np.uint8
        )

    return task_of([(grid(), grid()) for _ in range(3)], grid(), name=f"sparse{seed}")


def summary(result):
    return [
        (
            f.program.text,
            f.kind,
            round(f.agreement, 9),
            tuple(o.to_lists().__repr__() for o in f.outputs),
        )
        for f in result.findings
    ]


def test_an_exact_program_is_found_and_its_test_output_ranks_first():
    task = rot90_task()
    result = search(task.without_solutions())
    assert result.stopped_because == "solved"
    best = result.findings[0]
    assert best.kind == "exact"
    assert result.candidates(0)[0][0] == task.test_outputs[0]
    assert best.program.depth == 1


def test_candidates_are_distinct_grids_best_first():
    result = search(noise_task(1, 4), SearchOptions(max_depth=1, seconds=None))
    grids = [grid for grid, _ in result.candidates(0)]
    assert grids and len(grids) == len(set(grids))
    assert all(isinstance(grid, Grid) for grid in grids)
    order = {"exact": 0, "pieces": 1, "partial": 2}
    kinds = [order[f.kind] for f in result.findings]
    assert kinds == sorted(kinds)


def test_one_output_per_test_input():
    task = rot90_task()
    two = task_of([(ex.input.cells, ex.output.cells) for ex in task.train], g([[1, 2, 3]]))
    two = type(two)(two.id, two.train, (*two.test_inputs, Grid([[4], [5]])))
    result = search(two)
    assert all(len(f.outputs) == 2 for f in result.findings)
    assert result.candidates(1)[0][0] == Grid([[4, 5]])


def test_the_empty_program_solves_a_task_whose_outputs_are_its_inputs():
    xs = [g([[1, 2]]), g([[3], [4]])]
    result = search(task_of([(x, x) for x in xs], g([[5]])), SearchOptions(max_depth=0))
    assert result.findings[0].kind == "exact" and result.findings[0].program.text == "input"
    assert result.candidates(0)[0][0] == Grid([[5]])


def test_a_task_whose_outputs_are_all_background_gets_an_answer():
    # found on ARC-AGI-2 training e872b94a: every output is a column of 0s
    task = task_of([(g([[1, 2]]), g([[0], [0], [0]])), (g([[3]]), g([[0], [0]]))], g([[4]]))
    result = search(task, SearchOptions(max_depth=1, seconds=None))
    assert all(len(f.outputs) == 1 for f in result.findings)


def test_search_reports_what_it_did():
    result = search(noise_task(2, 5), SearchOptions(max_depth=1, seconds=None))
    assert result.stopped_because == "exhausted"
    assert result.depth_reached == 1
    assert result.states > 1 and result.applications >= result.states - 1
    assert result.seconds >= 0


@pytest.mark.parametrize(
    ("kwargs", "bad"),
    [
        ({"max_depth": -1}, "-1"),
        ({"seconds": 0}, "0"),
        ({"seconds": -2.5}, "-2.5"),
        ({"memory_bytes": 0}, "0"),
    ],
)
def test_bad_options_are_refused_by_value(kwargs, bad):
    with pytest.raises(ValueError, match=f"{next(iter(kwargs))}.*{bad}"):
        SearchOptions(**kwargs)


# --- the deadline ---------------------------------------------------------------------------


def _assert_returns_by(task, seconds, **kwargs):
    start = time.monotonic()
    result = search(task, **kwargs)
    elapsed = time.monotonic() - start
    # the contract: within 5% of the deadline plus 1 s
    assert elapsed <= 1.05 * seconds + 1.0, f"{elapsed:.2f} s for a {seconds} s deadline"
    assert result.findings, "nothing returned at the deadline"
    return result


@pytest.mark.parametrize(
    "make", [lambda: noise_task(3, 30), lambda: sparse_task(4)], ids=["noise", "sparse"]
)
def test_a_30x30_task_returns_by_its_seconds(make):
    result = _assert_returns_by(make(), 2.0, options=SearchOptions(seconds=2.0))
    assert result.stopped_because == "deadline"


def test_a_30x30_task_returns_by_the_given_deadline():
    task = sparse_task(5)
    result = _assert_returns_by(
        task, 2.0, options=SearchOptions(seconds=None), deadline=time.monotonic() + 2.0
    )
    assert result.stopped_because == "deadline"


def test_the_earlier_of_seconds_and_deadline_wins():
    task = noise_task(6, 30)
    _assert_returns_by(
        task, 1.0, options=SearchOptions(seconds=1.0), deadline=time.monotonic() + 60.0
    )


class JumpingClock:
    """A fake clock that reads 0 for its first ``calls`` readings, then far past any deadline."""

    def __init__(self, calls: int):
        self.calls = calls
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return 0.0 if self.readings <= self.calls else 1e9


@pytest.mark.parametrize("calls", [1, 3, 20])
def test_the_search_stops_when_the_clock_passes_the_deadline_with_what_it_found(calls):
    clock = JumpingClock(calls)
    result = search(
        noise_task(7, 4), SearchOptions(max_depth=3, seconds=None), deadline=100.0, clock=clock
    )
    assert result.stopped_because == "deadline"
    assert result.findings, "the findings so far are returned"
    assert all(len(f.outputs) == 1 for f in result.findings)
    assert clock.readings > calls  # it read the clock past the jump, and stopped there


def test_the_findings_so_far_include_exact_ones_from_before_the_deadline():
    task = rot90_task()
    result = search(
        task.without_solutions(), SearchOptions(seconds=None), deadline=100.0, clock=JumpingClock(3)
    )
    assert result.candidates(0)[0][0] == task.test_outputs[0]


def test_a_deadline_already_passed_still_gives_an_answer():
    result = search(noise_task(8, 5), SearchOptions(seconds=None), deadline=-1.0, clock=lambda: 0.0)
    assert result.stopped_because == "deadline"
    assert result.findings and result.candidates(0)


def test_the_memory_cap_stops_the_search_with_what_it_found():
    result = search(sparse_task(9, side=12), SearchOptions(seconds=None, memory_bytes=200_000))
    assert result.stopped_because == "memory"
    assert result.findings


# --- test outputs are never looked at -----------------------------------------------------------


def _with_outputs(task, outputs):
    return type(task)(task.id, task.train, task.test_inputs, outputs)


@pytest.mark.parametrize(
    "task",
    [rot90_task(), *(p.task for p in planted_tasks(seed=5, n=3)), noise_task(10, 4)],
    ids=["rot90", "planted0", "planted1", "planted2", "noise"],
)
def test_selection_never_looks_at_the_test_outputs(task):
    # the noise task has no exact fit: its ranking is all partial matches and pieces
    options = SearchOptions(max_depth=1 if task.id.startswith("noise") else 2, seconds=None)
    wrong = tuple(Grid(np.full((3, 2), 9, dtype=np.uint8)) for _ in task.test_inputs)
    right = task.test_outputs or wrong
    runs = [search(_with_outputs(task, outputs), options) for outputs in (None, wrong, right)]
    assert summary(runs[0]) == summary(runs[1]) == summary(runs[2])


# --- determinism ---------------------------------------------------------------------------


def test_two_runs_give_identical_findings():
    for task, depth in [
        (rot90_task(), 2),
        (noise_task(11, 3), 1),
        (planted_tasks(seed=6, n=1)[0].task, 2),
    ]:
        options = SearchOptions(max_depth=depth, seconds=None)
        assert summary(search(task, options)) == summary(search(task, options))


_CHILD = """
import json, sys
sys.path.insert(0, "tests")
from arc_ttt.domain.search import SearchOptions, search
from search_tasks import planted_tasks
task = planted_tasks(seed=6, n=2)[1].task
r = search(task, SearchOptions(max_depth=2, seconds=None))
print(json.dumps([[f.program.text, f.kind, [o.to_lists() for o in f.outputs]] for f in r.findings]))
"""


def test_findings_do_not_depend_on_the_process_hash_seed():
    def run(seed: str):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    assert run("1") == run("2")
