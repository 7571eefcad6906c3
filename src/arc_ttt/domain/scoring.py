"""ARC Prize 2024/2025 submissions and their official score.

Format: ``{task_id: [{"attempt_1": grid, "attempt_2": grid}, ...]}`` with one entry per test input,
in the task's order. A task scores the fraction of its test inputs where either attempt is exactly
right; the total is the mean over the tasks of the dataset (a task left out scores 0).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.errors import InvalidGridError, InvalidSubmissionError, MissingSolutionsError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Task

ATTEMPT_KEYS = ("attempt_1", "attempt_2")


@dataclass(frozen=True, slots=True)
class Attempts:
    """The two guesses for one test input."""

    attempt_1: Grid
    attempt_2: Grid

    def hit(self, expected: Grid) -> bool:
        return expected in (self.attempt_1, self.attempt_2)


@dataclass(frozen=True)
class Submission:
    """Task id -> one ``Attempts`` per test input."""

    answers: Mapping[str, tuple[Attempts, ...]]

    def to_json(self) -> dict[str, list[dict[str, list[list[int]]]]]:
        return {
            task_id: [
                {"attempt_1": a.attempt_1.to_lists(), "attempt_2": a.attempt_2.to_lists()}
                for a in entries
            ]
            for task_id, entries in sorted(self.answers.items())
        }


def parse_submission(obj: Any, *, source: str = "submission") -> Submission:
    """Validate a decoded submission; ``InvalidSubmissionError`` names the task, entry and attempt."""
    if not isinstance(obj, Mapping):
        raise InvalidSubmissionError(
            f"{source}: expected an object of task ids, got {type(obj).__name__}"
        )
    answers: dict[str, tuple[Attempts, ...]] = {}
    for task_id, entries in obj.items():
        where = f"{source}: task {task_id}"
        if not isinstance(entries, list) or not entries:
            raise InvalidSubmissionError(
                f"{where}: expected a non-empty list with one entry per test input"
            )
        parsed = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                raise InvalidSubmissionError(
                    f"{where}[{i}]: expected an object with attempt_1 and attempt_2"
                )
            missing = [k for k in ATTEMPT_KEYS if k not in entry]
            if missing:
                raise InvalidSubmissionError(f"{where}[{i}]: missing {', '.join(missing)}")
            grids = []
            for key in ATTEMPT_KEYS:
                try:
                    grids.append(Grid(entry[key]))
                except InvalidGridError as e:
                    raise InvalidSubmissionError(f"{where}[{i}].{key}: {e}") from e
            parsed.append(Attempts(grids[0], grids[1]))
        answers[str(task_id)] = tuple(parsed)
    return Submission(answers)


@dataclass(frozen=True, slots=True)
class TaskScore:
    task_id: str
    correct: tuple[bool, ...]  # one per test input
    submitted: bool = True

    @property
    def score(self) -> float:
        return sum(self.correct) / len(self.correct)


@dataclass(frozen=True)
class ScoreReport:
    """Per-task scores, the official total, and what did not match the dataset."""

    tasks: tuple[TaskScore, ...]
    unknown_tasks: tuple[str, ...] = ()

    @property
    def total(self) -> float:
        """Mean task score over the dataset's tasks (0.0 for an empty dataset)."""
        return sum(t.score for t in self.tasks) / len(self.tasks) if self.tasks else 0.0

    @property
    def solved(self) -> int:
        """Tasks with every test input right."""
        return sum(1 for t in self.tasks if all(t.correct))

    @property
    def missing_tasks(self) -> tuple[str, ...]:
        return tuple(t.task_id for t in self.tasks if not t.submitted)


def score_submission(submission: Submission, tasks: Iterable[Task]) -> ScoreReport:
    """Score against tasks that know their test outputs.

    Raises ``MissingSolutionsError`` if a task lacks outputs, ``InvalidSubmissionError`` if a task's
    entry count differs from its number of test inputs.
    """
    task_list = list(tasks)
    unsolved = [t.id for t in task_list if t.test_outputs is None]
    if unsolved:
        shown = ", ".join(unsolved[:5]) + (" ..." if len(unsolved) > 5 else "")
        raise MissingSolutionsError(f"no test outputs known for {len(unsolved)} task(s): {shown}")
    scores = []
    for task in task_list:
        assert task.test_outputs is not None
        entries = submission.answers.get(task.id)
        if entries is None:
            scores.append(TaskScore(task.id, (False,) * len(task.test_inputs), submitted=False))
            continue
        if len(entries) != len(task.test_inputs):
            raise InvalidSubmissionError(
                f"task {task.id}: {len(entries)} entries for {len(task.test_inputs)} test inputs"
            )
        correct = tuple(
            a.hit(expected) for a, expected in zip(entries, task.test_outputs, strict=True)
        )
        scores.append(TaskScore(task.id, correct))
    known = {t.id for t in task_list}
    unknown = tuple(sorted(tid for tid in submission.answers if tid not in known))
    return ScoreReport(tuple(scores), unknown)
