"""How a solve run is written down: JSON-ready records of the report (no file I/O here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arc_ttt.application.solve_report import SolveReport, TaskResult
from arc_ttt.domain.quantile import nearest_rank


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


def run_files(report: SolveReport, metrics: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What a run folder holds for ``report``: the submission, one record per task and the
    metrics (``metrics`` instead of the report's ``summary_record`` when given). The keys are
    ``RunFolder.write_report``'s arguments."""
    return {
        "submission": report.submission.to_json(),
        "results": [task_record(r) for r in report.results],
        "metrics": dict(metrics) if metrics is not None else summary_record(report),
    }
