"""``arc-ttt solve``: search programs, adapt a model where none fits, rank every source's
candidates together and write a run folder with ``submission.json``; ``--resume`` continues a
stopped run with its own settings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click
from pydantic import ValidationError

from arc_ttt.application.run_record import run_files, summary_record
from arc_ttt.cli.invocation import exclusive, global_options, run
from arc_ttt.cli.options import (
    dataset_options,
    examples,
    output_options,
    solver_options,
    task_options,
)
from arc_ttt.cli.solve import (
    SOLVER_FLAGS,
    check_source_flags,
    resume_hint,
    settings_from_flags,
    solve_into,
)
from arc_ttt.cli.task_choice import chosen_tasks
from arc_ttt.ports.stop_signal import StopSignal
from arc_ttt.settings import Settings

# flag -> (settings section, field); used to build settings and to name a bad flag.
SOLVE_FLAGS: dict[str, tuple[str | None, str]] = {
    **SOLVER_FLAGS,
    "seed": (None, "seed"),
    "time_limit": ("budget", "total_seconds"),
}


@click.command(
    "solve",
    short_help="solve tasks by program search and test-time training; write a submission",
    help="Search programs that fit each task's demonstrations; adapt a model to the tasks "
    "without an exact fit and decode under augmented views; rank every source's candidates "
    "together and submit two attempts per test input.",
    epilog=examples(
        "example: arc-ttt solve --dataset arc-agi-1/training --limit 10 --out runs/first"
    ),
)
@dataset_options()
@task_options
@click.option("--out", metavar="DIR", help="run folder to write (created if missing)")
@click.option(
    "--resume",
    metavar="RUN_DIR",
    help="continue a stopped run with its own settings; finished tasks are not redone",
)
@solver_options
@click.option("--seed", type=int, metavar="S", help="seed of everything random")
@click.option(
    "--time-limit",
    type=float,
    metavar="SECONDS",
    help="time for the whole run (default 7200); tasks past it get fallback attempts",
)
@output_options
@global_options
@click.pass_context
def solve_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, solve, params)


def solve(args: SimpleNamespace, container: Any) -> int:
    """Run ``arc-ttt solve`` with the process's ``container``."""
    exclusive(args, "tasks", "limit")
    if args.resume is not None:
        _resumed_args(args)
    if args.dataset is None or args.out is None:
        raise click.UsageError("solve needs --dataset and --out (or --resume RUN_DIR)")
    if args.resume is None:
        check_source_flags(args)
    if args.limit is not None and args.limit < 1:
        raise click.UsageError("--limit: must be at least 1")
    out = Path(args.out).resolve()
    if out.exists() and not out.is_dir():
        raise click.UsageError(f"--out: {args.out!r} exists and is not a folder")
    settings = (
        args.saved_settings if args.resume is not None else settings_from_flags(args, SOLVE_FLAGS)
    )
    collection = chosen_tasks(args, container)
    stop = container.stop_requested()  # SIGINT/SIGTERM during the solve
    with resume_hint(f"resume with: arc-ttt solve --resume {out}"):
        report, folder = solve_into(
            container,
            out,
            list(collection),
            settings,
            run_settings={
                "dataset": args.dataset,
                "solutions": args.solutions,
                "tasks": collection.ids(),
            },
            args=args,
        )
        if folder is None:  # not the main process: the main one writes the run
            return 128 + stop.number if report.interrupted and stop.number else 0
        folder.write_report(**run_files(report))
    return _outcome(report, out, args, stop)


def _resumed_args(args: SimpleNamespace) -> None:
    """Fill ``args`` from the run folder's settings.json; other choices would change the run."""
    given = [f"--{f}" for f in ("dataset", "solutions", "tasks", "limit", "out", *SOLVE_FLAGS)]
    clash = [f for f in given if getattr(args, f[2:].replace("-", "_")) is not None]
    if args.options.config or args.options.sets:
        clash.append("--config" if args.options.config else "--set")
    if clash:
        raise click.UsageError(
            f"--resume continues a run with its own settings; drop {', '.join(clash)}"
        )
    folder = Path(args.resume)
    try:
        saved = json.loads((folder / "settings.json").read_text())
        if isinstance(saved, dict) and saved.get("command") == "evaluate":
            raise click.UsageError(
                f"--resume: {args.resume!r} is an evaluate run; finish it with the same "
                f"arc-ttt evaluate command and --out {folder} (finished tasks come from its cache)"
            )
        args.dataset, args.solutions, args.tasks = (
            saved.pop("dataset"),
            saved.pop("solutions", None),
            saved.pop("tasks"),
        )
        if isinstance(args.tasks, list):
            args.tasks = ",".join(args.tasks)
        args.saved_settings = Settings(**saved)
    except FileNotFoundError as e:
        raise click.UsageError(
            f"--resume: {args.resume!r} has no settings.json (not a run folder)"
        ) from e
    except (ValueError, KeyError, TypeError, ValidationError) as e:
        raise click.UsageError(
            f"--resume: {folder / 'settings.json'} is not a run's settings: {e}"
        ) from e
    args.out = str(folder)


def _outcome(report: Any, out: Path, args: SimpleNamespace, stop: StopSignal) -> int:
    """Print how a solve run ended (the main process's); its exit code."""
    if report.interrupted:
        print(
            f"arc-ttt: stopped by {stop.name}: {len(report.results)} of "
            f"{len(report.results) + len(report.unsolved)} tasks done, partial submission in "
            f"{out / 'submission.json'}; resume with: arc-ttt solve --resume {out}",
            file=sys.stderr,
        )
        return 128 + stop.number
    if args.json:
        print(json.dumps({"run": str(out), **summary_record(report)}, indent=2))
        return 0
    score = "" if report.score is None else f", score {report.score:.4f}"
    solved = sum(1 for r in report.results if r.score == 1.0)
    print(f"solved {solved}/{len(report.results)} tasks{score} in {report.seconds:.1f}s")
    print(f"submission: {out / 'submission.json'}")
    return 0
