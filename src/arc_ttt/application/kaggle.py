"""The Kaggle ARC Prize run: its time budget, the placeholder test file of a commit run, and a
submission that holds every task id.

Kaggle gives a notebook 12 hours for about 240 hidden tasks, with the internet off. During the
interactive commit run the test file is a placeholder made of public tasks; the hidden file
replaces it only when the notebook is scored. ``plan_kaggle`` says which run this is and how
much time the solve gets; ``complete_submission`` gives every task id attempts, the test input
itself where the solve did not finish a task.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from arc_ttt.domain.scoring import Attempts, Submission
from arc_ttt.domain.task import Task

DEFAULT_HOURS = 12.0
DEFAULT_MARGIN_MINUTES = 20.0
DRY_RUN_SECONDS = 300.0  # the whole solve of a placeholder file: enough to see it work


@dataclass(frozen=True)
class KagglePlan:
    """What the run does: ``dry_run`` on a placeholder file; ``seconds`` for the solve."""

    dry_run: bool
    seconds: float
    tasks: int
    why: str


def plan_kaggle(
    task_ids: Sequence[str],
    public_ids: Iterable[str],
    *,
    hours: float = DEFAULT_HOURS,
    margin_minutes: float = DEFAULT_MARGIN_MINUTES,
    spent_seconds: float = 0.0,
    dry_run_seconds: float = DRY_RUN_SECONDS,
) -> KagglePlan:
    """The run's plan. A file whose every task is public (a bundled ARC set) is the commit
    run's placeholder: a dry run of at most ``dry_run_seconds``. Otherwise the solve gets
    ``hours`` less ``margin_minutes`` less what start-up already took. Raises ``ValueError``
    when nothing is left."""
    budget = hours * 3600.0 - margin_minutes * 60.0 - spent_seconds
    if budget <= 0:
        raise ValueError(
            f"no time left: {hours:g} h less a {margin_minutes:g} min margin less "
            f"{spent_seconds:.0f} s of start-up"
        )
    public = set(public_ids)
    placeholder = bool(task_ids) and all(t in public for t in task_ids)
    if placeholder:
        return KagglePlan(
            True,
            min(budget, dry_run_seconds),
            len(task_ids),
            f"all {len(task_ids)} tasks are public ones: the commit run's placeholder file, so a "
            f"dry run of {min(budget, dry_run_seconds):.0f} s",
        )
    return KagglePlan(
        False, budget, len(task_ids), f"{len(task_ids)} tasks, {budget / 3600:.2f} h to solve"
    )


def complete_submission(submission: Submission, tasks: Sequence[Task]) -> Submission:
    """``submission`` with every task of ``tasks``, one ``Attempts`` per test input: a task it
    lacks (or holds too few entries for) gets its test inputs as both attempts."""
    answers = dict(submission.answers)
    for task in tasks:
        have = answers.get(task.id, ())
        if len(have) < len(task.test_inputs):
            fallback = tuple(Attempts(g, g) for g in task.test_inputs[len(have) :])
            answers[task.id] = (*have, *fallback)
    return Submission(answers)
