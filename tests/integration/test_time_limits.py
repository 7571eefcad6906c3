"""Time limits held with the CPU deliberately loaded: a busy process per core runs beside the
installed ``arc-ttt``, and the wall time is measured from before the process starts (start-up,
imports and loading count) to its exit. Each run must end within its limit + 5%, with a complete
submission (every task, two attempts per test input) or a saved, resumable state.

Slow set (about 5 minutes): ``python -m pytest -m slow tests/integration/test_time_limits.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from arc_ttt import load_tasks, parse_submission
from cli_runs import ARC_TTT, needs_arc_ttt

pytestmark = [pytest.mark.slow, needs_arc_ttt]
GRACE = 0.05  # the run may end at most 5% after its limit


@pytest.fixture
def loaded_cpu() -> Iterator[int]:
    """One busy process per core for the length of the test; yields how many."""
    cores = os.cpu_count() or 1
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cores)]
    try:
        time.sleep(0.5)  # they are spinning before the run starts
        yield cores
    finally:
        for p in busy:
            p.kill()
        for p in busy:
            p.wait()


def timed(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """``arc-ttt ARGS`` (the default model and settings, as a user runs it); its wall seconds."""
    assert ARC_TTT is not None
    began = time.monotonic()
    result = subprocess.run(
        [ARC_TTT, *args], capture_output=True, text=True, timeout=600, check=False
    )
    return time.monotonic() - began, result


def assert_complete(run: Path, dataset: str) -> None:
    """Every task of the run has its attempts (two grids) for each of its test inputs."""
    ids = json.loads((run / "settings.json").read_text())["tasks"]
    tests = {t.id: len(t.test_inputs) for t in load_tasks(dataset) if t.id in set(ids)}
    submission = parse_submission(json.loads((run / "submission.json").read_text()))
    assert {t: len(a) for t, a in submission.answers.items()} == tests
    results = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
    assert sorted(r["task_id"] for r in results) == sorted(ids)


def test_solve_with_a_60_second_limit_ends_within_5_percent_under_load(loaded_cpu, tmp_path):
    out = tmp_path / "run"
    seconds, result = timed(
        "solve", "--dataset", "arc-agi-1/evaluation", "--limit", "20",
        "--time-limit", "60", "--out", str(out), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    print(f"solve --time-limit 60, {loaded_cpu} busy processes: {seconds:.1f} s")
    assert seconds <= 60 * (1 + GRACE), f"{seconds:.1f} s for a 60 s limit"
    assert len(json.loads((out / "settings.json").read_text())["tasks"]) == 20
    assert_complete(out, "arc-agi-1/evaluation")


def test_evaluate_time_per_task_holds_under_load(loaded_cpu, tmp_path):
    out = tmp_path / "eval"
    seconds, result = timed(
        "evaluate", "--dataset", "arc-agi-1/training", "--limit", "6",
        "--time-per-task", "10", "--out", str(out), "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    print(f"evaluate 6 tasks --time-per-task 10, {loaded_cpu} busy processes: {seconds:.1f} s")
    assert seconds <= 6 * 10 * (1 + GRACE), f"{seconds:.1f} s for 6 tasks x 10 s"
    assert_complete(out, "arc-agi-1/training")


def test_pretrain_minutes_holds_under_load_and_the_state_resumes(loaded_cpu, tmp_path):
    out = tmp_path / "model"
    seconds, result = timed("pretrain", "--out", str(out), "--minutes", "1", "--json")
    assert result.returncode == 0, result.stderr
    print(f"pretrain --minutes 1, {loaded_cpu} busy processes: {seconds:.1f} s")
    assert seconds <= 60 * (1 + GRACE), f"{seconds:.1f} s for --minutes 1"
    first = json.loads(result.stdout)["result"]
    assert first["stopped_because"] == "time" and first["steps"] >= 1
    assert (out / "manifest.json").is_file()
    again, resumed = timed("pretrain", "--out", str(out), "--minutes", "1", "--resume", "--json")
    assert resumed.returncode == 0, resumed.stderr
    print(f"pretrain --minutes 1 --resume, {loaded_cpu} busy processes: {again:.1f} s")
    assert again <= 60 * (1 + GRACE), f"{again:.1f} s for --minutes 1, resumed"
    later = json.loads(resumed.stdout)["result"]
    assert later["steps"] >= first["steps"]
