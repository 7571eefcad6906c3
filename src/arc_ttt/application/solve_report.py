"""What a solve produced: per task its attempts, candidates, costs and evidence
(``TaskResult``), and the run as a whole (``SolveReport``), which Jupyter shows as an HTML table
(``_repr_html_``: the score, then one row per task with each test input's verdict and its two
attempts as small colored grids; same palette and escaping as the run report)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from arc_ttt.application.html import render
from arc_ttt.application.report_card import seconds_text
from arc_ttt.application.shared_ttt import SharedTraining
from arc_ttt.application.solve_options import SolveOptions
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.picture import GRID_LINE, PALETTE, RIGHT, WRONG
from arc_ttt.domain.scoring import Attempts, Submission


@dataclass(frozen=True)
class CandidateSummary:
    grid: Grid
    votes: int
    poe_score: float
    view_scores: Mapping[int, float] = field(default_factory=dict)  # view index -> log-prob
    generation_logprobs: tuple[float, ...] = ()


@dataclass(frozen=True)
class TaskResult:
    """What solving one task produced and cost."""

    task_id: str
    attempts: tuple[Attempts, ...]
    seconds: float
    train_seconds: float = 0.0
    tokens_trained: int = 0
    train_steps: int = 0
    stopped_because: str = "no_training"
    candidates: tuple[tuple[CandidateSummary, ...], ...] = ()  # per test input, best first
    invalid_generations: int = 0
    peak_memory_bytes: int = 0
    correct: tuple[bool, ...] | None = None  # per test input, when the solution is known
    from_cache: bool = False  # candidates came from the solve cache (no training, no decoding)
    degradations: tuple[str, ...] = ()  # what was cut to stay within budgets or memory
    peak_gpu_bytes: int | None = None  # GPU memory in use at its highest (all GPUs), if sampled
    # Per test input, each attempt's evidence: the sources and programs or views behind it.
    provenance: tuple[tuple[Any, Any], ...] = ()
    sources: Mapping[str, Any] = field(default_factory=dict)  # source -> what it cost

    @property
    def score(self) -> float | None:
        return None if self.correct is None else sum(self.correct) / len(self.correct)


@dataclass(frozen=True)
class SolveReport:
    results: tuple[TaskResult, ...]
    seconds: float
    options: SolveOptions = field(repr=False, default_factory=SolveOptions)
    interrupted: bool = False  # a stop was requested; ``unsolved`` lists the tasks not done
    unsolved: tuple[str, ...] = ()
    shared: SharedTraining | None = None  # the one training run of ``ttt="shared"``

    @property
    def submission(self) -> Submission:
        return Submission({r.task_id: r.attempts for r in self.results})

    @property
    def score(self) -> float | None:
        """Official score (mean task score) when every task's solution is known."""
        scores = [r.score for r in self.results]
        if not scores or any(s is None for s in scores):
            return None
        return sum(s for s in scores if s is not None) / len(scores)

    def _repr_html_(self) -> str:
        """Jupyter: the score and each task's attempts, marked right or wrong."""
        return solve_report_html(self)


def solve_report_html(report: SolveReport) -> str:
    """The report as one ``<div>`` (``templates/notebook.html.j2``): a summary line, then a table
    of the tasks with each test input's two attempts as small colored grids."""
    return render(
        "notebook.html.j2",
        score="not known (no solutions)" if report.score is None else f"{report.score:.4f}",
        solved=sum(1 for r in report.results if r.score == 1.0),
        seconds=seconds_text(report.seconds),
        not_done=len(report.unsolved) if report.interrupted else None,
        rows=[_row(r) for r in report.results],
        palette=PALETTE,
        line=GRID_LINE,
    )


def _row(result: TaskResult) -> dict[str, Any]:
    tests = []
    for i, attempts in enumerate(result.attempts):
        right = None if result.correct is None else result.correct[i]
        tests.append(
            {
                "verdict": {True: "right", False: "wrong", None: "not known"}[right],
                "color": {True: RIGHT, False: WRONG, None: GRID_LINE}[right],
                "first": attempts.attempt_1.to_lists(),
                "second": attempts.attempt_2.to_lists(),
            }
        )
    return {
        "task_id": result.task_id,
        "score": "unknown" if result.score is None else f"{result.score:.2f}",
        "tests": tests,
        "seconds": seconds_text(result.seconds),
    }
