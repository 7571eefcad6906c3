"""``arc-ttt evaluate``: solve (a subset of) a dataset with known solutions under a time per task,
and report the official score with seconds per task, peak memory, tokens trained, the budget,
the model and the machine; the run folder is a solve run's (``report`` and ``compare`` read it)."""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import dataset_options, examples, output_options, solver_options
from arc_ttt.cli.solve import (
    SOLVER_FLAGS,
    check_source_flags,
    resume_hint,
    settings_from_flags,
    solve_into,
)

log = logging.getLogger(__name__)

DEFAULT_TIME_PER_TASK = 60.0
LOG_FILE = "log.txt"


@click.command(
    "evaluate",
    short_help="score the solver on tasks with known solutions, under a time per task",
    help=(
        "Solve the tasks of a dataset whose solutions are known (all, or --limit N of them) "
        "with --time-per-task seconds each, then report the official score (pass@2, "
        "fractional per test input), tasks solved, seconds per task (median, p90), peak "
        "memory, tokens trained, the budget, the model and the machine. Writes a run folder "
        "like solve's (arc-ttt report / compare read it). Never tune settings on an "
        "evaluation set: choose them on training tasks."
    ),
    epilog=examples(
        "example: arc-ttt evaluate --dataset arc-agi-1/evaluation --limit 20 --seed 0 "
        "--time-per-task 30"
    ),
)
@dataset_options("bundled name, task folder or JSON file (with solutions)")
@click.option("--tasks", metavar="ID,ID", help="only these task ids (comma-separated), as in solve")
@click.option("--limit", type=int, metavar="N", help="only N tasks (default: all)")
@click.option(
    "--seed",
    type=int,
    metavar="S",
    help="draw the --limit N tasks at random with seed S (default: the first N by id)",
)
@click.option(
    "--time-per-task",
    type=float,
    metavar="SECONDS",
    default=DEFAULT_TIME_PER_TASK,
    help=f"time for each task (default {DEFAULT_TIME_PER_TASK:g}); the run's budget is "
    "N x SECONDS; tasks past it get fallback attempts",
)
@click.option(
    "--out",
    metavar="DIR",
    help="run folder to write (default runs/eval-<dataset>-<date>-<time>)",
)
@solver_options
@output_options
@global_options
@click.pass_context
def evaluate_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, evaluate, params)


def _chosen_ids(args: SimpleNamespace) -> list[str]:
    """Check the flags that choose the tasks and the time; the ``--tasks`` ids (or [])."""
    if args.dataset is None:
        raise click.UsageError("Missing option '--dataset'.")
    if args.limit is not None and args.limit < 1:
        raise click.UsageError("--limit: must be at least 1")
    if args.seed is not None and args.limit is None:
        raise click.UsageError("--seed: draws the --limit N tasks; give --limit too")
    wanted = [t.strip() for t in (args.tasks or "").split(",") if t.strip()]
    if args.tasks is not None and not wanted:
        raise click.UsageError("--tasks: give at least one task id")
    if wanted and args.limit is not None:
        raise click.UsageError("--tasks and --limit: give one of them, not both")
    if not (args.time_per_task > 0 and math.isfinite(args.time_per_task)):
        raise click.UsageError(
            f"--time-per-task: must be a positive number of seconds, got {args.time_per_task:g}"
        )
    return wanted


def evaluate(args: SimpleNamespace, container: Any) -> int:
    """Run ``arc-ttt evaluate``; usage problems (a bad flag, tasks without solutions) raise a
    usage error (exit 2)."""
    from arc_ttt.application.evaluation import (  # noqa: PLC0415
        NEVER_TUNE,
        MissingSolutionsError,
        evaluation_record,
        evaluation_text,
        is_evaluation_set,
        plan_evaluation,
    )
    from arc_ttt.application.run_record import run_files  # noqa: PLC0415
    from arc_ttt.cli.log_setup import to_file  # noqa: PLC0415

    started = time.monotonic()
    stop = container.stop_requested()  # SIGINT/SIGTERM during the solve
    wanted = _chosen_ids(args)
    out = Path(args.out) if args.out else default_folder(args.dataset)
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"--out: {args.out!r} exists and is not a folder")
    check_source_flags(args)
    settings_from_flags(args, SOLVER_FLAGS)  # a bad flag fails before any loading
    collection = container.catalog().open(args.dataset, args.solutions).load()
    for problem in collection.problems:
        print(f"arc-ttt: warning: skipped {problem}", file=sys.stderr)
    if wanted:
        collection = collection.select(wanted)
    try:
        plan = plan_evaluation(
            args.dataset,
            collection,
            limit=args.limit,
            seed=args.seed,
            time_per_task=args.time_per_task,
        )
    except MissingSolutionsError as e:
        raise click.UsageError(str(e)) from e
    if is_evaluation_set(args.dataset) and not args.quiet:
        print(f"arc-ttt: note: {args.dataset} {NEVER_TUNE}", file=sys.stderr)
    budget = {
        ("budget", "total_seconds"): ("time_per_task", plan.budget_seconds),
        ("budget", "task_seconds"): ("time_per_task", plan.time_per_task),
    }
    settings = settings_from_flags(args, SOLVER_FLAGS, fixed=budget)
    out = out.resolve()
    run_settings = {
        "command": "evaluate",
        "dataset": args.dataset,
        "solutions": args.solutions,
        "tasks": plan.tasks.ids(),
        "evaluation": {
            "limit": plan.limit,
            "subset_seed": plan.seed,
            "time_per_task": plan.time_per_task,
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    hint = "run the same arc-ttt evaluate command again (finished tasks come from its cache)"
    with to_file(out / LOG_FILE), resume_hint(hint):
        log.info(
            "evaluating %d tasks of %s (%d there): %g s per task, %g s in all",
            len(plan.tasks),
            args.dataset,
            plan.available,
            plan.time_per_task,
            plan.budget_seconds,
        )
        report, folder = solve_into(
            container,
            out,
            plan.tasks,
            settings,
            run_settings=run_settings,
            args=args,
        )
        if folder is None:  # not the main process: the main one writes the run
            return 128 + stop.number if report.interrupted and stop.number else 0
        record = evaluation_record(
            report,
            plan,
            wall_seconds=time.monotonic() - started,
            model=model_description(settings, container.embedded_model_folder()),
            machine=container.machine(),
        )
        folder.write_report(**run_files(report, record))
        log.info(
            "score %s, %d of %d tasks solved, %.1f s of %g s",
            record["score"],
            record["solved"],
            record["tasks"],
            report.seconds,
            plan.budget_seconds,
        )
    if report.interrupted:
        print(
            f"arc-ttt: stopped by {stop.name}: {len(report.results)} of {len(plan.tasks)} tasks "
            f"done, the figures in {out / 'metrics.json'} cover those only; to finish, run the "
            f"same command with --out {out} (finished tasks come from its cache)",
            file=sys.stderr,
        )
        return 128 + stop.number
    if args.json:
        print(json.dumps({"run": str(out), **record}, indent=2))
        return 0
    print(evaluation_text(record))
    print(f"run: {out}")
    return 0


def default_folder(dataset: str, now: datetime | None = None) -> Path:
    """``runs/eval-<dataset slug>-<YYYYmmdd-HHMMSS>``; a path's slug is its last part's stem."""
    name = Path(dataset).stem if Path(dataset).exists() else dataset
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "dataset"
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = Path("runs") / f"eval-{slug}-{stamp}"
    n = 2
    while folder.exists():  # two runs in the same second
        folder = Path("runs") / f"eval-{slug}-{stamp}-{n}"
        n += 1
    return folder


def model_description(settings: Any, embedded: Path | None) -> dict[str, Any]:
    """The model a run used: its ``path`` setting and, in words, what that turned out to be
    (``embedded``: the embedded model's folder, None when this build ships none)."""
    m = settings.model
    untrained = f"untrained built-in, d_model {m.d_model}, {m.layers} layers"
    if m.path == "default":
        if embedded is not None:
            kind = "embedded pretrained model"
        else:
            kind = f"no pretrained model embedded in this build: {untrained}"
    elif m.path == "builtin":
        kind = untrained
    else:
        kind = f"model folder {Path(m.path).expanduser().resolve()}"
    return {"path": m.path, "kind": kind}
