"""Exact-grid accuracy with and without test-time training, from the same base, on 50 synthetic
tasks (official 2-attempt rule), with a per-family breakdown.

The tasks come from ``generate_tasks(50, seed=777, sides 3..6)``: seeds no test or pretraining
script uses. Default base: an untrained built-in model (``--model builtin``; TTT then trains it
in full, ``--method auto``); ``--model PATH`` takes a model folder.

Run: python benchmarks/ttt_accuracy.py [--model builtin|PATH] [--steps 64] [--views 2]
     [--json-out FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import defaultdict
from typing import Any

import arc_ttt
from arc_ttt.domain.synthetic import generate_tasks


def family(task_id: str) -> str:
    return task_id.removeprefix("syn-").rsplit("-", 1)[0]


def run(tasks: list[Any], mode: str, args: argparse.Namespace) -> dict[str, Any]:
    start = time.perf_counter()
    report = arc_ttt.solve(
        tasks,
        model={"path": args.model, "threads": args.threads},
        ttt={"mode": mode, "steps": args.steps},
        decode={"views": args.views},
        budget={"total_seconds": None},
        seed=0,
        progress=False,
    )
    by_family: dict[str, list[float]] = defaultdict(list)
    for r in report.results:
        by_family[family(r.task_id)].append(r.score or 0.0)
    return {
        "mode": mode,
        "score": report.score,
        "solved": sum(1 for r in report.results if r.score == 1.0),
        "seconds": time.perf_counter() - start,
        "seconds_per_task": statistics.mean(r.seconds for r in report.results),
        "by_family": {f: sum(v) / len(v) for f, v in sorted(by_family.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="builtin")
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--steps", type=int, default=64)
    parser.add_argument("--views", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json-out", metavar="FILE")
    args = parser.parse_args()
    tasks = generate_tasks(args.tasks, seed=777, min_side=3, max_side=6)
    results = [run(tasks, "per-task", args), run(tasks, "none", args)]
    print(
        f"{args.tasks} synthetic tasks, model {args.model}, TTT {args.steps} steps, "
        f"{args.views} views, {args.threads} threads"
    )
    print("| TTT | score | solved | s/task |\n|---|---|---|---|")
    for r in results:
        print(f"| {r['mode']} | {r['score']:.3f} | {r['solved']} | {r['seconds_per_task']:.1f} |")
    families = results[0]["by_family"]
    print("\n| family | with TTT | without |\n|---|---|---|")
    for f in families:
        print(f"| {f} | {families[f]:.2f} | {results[1]['by_family'][f]:.2f} |")
    if args.json_out:
        with open(args.json_out, "w") as out:
            json.dump({"args": vars(args), "results": results}, out, indent=2)


if __name__ == "__main__":
    main()
