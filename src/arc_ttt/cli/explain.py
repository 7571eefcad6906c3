"""``arc-ttt explain TASK_ID --dataset D``: the programs the search finds for one task."""

from __future__ import annotations

import argparse
import json
from typing import Any

from arc_ttt.cli.solve import settings_from_flags


def add_parser(sub: Any) -> None:
    """Register ``explain`` on the CLI's subparsers."""
    e = sub.add_parser(
        "explain",
        help="show the programs the search finds for a task",
        description="Search programs for one task and print them best first, each with the "
        "demonstrations it reproduces and its outputs for the test inputs. The search "
        "settings ([search] section: max_depth, seconds) apply; test outputs are never used.",
        epilog="example: arc-ttt explain 007bbfb7 --dataset arc-agi-1/training",
    )
    e.add_argument("task_id", metavar="TASK_ID")
    e.add_argument("--dataset", metavar="D", help="bundled name, task folder or JSON file")
    e.add_argument(
        "--solutions", metavar="FILE", help="Kaggle solutions file for a challenges file"
    )
    e.add_argument("--seconds", type=float, metavar="S", help="search time (default: settings)")
    e.add_argument("--depth", type=int, metavar="N", help="most operations in a program")
    e.add_argument("--json", action="store_true", help="print JSON on stdout")


def run(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    from arc_ttt.application.explain import explain, explanation_text  # noqa: PLC0415
    from arc_ttt.domain.search import SearchOptions, search  # noqa: PLC0415

    if args.dataset is None:
        raise usage_error("explain: the following arguments are required: --dataset")
    flags = {"seconds": ("search", "seconds"), "depth": ("search", "max_depth")}
    settings = settings_from_flags(args, flags, usage_error)
    task = container.find_task(dataset=args.dataset, task_id=args.task_id, solutions=args.solutions)
    s = settings.search
    options = SearchOptions(
        max_depth=s.max_depth, seconds=s.seconds, memory_bytes=int(s.memory_gb * 2**30)
    )
    explanation = explain(task, options, search)
    if args.json:
        print(json.dumps(explanation.to_record(), indent=2))
    else:
        print(explanation_text(explanation))
    return 0
