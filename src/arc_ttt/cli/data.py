"""The data commands: ``datasets``, ``show`` and ``score``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.application.show import FORMATS
from arc_ttt.cli.invocation import exclusive, global_options, run
from arc_ttt.cli.options import dataset_options, examples, json_option, task_options
from arc_ttt.cli.tables import print_table

ASKED = "bundled name, task folder or JSON file (asked for on a terminal when missing)"


@click.command(
    "datasets",
    short_help="list the bundled datasets and their task counts",
    help="List the bundled datasets.",
    epilog=examples("example: arc-ttt datasets --json"),
)
@json_option()
@global_options
@click.pass_context
def datasets_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, datasets, params)


@click.command(
    "show",
    short_help="show one task (terminal text, PNG or SVG)",
    help="Show one task's demonstrations and test inputs.",
    epilog=examples("example: arc-ttt show 007bbfb7 --dataset arc-agi-1/training --out task.png"),
)
@click.argument("task_id", metavar="TASK_ID")
@dataset_options(ASKED)
@click.option("--out", metavar="FILE", help="write a picture; the suffix picks .png or .svg")
@global_options
@click.pass_context
def show_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, show, params)


@click.command(
    "score",
    short_help="official score of a submission.json on a dataset",
    help="Score an ARC Prize 2024/2025 submission file.",
    epilog=examples("example: arc-ttt score submission.json --dataset arc-agi-1/evaluation"),
)
@click.argument("submission", metavar="SUBMISSION")
@dataset_options(ASKED)
@json_option()
@click.option("--per-task", is_flag=True, help="also list each task's score")
@task_options
@global_options
@click.pass_context
def score_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, score, params)


def _color_wanted() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def datasets(args: SimpleNamespace, container: Any) -> int:
    """``arc-ttt datasets``: the bundled datasets and their task counts."""
    rows = container.datasets()
    if args.json:
        print(
            json.dumps(
                [r.__dict__ if hasattr(r, "__dict__") else _asdict(r) for r in rows], indent=2
            )
        )
        return 0
    print_table(
        ("dataset", "tasks", "test inputs", "solutions"),
        [(r.name, r.tasks, r.test_inputs, r.with_solutions) for r in rows],
        right=(1, 2, 3),
    )
    return 0


def _asdict(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}


def show(args: SimpleNamespace, container: Any) -> int:
    """``arc-ttt show``: a task as colored text, or a PNG/SVG picture."""
    out = Path(args.out) if args.out else None
    if out is not None:
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise click.UsageError(f"--out: {args.out!r} must end in .png or .svg")
        if not out.parent.resolve().is_dir():
            raise click.UsageError(f"--out: folder {str(out.parent)!r} does not exist")
    task = container.find_task(dataset=args.dataset, task_id=args.task_id, solutions=args.solutions)
    if out is None:
        print(container.task_text(task, color=_color_wanted()))
        return 0
    out.write_bytes(container.render_task(task, fmt))
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


def score(args: SimpleNamespace, container: Any) -> int:
    """``arc-ttt score``: the official score of a submission file."""
    exclusive(args, "tasks", "limit")
    path = Path(args.submission)
    if not path.is_file():
        raise click.UsageError(f"SUBMISSION: file {args.submission!r} does not exist")
    wanted = [t.strip() for t in (args.tasks or "").split(",") if t.strip()]
    if args.tasks is not None and not wanted:
        raise click.UsageError("--tasks: give at least one task id")
    if args.limit is not None and args.limit < 1:
        raise click.UsageError("--limit: must be at least 1")
    report = container.score(
        submission_text=path.read_bytes(),
        dataset=args.dataset,
        source=str(path),
        solutions=args.solutions,
        task_ids=wanted,
        limit=args.limit,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "dataset": args.dataset,
                    "score": report.total,
                    "tasks": len(report.tasks),
                    "solved": report.solved,
                    "missing_tasks": list(report.missing_tasks),
                    "unknown_tasks": list(report.unknown_tasks),
                    "per_task": {t.task_id: t.score for t in report.tasks},
                },
                indent=2,
            )
        )
        return 0
    if args.per_task:
        print_table(
            ("task", "score", "tests", ""),
            [
                (
                    t.task_id,
                    f"{t.score:.3f}",
                    "".join("+" if c else "-" for c in t.correct),
                    "" if t.submitted else "(missing)",
                )
                for t in report.tasks
            ],
            right=(1,),
        )
    print(
        f"score {report.total:.4f} on {args.dataset}: {report.solved}/{len(report.tasks)} tasks fully solved"
    )
    if report.missing_tasks:
        print(
            f"{len(report.missing_tasks)} task(s) missing from the submission count 0",
            file=sys.stderr,
        )
    if report.unknown_tasks:
        print(
            f"ignored {len(report.unknown_tasks)} task(s) not in the "
            f"{'chosen tasks' if wanted or args.limit else 'dataset'}: "
            f"{', '.join(report.unknown_tasks[:5])}",
            file=sys.stderr,
        )
    return 0
