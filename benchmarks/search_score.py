"""Program search alone on a bundled dataset: pass@2 score, seconds per task, peak RSS.

    python benchmarks/search_score.py --dataset arc-agi-1/training --seconds 10 [--part design|holdout|all]
        [--limit N] [--tasks ID,ID] [--workers 2] [--depth 3] [--json out.json]

``--part``: ARC-AGI-1 training is split once, by a hash of the task id, into a design part
(3/4) and a held-out quarter that was never looked at while the language was designed.
``--part validation`` with ``--dataset arc-agi-2/training`` keeps only the tasks in neither
ARC-AGI-1 set (by id and by content), the honest validation set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from arc_ttt import load_tasks
from arc_ttt.domain.search import SearchOptions, search


def held_out(task_id: str) -> bool:
    """The fixed held-out quarter of a dataset: a hash of the id, not a look at the task."""
    return hashlib.sha256(task_id.encode()).digest()[0] % 4 == 0


def _run(args: tuple) -> dict:
    task, options = args
    t0 = time.process_time()
    w0 = time.monotonic()
    result = search(task, options)
    cpu = time.process_time() - t0
    right = []
    for i, truth in enumerate(task.test_outputs or ()):
        top = [g for g, _ in result.candidates(i)[:2]]
        right.append(truth in top)
    best = result.findings[0].describe() if result.findings else None
    return {
        "id": task.id,
        "score": sum(right) / len(right) if right else 0.0,
        "cpu": cpu,
        "wall": time.monotonic() - w0,
        "states": result.states,
        "applications": result.applications,
        "depth": result.depth_reached,
        "stopped": result.stopped_because,
        "best": best,
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def validation_tasks():
    """ARC-AGI-2 training minus every ARC-AGI-1 task (by id and by content)."""
    v1 = list(load_tasks("arc-agi-1/training")) + list(load_tasks("arc-agi-1/evaluation"))
    ids = {t.id for t in v1}
    clean = load_tasks("arc-agi-2/training").excluding(v1)
    return [t for t in clean if t.id not in ids]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default="arc-agi-1/training")
    p.add_argument("--part", default="all", choices=["design", "holdout", "all", "validation"])
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--tasks", default=None, help="only these task ids, comma-separated")
    p.add_argument("--local-depth", type=int, default=SearchOptions().local_depth)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--json", default=None)
    p.add_argument("--show", action="store_true", help="print each task's line")
    a = p.parse_args()
    if a.part == "validation":
        tasks = validation_tasks()
    else:
        tasks = list(load_tasks(a.dataset))
        if a.part == "design":
            tasks = [t for t in tasks if not held_out(t.id)]
        elif a.part == "holdout":
            tasks = [t for t in tasks if held_out(t.id)]
    if a.tasks:
        wanted = set(a.tasks.split(","))
        tasks = [t for t in tasks if t.id in wanted]
        if missing := wanted - {t.id for t in tasks}:
            p.error(f"--tasks: not in {a.dataset} ({a.part}): {', '.join(sorted(missing))}")
    tasks = tasks[: a.limit] if a.limit else tasks
    options = SearchOptions(max_depth=a.depth, seconds=a.seconds, local_depth=a.local_depth)
    t0 = time.monotonic()
    with ProcessPoolExecutor(a.workers) as pool:
        rows = list(pool.map(_run, [(t, options) for t in tasks], chunksize=1))
    wall = time.monotonic() - t0
    score = sum(r["score"] for r in rows) / len(rows)
    for r in rows:
        if a.show:
            print(
                f"{r['id']} {r['score']:.2f} {r['cpu']:.1f}s d{r['depth']} {r['stopped']} {r['best']['program'] if r['best'] else '-'} {r['best']['kind'] if r['best'] else ''}"
            )
    summary = {
        "dataset": a.dataset,
        "part": a.part,
        "tasks": len(rows),
        "seconds_per_task_limit": a.seconds,
        "depth": a.depth,
        "local_depth": a.local_depth,
        "pass_at_2": round(score, 4),
        "solved": sum(1 for r in rows if r["score"] == 1.0),
        "mean_cpu_s": round(sum(r["cpu"] for r in rows) / len(rows), 3),
        "max_wall_s": round(max(r["wall"] for r in rows), 2),
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(max(r["rss_kb"] for r in rows) / 1024, 1),
        "states_per_cpu_s": round(
            sum(r["states"] for r in rows) / max(1e-9, sum(r["cpu"] for r in rows))
        ),
        "machine": f"{os.cpu_count()} cores",
    }
    print(json.dumps(summary))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": summary, "tasks": rows}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
