"""``arc-ttt explain TASK_ID --dataset D``: the programs the search finds for one task."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import dataset_options, examples, json_option
from arc_ttt.cli.solve import settings_from_flags


@click.command(
    "explain",
    short_help="show the programs the search finds for a task",
    help="Search programs for one task and print them best first, each with the "
    "demonstrations it reproduces and its outputs for the test inputs. The search "
    "settings ([search] section: max_depth, seconds) apply; test outputs are never used.",
    epilog=examples("example: arc-ttt explain 007bbfb7 --dataset arc-agi-1/training"),
)
@click.argument("task_id", metavar="TASK_ID")
@dataset_options()
@click.option("--seconds", type=float, metavar="S", help="search time (default: settings)")
@click.option("--depth", type=int, metavar="N", help="most operations in a program")
@json_option()
@global_options
@click.pass_context
def explain_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, explain_task, params)


def explain_task(args: SimpleNamespace, container: Any) -> int:
    from arc_ttt.application.explain import explain, explanation_text  # noqa: PLC0415
    from arc_ttt.domain.search import SearchOptions, search  # noqa: PLC0415

    if args.dataset is None:
        raise click.UsageError("Missing option '--dataset'.")
    flags = {"seconds": ("search", "seconds"), "depth": ("search", "max_depth")}
    settings = settings_from_flags(args, flags)
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
