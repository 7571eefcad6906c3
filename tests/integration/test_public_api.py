"""The notebook API: ``arc_ttt.solve`` does what ``arc-ttt solve`` does, in one call."""

from __future__ import annotations

import pytest

import arc_ttt
from arc_ttt.domain.synthetic import generate_task

SMALL = {"path": "builtin", "d_model": 32, "layers": 2, "heads": 2, "threads": 1}


def test_solve_in_one_call_gives_a_scored_report_and_a_submission():
    tasks = [generate_task("recolor", 3, n_train=2, max_side=4)]
    report = arc_ttt.solve(
        tasks,
        sources=("neural",),  # the search alone would solve this task without training
        model=SMALL,
        ttt={"steps": 3, "method": "full"},
        decode={"views": 2},
        progress=False,
    )
    assert [r.task_id for r in report.results] == [tasks[0].id]
    assert report.score is not None
    assert report.results[0].train_steps == 3
    assert set(report.submission.to_json()) == {tasks[0].id}


def test_search_in_one_call_finds_the_program_without_torch():
    import subprocess
    import sys

    code = (
        "import sys, arc_ttt; t = arc_ttt.load_tasks('arc-agi-1/training').get('007bbfb7');"
        "r = arc_ttt.search(t); print(r.findings[0].program.text, r.findings[0].kind,"
        " 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["fractal", "exact", "False"]


def test_settings_and_sections_are_not_mixed():
    from arc_ttt.settings import Settings

    with pytest.raises(TypeError, match="either settings or keyword sections"):
        arc_ttt.solve([], Settings(), seed=1)


def test_a_bad_setting_names_the_field():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="steps"):
        arc_ttt.solve([], ttt={"steps": 0})
