"""``arc-ttt report|compare|export-results``: look at finished solve runs from the shell.

A path that is not a finished run folder is a usage error (exit 2); a damaged run file is a
failure (exit 1) whose message names the file and line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.application.report import report_html
from arc_ttt.application.results_table import FORMATS, results_text
from arc_ttt.application.run_comparison import compare_runs, comparison_record, comparison_text
from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import examples
from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.past_run import NotARunFolderError, PastRun
from arc_ttt.domain.task import Task

REPORT_HELP = (
    "Write one static HTML page for a solve run: summary, then each task's demonstrations, test "
    "inputs, attempts (right/wrong), timing and degradations. Needs no network to view."
)
RUN_DIR = "folder written by arc-ttt solve --out"


@click.command(
    "report",
    short_help="write a run's HTML report (summary, one card per task)",
    help=REPORT_HELP,
    epilog=examples("example: arc-ttt report runs/first && xdg-open runs/first/report.html"),
)
@click.argument("run_dir", metavar="RUN_DIR")
@click.option("--out", metavar="FILE", help="HTML file to write (default RUN_DIR/report.html)")
@click.option(
    "--dataset",
    metavar="D",
    help="load the tasks from here instead of the run's own dataset (e.g. a moved folder)",
)
@click.option("--solutions", metavar="FILE", help="Kaggle solutions file for --dataset")
@global_options
@click.pass_context
def report_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _past_run(_report), params)


@click.command(
    "compare",
    short_help="compare two runs: tasks gained and lost, score and time deltas",
    help="Compare run B against run A (deltas are B minus A), task by task.",
    epilog=examples("example: arc-ttt compare runs/baseline runs/more-steps --json"),
)
@click.argument("run_a", metavar="RUN_A")
@click.argument("run_b", metavar="RUN_B")
@click.option("--json", is_flag=True, help="print JSON on stdout")
@global_options
@click.pass_context
def compare_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _past_run(_compare), params)


@click.command(
    "export-results",
    short_help="a run's per-task results as CSV or JSON",
    help="One row per task with a result: score, timing, memory, degradations.",
    epilog=examples("example: arc-ttt export-results runs/first --format csv --out first.csv"),
)
@click.argument("run_dir", metavar="RUN_DIR")
@click.option("--format", type=click.Choice(FORMATS), default="csv", help="default csv")
@click.option("--out", metavar="FILE", help="file to write (default: stdout)")
@global_options
@click.pass_context
def export_results_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, _past_run(_export), params)


def _past_run(handler: Callable[[SimpleNamespace, Any], int]) -> Callable[..., int]:
    """``handler``, with a path that holds no finished run as a usage error."""

    def body(args: SimpleNamespace, container: Any) -> int:
        try:
            return handler(args, container)
        except NotARunFolderError as e:
            raise click.UsageError(f"{args.command}: {e}") from e

    return body


def _report(args: SimpleNamespace, container: Any) -> int:
    folder = Path(args.run_dir)
    out = Path(args.out) if args.out else folder / "report.html"
    if args.solutions and not args.dataset:
        raise click.UsageError("report: --solutions goes with --dataset")
    past = container.read_run(folder, label=args.run_dir)
    _check_out(out, "--out")
    tasks, note = _tasks(past, args, container)
    if note:
        print(f"arc-ttt: warning: {note}; the report shows attempts only", file=sys.stderr)
    page = report_html(past, tasks, dataset_note=note)
    out.write_text(page, encoding="utf-8")
    print(f"wrote {out} ({len(past.planned)} tasks, {out.stat().st_size:,} bytes)")
    return 0


def _tasks(
    past: PastRun, args: SimpleNamespace, container: Any
) -> tuple[dict[str, Task], str | None]:
    """The run's tasks from its dataset, or none and why (an explicit ``--dataset`` must load)."""
    if args.dataset:
        collection = container.catalog().open(args.dataset, args.solutions).load()
    else:
        try:
            collection = container.catalog().open(past.dataset, past.solutions).load()
        except (ArcTTTError, OSError) as e:
            return {}, f"dataset {past.dataset!r} could not be loaded ({e}); pass --dataset D"
    wanted = set(past.planned)
    return {t.id: t for t in collection if t.id in wanted}, None


def _compare(args: SimpleNamespace, container: Any) -> int:
    a = container.read_run(Path(args.run_a), label=args.run_a)
    b = container.read_run(Path(args.run_b), label=args.run_b)
    comparison = compare_runs(a, b)
    if args.json:
        print(json.dumps(comparison_record(comparison), indent=2))
    else:
        print(comparison_text(comparison))
    if not comparison.same_dataset:
        print(
            f"arc-ttt: warning: the runs used different datasets ({a.dataset!r}, {b.dataset!r})",
            file=sys.stderr,
        )
    return 0


def _export(args: SimpleNamespace, container: Any) -> int:
    past = container.read_run(Path(args.run_dir), label=args.run_dir)
    text = results_text(past, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    _check_out(out, "--out")
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(past.tasks)} tasks)")
    return 0


def _check_out(out: Path, flag: str) -> None:
    if out.is_dir():
        raise click.UsageError(f"{flag}: {str(out)!r} is a folder; name a file")
    if not out.parent.resolve().is_dir():
        raise click.UsageError(f"{flag}: folder {str(out.parent)!r} does not exist")
