"""The embedded default model against an untrained built-in model of the same size, at the same
test-time-training budget, on tasks the default never trained on.

- ``synthetic``: 50 synthetic tasks, ``generate_tasks(50, seed=777, sides 3..6)``; the default's
  synthetic pretraining tasks came from seed 0 (the script checks that no task of one set has
  the content of a task of the other). With and without TTT, for both models.
- ``arc``: the 20 ARC-AGI-1 training tasks that pretraining held out for validation (never
  trained on; their loss chose the weights kept), with TTT, for both models.

Run: python benchmarks/default_vs_untrained.py [--suite synthetic|arc|both] [--steps 64]
     [--views 2] [--threads 2] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import arc_ttt
from arc_ttt.adapters.embedded_model import embedded_model_folder
from arc_ttt.application.pretrain_data import DataPlan, gather_data
from arc_ttt.container import build_container
from arc_ttt.domain.synthetic import generate_tasks


def held_out_arc1() -> list[Any]:
    """The ARC-AGI-1 training tasks the embedded default's pretraining kept for validation."""
    manifest = json.loads((embedded_model_folder() / "manifest.json").read_text())  # type: ignore[operator]
    sources = [s["source"] for s in manifest["data"]["sources"]]
    synthetic = next(s for s in manifest["data"]["sources"] if s["source"] == "synthetic")
    plan = DataPlan(
        sources=tuple(sources),
        synthetic_tasks=synthetic["loaded"],
        val_fraction=manifest["data"].get("val_fraction", 0.05),
        seed=manifest["seed"],
    )
    data = gather_data(build_container().catalog(), plan)
    ids = {t.id for t in data.validation}
    arc1 = build_container().catalog().open("arc-agi-1/training").load()
    return [t for t in arc1 if t.id in ids]


def synthetic_tasks() -> list[Any]:
    tasks = generate_tasks(50, seed=777, min_side=3, max_side=6)
    manifest = json.loads((embedded_model_folder() / "manifest.json").read_text())  # type: ignore[operator]
    synthetic = next(s for s in manifest["data"]["sources"] if s["source"] == "synthetic")
    seen = {t.content_hash() for t in generate_tasks(synthetic["loaded"], manifest["seed"])}
    overlap = sum(t.content_hash() in seen for t in tasks)
    if overlap:
        raise SystemExit(f"{overlap} evaluation tasks also appear in the pretraining data")
    return tasks


def run(tasks: list[Any], model: str, mode: str, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    report = arc_ttt.solve(
        tasks,
        model={"path": model, "threads": args.threads},
        ttt={"mode": mode, "steps": args.steps},
        decode={"views": args.views},
        budget={"total_seconds": None},
        seed=0,
        progress=False,
    )
    return {
        "model": model,
        "ttt": mode,
        "tasks": len(tasks),
        "score": report.score,
        "solved": sum(1 for r in report.results if r.score == 1.0),
        "seconds": time.perf_counter() - start,
        "seconds_per_task_median": statistics.median(r.seconds for r in report.results),
        "solved_ids": [r.task_id for r in report.results if r.score == 1.0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suite", choices=["synthetic", "arc", "both"], default="both")
    ap.add_argument("--steps", type=int, default=64)
    ap.add_argument("--views", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json-out")
    args = ap.parse_args()
    if embedded_model_folder() is None:
        raise SystemExit("this build embeds no default model")
    rows = []
    if args.suite in ("synthetic", "both"):
        tasks = synthetic_tasks()
        for model in ("default", "builtin"):
            for mode in ("per-task", "none"):
                rows.append({"suite": "synthetic (50, seed 777)", **run(tasks, model, mode, args)})
                print(json.dumps(rows[-1]), flush=True)
    if args.suite in ("arc", "both"):
        tasks = held_out_arc1()
        for model in ("default", "builtin"):
            rows.append(
                {"suite": "arc-agi-1/training held out (20)", **run(tasks, model, "per-task", args)}
            )
            print(json.dumps(rows[-1]), flush=True)
    print(f"\nTTT {args.steps} steps, {args.views} views, {args.threads} threads")
    print("| tasks | model | TTT | score | solved | s/task (median) |\n|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['suite']} | {r['model']} | {r['ttt']} | {r['score']:.3f} | "
            f"{r['solved']}/{r['tasks']} | {r['seconds_per_task_median']:.1f} |"
        )
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
