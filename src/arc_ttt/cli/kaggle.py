"""``arc-ttt kaggle``: the ARC Prize notebook's run. It reads the challenges file, solves on
every GPU present (one process each through ``accelerate launch``, tasks sharded, the main
process merging), keeps a total time budget with a safety margin, never touches the network,
and writes ``submission.json`` with every task id."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.application.kaggle import (
    DEFAULT_HOURS,
    DEFAULT_MARGIN_MINUTES,
    DRY_RUN_SECONDS,
    complete_submission,
    plan_kaggle,
)
from arc_ttt.application.run_record import run_files
from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import examples, output_options, solver_options
from arc_ttt.cli.process_clock import command_age
from arc_ttt.cli.solve import SOLVER_FLAGS, check_source_flags, settings_from_flags, solve_into

DEADLINE_VARIABLE = (
    "ARC_TTT_KAGGLE_DEADLINE"  # the launcher's deadline, for the processes it starts
)
RUN_FOLDER = "arc-ttt-run"
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}


@click.command(
    "kaggle",
    short_help="the ARC Prize Kaggle run: every GPU, a total time budget, submission.json",
    help="Solve a Kaggle challenges file offline on every GPU present (one process per GPU "
    "through accelerate, tasks sharded, the main process merging) within --hours less "
    "--margin-minutes from the start, and write OUT/submission.json with every task id (the "
    "test input where a task was not finished). A file of public tasks only is the commit "
    "run's placeholder: a dry run of --dry-run-seconds instead. See docs/kaggle.md.",
    epilog=examples(
        "example:",
        "  arc-ttt kaggle --challenges /kaggle/input/arc-prize-2025/arc-agi_test_challenges.json"
        " --model /kaggle/input/my-model --out /kaggle/working",
    ),
)
@click.option("--challenges", required=True, metavar="FILE", help="arc-agi_test_challenges.json")
@click.option("--out", default="/kaggle/working", metavar="DIR", help="where submission.json goes")
@click.option(
    "--hours", type=float, default=DEFAULT_HOURS, help=f"the run's time (default {DEFAULT_HOURS:g})"
)
@click.option(
    "--margin-minutes",
    type=float,
    default=DEFAULT_MARGIN_MINUTES,
    help=f"kept free at the end (default {DEFAULT_MARGIN_MINUTES:g})",
)
@click.option(
    "--dry-run-seconds",
    type=float,
    default=DRY_RUN_SECONDS,
    help=f"time of the placeholder file's dry run (default {DRY_RUN_SECONDS:g})",
)
@click.option("--processes", type=int, help="processes (default: one per CUDA GPU, else 1)")
@solver_options
@click.option("--seed", type=int, metavar="S", help="seed of everything random")
@output_options
@global_options
@click.pass_context
def kaggle_command(ctx: click.Context, **params: Any) -> int:
    os.environ.update(OFFLINE)  # before transformers is imported: nothing is downloaded
    return run(ctx, kaggle, params)


def kaggle(args: SimpleNamespace, container: Any) -> int:
    challenges = Path(args.challenges)
    if not challenges.is_file():
        raise click.UsageError(f"--challenges: file {args.challenges!r} does not exist")
    if args.processes is not None and args.processes < 1:
        raise click.UsageError("--processes: must be at least 1")
    if min(args.hours, args.margin_minutes, args.dry_run_seconds) < 0:
        raise click.UsageError("--hours, --margin-minutes and --dry-run-seconds: not negative")
    check_source_flags(args)
    deadline = float(os.environ.get(DEADLINE_VARIABLE, "0")) or (
        time.time() - command_age() + args.hours * 3600 - args.margin_minutes * 60
    )
    processes = args.processes or container.gpu_count() or 1
    if processes > 1 and "WORLD_SIZE" not in os.environ:
        return _launch(processes, deadline, args.argv, cuda=container.gpu_count() > 0)
    collection = container.catalog().open(str(challenges)).load()
    for problem in collection.problems:
        print(f"arc-ttt: warning: skipped {problem}", file=sys.stderr)
    catalog = container.catalog()
    public = [t for name in catalog.bundled_names() for t in catalog.open(name).load().ids()]
    left = deadline - time.time()
    try:
        plan = plan_kaggle(
            collection.ids(),
            public,
            hours=max(left, 0) / 3600,
            margin_minutes=0,
            dry_run_seconds=args.dry_run_seconds,
        )
    except ValueError as e:
        raise click.ClickException(f"kaggle: {e}") from e
    if not args.quiet and container.processes().rank == 0:
        print(f"arc-ttt: kaggle: {plan.why}", file=sys.stderr)
    fixed = {("budget", "total_seconds"): ("hours", plan.seconds + command_age())}
    settings = settings_from_flags(args, {**SOLVER_FLAGS, "seed": (None, "seed")}, fixed=fixed)
    out = Path(args.out).resolve()
    tasks = list(collection)
    report, folder = solve_into(
        container,
        out / RUN_FOLDER,
        tasks,
        settings,
        run_settings={
            "command": "kaggle",
            "dataset": str(challenges.resolve()),
            "tasks": collection.ids(),
            "kaggle": {"dry_run": plan.dry_run, "seconds": plan.seconds, "why": plan.why},
        },
        args=args,
    )
    if folder is None:  # not the main process: the main one writes the run
        return 0
    folder.write_report(**run_files(report))
    submission = complete_submission(report.submission, tasks).to_json()
    target = out / "submission.json"
    partial = target.with_name(target.name + ".tmp")
    partial.write_text(json.dumps(submission))
    os.replace(partial, target)  # a reader never sees half a submission
    solved = sum(1 for r in report.results if r.score == 1.0)
    record = {
        "submission": str(target),
        "tasks": len(submission),
        "finished": len(report.results),
        "dry_run": plan.dry_run,
        "seconds": round(report.seconds, 1),
    }
    if args.json:
        print(json.dumps(record, indent=2))
    else:
        known = f", {solved} solved" if report.score is not None else ""
        print(
            f"submission: {target} ({len(submission)} tasks, {len(report.results)} finished"
            f"{known}, {report.seconds:.0f} s{', dry run' if plan.dry_run else ''})"
        )
    return 0


def _launch(processes: int, deadline: float, argv: list[str], *, cuda: bool) -> int:
    """This command again under ``accelerate launch`` with one process per GPU (on the CPU
    through gloo where there is none), all of them keeping the first one's deadline."""
    accelerate = shutil.which("accelerate")
    if accelerate is None:
        raise click.ClickException("kaggle: --processes > 1 needs accelerate's launcher")
    env = {**os.environ, **OFFLINE, DEADLINE_VARIABLE: repr(deadline)}
    if not cuda:
        env["ACCELERATE_USE_CPU"] = "1"
    command = [accelerate, "launch", "--multi_gpu", "--num_processes", str(processes)]
    command += ["--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no"]
    command += ["--main_process_port", str(_free_port()), "-m", "arc_ttt.cli", *argv]
    return subprocess.run(command, env=env, check=False).returncode


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
