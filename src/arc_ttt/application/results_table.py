"""A run's per-task results as a flat table (CSV or JSON) for spreadsheets and notebooks.

One row per task with a result, in ``results.jsonl`` order; grids and candidates are left out
(``results.jsonl`` keeps them). Pure: returns text.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from arc_ttt.domain.past_run import PastRun

COLUMNS = (
    "task_id",
    "score",
    "test_inputs",
    "correct",
    "seconds",
    "train_seconds",
    "train_steps",
    "tokens_trained",
    "stopped_because",
    "from_cache",
    "invalid_generations",
    "peak_memory_bytes",
    "peak_gpu_bytes",
    "degradations",
)
FORMATS = ("csv", "json")


def result_rows(run: PastRun) -> list[dict[str, Any]]:
    """One dict per task, keys in ``COLUMNS`` order; ``correct`` and ``degradations`` as lists."""
    return [
        {
            "task_id": t.task_id,
            "score": t.score,
            "test_inputs": len(t.attempts),
            "correct": None if t.correct is None else list(t.correct),
            "seconds": t.seconds,
            "train_seconds": t.train_seconds,
            "train_steps": t.train_steps,
            "tokens_trained": t.tokens_trained,
            "stopped_because": t.stopped_because,
            "from_cache": t.from_cache,
            "invalid_generations": t.invalid_generations,
            "peak_memory_bytes": t.peak_memory_bytes,
            "peak_gpu_bytes": t.peak_gpu_bytes,
            "degradations": list(t.degradations),
        }
        for t in run.tasks
    ]


def results_text(run: PastRun, fmt: str) -> str:
    """The table as CSV (``correct`` as ``1;0``, degradations joined by ``; ``) or a JSON list.

    Raises ``ValueError`` for a format other than ``csv`` or ``json``.
    """
    rows = result_rows(run)
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown results format {fmt!r}; use one of {', '.join(FORMATS)}")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                "score": "" if row["score"] is None else row["score"],
                "correct": ""
                if row["correct"] is None
                else ";".join("1" if c else "0" for c in row["correct"]),
                "peak_gpu_bytes": "" if row["peak_gpu_bytes"] is None else row["peak_gpu_bytes"],
                "degradations": "; ".join(row["degradations"]),
            }
        )
    return out.getvalue()
