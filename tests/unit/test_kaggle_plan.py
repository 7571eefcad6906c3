"""The Kaggle run's plan (placeholder or hidden file, the time left) and a submission that holds
every task id."""

from __future__ import annotations

import pytest

from arc_ttt.application.kaggle import complete_submission, plan_kaggle
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.scoring import Attempts, Submission
from arc_ttt.domain.task import Example, Task


def test_a_file_of_public_tasks_is_the_placeholder_and_gets_a_dry_run():
    plan = plan_kaggle(["a", "b"], ["a", "b", "c"], dry_run_seconds=120)
    assert plan.dry_run and plan.seconds == 120 and "placeholder" in plan.why


def test_hidden_tasks_get_the_hours_less_the_margin_and_the_start_up():
    plan = plan_kaggle(["x", "a"], ["a"], hours=12, margin_minutes=20, spent_seconds=60)
    assert not plan.dry_run and plan.seconds == 12 * 3600 - 20 * 60 - 60


def test_no_time_left_is_refused():
    with pytest.raises(ValueError, match="no time left"):
        plan_kaggle(["x"], [], hours=0.1, margin_minutes=6, spent_seconds=1)


def test_every_task_gets_attempts_the_test_input_where_none_came():
    one, two = Grid([[1]]), Grid([[2]])
    done = Task("done", (Example(one, two),), (one,))
    missing = Task("missing", (Example(one, two),), (one, two))
    short = Task("short", (Example(one, two),), (one, two))
    submission = Submission({"done": (Attempts(two, one),), "short": (Attempts(two, two),)})
    full = complete_submission(submission, [done, missing, short]).answers
    assert full["done"] == (Attempts(two, one),)
    assert full["missing"] == (Attempts(one, one), Attempts(two, two))
    assert full["short"] == (Attempts(two, two), Attempts(two, two))
