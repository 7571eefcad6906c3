"""Two runs side by side: tasks gained and lost, score and time deltas (B minus A).

Pure: takes two ``PastRun``s, returns a ``RunComparison``; ``comparison_record`` and
``comparison_text`` render it as JSON-ready data or a plain-text table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.past_run import PastRun


@dataclass(frozen=True)
class RunTotals:
    """One run's figures as the comparison shows them."""

    folder: str
    dataset: str
    tasks: int
    score: float | None
    solved: int
    seconds: float
    median_task_seconds: float | None
    p90_task_seconds: float | None = None

    @classmethod
    def of(cls, run: PastRun) -> RunTotals:
        return cls(
            run.folder,
            run.dataset,
            len(run.tasks),
            run.score,
            run.solved,
            run.seconds,
            run.median_task_seconds,
            run.p90_task_seconds,
        )


@dataclass(frozen=True)
class TaskChange:
    """A task both runs answered whose score differs."""

    task_id: str
    score_a: float
    score_b: float


@dataclass(frozen=True)
class RunComparison:
    """What changed from run A to run B. Deltas are B minus A; ``None`` when a side is unknown."""

    a: RunTotals
    b: RunTotals
    gained: tuple[TaskChange, ...]  # higher score in B
    lost: tuple[TaskChange, ...]  # lower score in B
    unchanged: int  # answered by both with the same score
    unscored: tuple[str, ...]  # answered by both, score unknown in at least one
    only_in_a: tuple[str, ...]  # a result in A, none in B
    only_in_b: tuple[str, ...]
    common_score_a: float | None  # mean score over the tasks both runs scored
    common_score_b: float | None

    @property
    def same_dataset(self) -> bool:
        return self.a.dataset == self.b.dataset

    @property
    def score_delta(self) -> float | None:
        return _delta(self.a.score, self.b.score)

    @property
    def seconds_delta(self) -> float:
        return self.b.seconds - self.a.seconds

    @property
    def median_delta(self) -> float | None:
        return _delta(self.a.median_task_seconds, self.b.median_task_seconds)

    @property
    def p90_delta(self) -> float | None:
        return _delta(self.a.p90_task_seconds, self.b.p90_task_seconds)


def compare_runs(a: PastRun, b: PastRun) -> RunComparison:
    """Compare run ``b`` against run ``a`` task by task (by each task's official score)."""
    scores_a = {t.task_id: t.score for t in a.tasks}
    scores_b = {t.task_id: t.score for t in b.tasks}
    gained, lost, unscored, common = [], [], [], []
    unchanged = 0
    for task_id in sorted(scores_a.keys() & scores_b.keys()):
        sa, sb = scores_a[task_id], scores_b[task_id]
        if sa is None or sb is None:
            unscored.append(task_id)
            continue
        common.append((sa, sb))
        if sb > sa:
            gained.append(TaskChange(task_id, sa, sb))
        elif sb < sa:
            lost.append(TaskChange(task_id, sa, sb))
        else:
            unchanged += 1
    return RunComparison(
        a=RunTotals.of(a),
        b=RunTotals.of(b),
        gained=tuple(gained),
        lost=tuple(lost),
        unchanged=unchanged,
        unscored=tuple(unscored),
        only_in_a=tuple(sorted(scores_a.keys() - scores_b.keys())),
        only_in_b=tuple(sorted(scores_b.keys() - scores_a.keys())),
        common_score_a=sum(s for s, _ in common) / len(common) if common else None,
        common_score_b=sum(s for _, s in common) / len(common) if common else None,
    )


def comparison_record(c: RunComparison) -> dict[str, Any]:
    """JSON-ready form of a comparison (``arc-ttt compare --json``)."""

    def totals(t: RunTotals) -> dict[str, Any]:
        return {
            "run": t.folder,
            "dataset": t.dataset,
            "tasks": t.tasks,
            "score": t.score,
            "solved": t.solved,
            "seconds": t.seconds,
            "seconds_per_task_median": t.median_task_seconds,
            "seconds_per_task_p90": t.p90_task_seconds,
        }

    def changes(items: tuple[TaskChange, ...]) -> list[dict[str, Any]]:
        return [{"task_id": x.task_id, "score_a": x.score_a, "score_b": x.score_b} for x in items]

    return {
        "a": totals(c.a),
        "b": totals(c.b),
        "same_dataset": c.same_dataset,
        "score_delta": c.score_delta,
        "common_tasks_score_a": c.common_score_a,
        "common_tasks_score_b": c.common_score_b,
        "seconds_delta": c.seconds_delta,
        "seconds_per_task_median_delta": c.median_delta,
        "seconds_per_task_p90_delta": c.p90_delta,
        "gained": changes(c.gained),
        "lost": changes(c.lost),
        "unchanged": c.unchanged,
        "unscored": list(c.unscored),
        "only_in_a": list(c.only_in_a),
        "only_in_b": list(c.only_in_b),
    }


def comparison_text(c: RunComparison) -> str:
    """A plain-text table of the comparison, one fact a line."""
    lines = [
        f"A: {_shown(c.a.folder)} ({_shown(c.a.dataset)}, {c.a.tasks} tasks)",
        f"B: {_shown(c.b.folder)} ({_shown(c.b.dataset)}, {c.b.tasks} tasks)",
        f"{'':<22}{'A':>12}{'B':>12}{'B - A':>12}",
        _row("score", c.a.score, c.b.score, c.score_delta, "{:.4f}"),
        _row("solved", c.a.solved, c.b.solved, c.b.solved - c.a.solved, "{:d}"),
        _row("seconds (total)", c.a.seconds, c.b.seconds, c.seconds_delta, "{:.1f}"),
        _row(
            "seconds per task (med)",
            c.a.median_task_seconds,
            c.b.median_task_seconds,
            c.median_delta,
            "{:.1f}",
        ),
        _row(
            "seconds per task (p90)",
            c.a.p90_task_seconds,
            c.b.p90_task_seconds,
            c.p90_delta,
            "{:.1f}",
        ),
    ]
    if c.only_in_a or c.only_in_b or c.unscored:
        delta = _delta(c.common_score_a, c.common_score_b)
        lines.append(
            _row("score (common tasks)", c.common_score_a, c.common_score_b, delta, "{:.4f}")
        )
    lines.append(f"gained ({len(c.gained)}): {_changes(c.gained)}")
    lines.append(f"lost ({len(c.lost)}): {_changes(c.lost)}")
    lines.append(f"unchanged: {c.unchanged}")
    for label, ids in (
        ("score unknown in A or B", c.unscored),
        ("only in A", c.only_in_a),
        ("only in B", c.only_in_b),
    ):
        if ids:
            lines.append(f"{label} ({len(ids)}): {_ids(ids)}")
    return "\n".join(lines)


def _row(label: str, a: Any, b: Any, delta: Any, fmt: str) -> str:
    def cell(value: Any, signed: bool = False) -> str:
        if value is None:
            return "-"
        text = fmt.format(value)
        return f"+{text}" if signed and value > 0 else text

    return f"{label:<22}{cell(a):>12}{cell(b):>12}{cell(delta, signed=True):>12}"


def _changes(items: tuple[TaskChange, ...]) -> str:
    shown = ", ".join(f"{_shown(x.task_id)} {x.score_a:.2f}->{x.score_b:.2f}" for x in items[:20])
    return shown + (f", ... ({len(items) - 20} more)" if len(items) > 20 else "") or "-"


def _ids(ids: tuple[str, ...]) -> str:
    return ", ".join(_shown(i) for i in ids[:20]) + (
        f", ... ({len(ids) - 20} more)" if len(ids) > 20 else ""
    )


def _shown(task_id: str) -> str:
    # A control character in an id must not break the one-fact-a-line table.
    return task_id if task_id.isprintable() else ascii(task_id)


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a
