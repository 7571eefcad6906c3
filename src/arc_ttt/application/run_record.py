"""How a solve run is written down: JSON-ready records of the report (no file I/O here)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from arc_ttt.application.solve import SolveReport, TaskResult


def task_record(result: TaskResult) -> dict[str, Any]:
    """One line of ``results.jsonl``."""
    return {
        "task_id": result.task_id,
        "score": result.score,
        "correct": list(result.correct) if result.correct is not None else None,
        "seconds": round(result.seconds, 3),
        "train_seconds": round(result.train_seconds, 3),
        "train_steps": result.train_steps,
        "tokens_trained": result.tokens_trained,
        "stopped_because": result.stopped_because,
        "from_cache": result.from_cache,
        "degradations": list(result.degradations),
        "invalid_generations": result.invalid_generations,
        "peak_memory_bytes": result.peak_memory_bytes,
        "peak_gpu_bytes": result.peak_gpu_bytes,
        "attempts": [
            {"attempt_1": a.attempt_1.to_lists(), "attempt_2": a.attempt_2.to_lists()}
            for a in result.attempts
        ],
        "candidates": [
            [
                {"grid": c.grid.to_lists(), "votes": c.votes, "poe_score": c.poe_score}
                for c in per_test
            ]
            for per_test in result.candidates
        ],
        # Per test input, [attempt_1, attempt_2]: each a list of the proposers behind the grid
        # (source, score, votes, and the program or the views and log-probs).
        "provenance": [list(pair) for pair in result.provenance],
        "sources": dict(result.sources),
    }


def summary_record(report: SolveReport) -> dict[str, Any]:
    """``metrics.json``: the run's totals."""
    results = report.results
    seconds = sorted(r.seconds for r in results)
    return {
        "tasks": len(results),
        "score": report.score,
        "solved": sum(1 for r in results if r.score == 1.0),
        "seconds": round(report.seconds, 3),
        "seconds_per_task_median": seconds[len(seconds) // 2] if seconds else None,
        "seconds_per_task_p90": nearest_rank(seconds, 0.9),
        "tokens_trained": sum(r.tokens_trained for r in results)
        + (0 if report.shared is None else report.shared.tokens),
        "peak_memory_bytes": max((r.peak_memory_bytes for r in results), default=0),
        "peak_gpu_bytes": max(
            (r.peak_gpu_bytes for r in results if r.peak_gpu_bytes is not None), default=None
        ),
        "invalid_generations": sum(r.invalid_generations for r in results),
        "degraded_tasks": sum(1 for r in results if r.degradations),
        "interrupted": report.interrupted,
        "unsolved": list(report.unsolved),
        # ttt = "shared": the one training run (steps, tokens, seconds, losses, from_cache).
        "shared_ttt": None
        if report.shared is None
        else {**report.shared.to_record(), "from_cache": report.shared.from_cache},
    }


def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile by nearest rank: the ceil(q * n)-th smallest value (always one of the
    values; p90 of 10 is the 9th); None for no values. Raises ``ValueError`` unless 0 < q <= 1."""
    if not 0 < q <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {q}")
    if not values:
        return None
    ordered = sorted(values)
    # q * n can land a hair above a whole number (0.07 * 100 = 7.000000000000001): rank 7.
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]
