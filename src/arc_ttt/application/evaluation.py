"""Use case: evaluation. Solve a subset of a dataset whose solutions are known, under a time per
task, and report the official score with what it cost (time, memory, tokens) and where it ran.

Pure: chooses the tasks (``plan_evaluation``) and turns a finished ``SolveReport`` into the
evaluation's record and table; the solving itself is ``Solver``'s, the files the CLI's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arc_ttt.application.report_card import bytes_text
from arc_ttt.application.run_record import summary_record
from arc_ttt.application.solve_report import SolveReport
from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.task import TaskCollection

NEVER_TUNE = (
    "is an evaluation set: report its score, never tune on it "
    "(choose settings on training tasks or synthetic ones)"
)


class MissingSolutionsError(ArcTTTError, ValueError):
    """Evaluation needs every chosen task's test outputs; names the dataset and how many lack them."""


@dataclass(frozen=True)
class EvaluationPlan:
    """Which tasks an evaluation solves, and its time: ``time_per_task`` seconds each."""

    dataset: str
    tasks: TaskCollection
    available: int  # tasks in the dataset
    limit: int | None
    seed: int | None
    time_per_task: float

    @property
    def budget_seconds(self) -> float:
        """The whole run's time: the time per task times the tasks chosen."""
        return self.time_per_task * len(self.tasks)


def plan_evaluation(
    dataset: str,
    collection: TaskCollection,
    *,
    limit: int | None,
    seed: int | None,
    time_per_task: float,
) -> EvaluationPlan:
    """The tasks to evaluate: all, the first ``limit`` by id, or ``limit`` drawn with ``seed``.

    Raises ``ValueError`` for a ``limit`` below 1 or a ``time_per_task`` that is not positive,
    and ``MissingSolutionsError`` when a chosen task has no solutions (it could not be scored).
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    if not time_per_task > 0:
        raise ValueError(f"time_per_task must be greater than 0, got {time_per_task}")
    chosen = collection if limit is None else collection.sample(limit, seed)
    lacking = [t.id for t in chosen if not t.has_solutions]
    if lacking:
        raise MissingSolutionsError(
            f"{dataset}: {len(lacking)} of the {len(chosen)} chosen tasks have no solutions "
            f"(e.g. {lacking[0]}); evaluate needs them all (a Kaggle challenges file needs "
            "--solutions FILE)"
        )
    return EvaluationPlan(dataset, chosen, len(collection), limit, seed, time_per_task)


def is_evaluation_set(dataset: str) -> bool:
    """True for a dataset named as an evaluation set (bundled ``*/evaluation``, Kaggle's
    ``arc-agi_evaluation_*.json``, a folder called ``eval``): one never to tune on."""
    name = dataset.lower()
    return "evaluation" in name or re.search(r"(^|[^a-z])eval([^a-z]|$)", name) is not None


def evaluation_record(
    report: SolveReport,
    plan: EvaluationPlan,
    *,
    wall_seconds: float,
    model: Mapping[str, Any],
    machine: Mapping[str, Any],
) -> dict[str, Any]:
    """``metrics.json`` of an evaluation: the run's totals (``summary_record``) plus the
    dataset and subset, the budget and whether the run kept to it, the model and the machine.
    ``wall_seconds``: the whole command, model loading included; ``report.seconds`` is what the
    budget limits."""
    budget = plan.budget_seconds
    summary = summary_record(report)
    return {
        **summary,
        # The sampler reads 0 GPU bytes on a machine without GPUs: say "none" instead.
        "peak_gpu_bytes": summary["peak_gpu_bytes"] if machine.get("gpus") else None,
        "dataset": plan.dataset,
        "evaluation_set": is_evaluation_set(plan.dataset),
        "subset": {"limit": plan.limit, "seed": plan.seed, "of": plan.available},
        "budget": {
            "time_per_task": plan.time_per_task,
            "total_seconds": budget,
            "within": report.seconds <= budget,
        },
        "wall_seconds": round(wall_seconds, 3),
        "model": dict(model),
        "machine": dict(machine),
    }


def evaluation_text(record: Mapping[str, Any]) -> str:
    """The evaluation as a short table, one figure a line."""
    subset, budget = record["subset"], record["budget"]
    if subset["limit"] is None:
        chosen = f"all {record['tasks']} tasks"
    elif subset["seed"] is None:
        chosen = f"the first {record['tasks']} of {subset['of']} tasks (by id)"
    else:
        chosen = f"{record['tasks']} of {subset['of']} tasks drawn with seed {subset['seed']}"
    score = record["score"]
    p50, p90 = record["seconds_per_task_median"], record["seconds_per_task_p90"]
    gpu = record.get("peak_gpu_bytes")
    machine = record["machine"]
    gpus = ", ".join(machine.get("gpus") or ()) or "no GPU"
    used = f"used {record['seconds']:.1f} s"
    if not budget["within"]:
        used += f" (over budget by {record['seconds'] - budget['total_seconds']:.1f} s)"
    rows = [
        ("dataset", f"{record['dataset']}: {chosen}"),
        ("score (pass@2)", "-" if score is None else f"{score:.4f}"),
        ("tasks solved", f"{record['solved']} / {record['tasks']}"),
        ("seconds per task", f"median {_seconds(p50)}, p90 {_seconds(p90)}"),
        (
            "time budget",
            f"{budget['total_seconds']:g} s ({budget['time_per_task']:g} s x {record['tasks']}), "
            + used,
        ),
        ("wall time", f"{record['wall_seconds']:.1f} s (model loading included)"),
        (
            "peak memory",
            f"RSS {bytes_text(record['peak_memory_bytes'])}, "
            f"GPU {'-' if gpu is None else bytes_text(gpu)}",
        ),
        ("tokens trained", f"{record['tokens_trained']:,}"),
        ("model", f"{record['model']['path']} ({record['model']['kind']})"),
        ("machine", f"{machine['cpu']} ({machine['cpu_count']} CPUs), {gpus}"),
    ]
    if record["degraded_tasks"]:
        rows.append(("degraded tasks", f"{record['degraded_tasks']} (see results.jsonl)"))
    return "\n".join(f"{label:<18}{value}" for label, value in rows)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"
