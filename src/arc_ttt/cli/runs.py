"""``arc-ttt report|compare|export-results``: look at finished solve runs from the shell.

A path that is not a finished run folder is a usage error (exit 2); a damaged run file is a
failure (exit 1) whose message names the file and line.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from arc_ttt.application.report import report_html
from arc_ttt.application.results_table import FORMATS, results_text
from arc_ttt.application.run_comparison import compare_runs, comparison_record, comparison_text
from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.past_run import NotARunFolderError, PastRun
from arc_ttt.domain.task import Task

COMMANDS = ("report", "compare", "export-results")


def add_parser(sub: Any) -> None:
    """Register ``report``, ``compare`` and ``export-results`` on the CLI's subparsers."""
    r = sub.add_parser(
        "report",
        help="write a run's HTML report (summary, one card per task)",
        description=(
            "Write one static HTML page for a solve run: summary, then each task's "
            "demonstrations, test inputs, attempts (right/wrong), timing and degradations. "
            "Needs no network to view."
        ),
        epilog="example: arc-ttt report runs/first && xdg-open runs/first/report.html",
    )
    r.add_argument("run_dir", metavar="RUN_DIR", help="folder written by arc-ttt solve --out")
    r.add_argument("--out", metavar="FILE", help="HTML file to write (default RUN_DIR/report.html)")
    r.add_argument(
        "--dataset",
        metavar="D",
        help="load the tasks from here instead of the run's own dataset (e.g. a moved folder)",
    )
    r.add_argument("--solutions", metavar="FILE", help="Kaggle solutions file for --dataset")
    c = sub.add_parser(
        "compare",
        help="compare two runs: tasks gained and lost, score and time deltas",
        description="Compare run B against run A (deltas are B minus A), task by task.",
        epilog="example: arc-ttt compare runs/baseline runs/more-steps --json",
    )
    c.add_argument("run_a", metavar="RUN_A", help="the reference run folder")
    c.add_argument("run_b", metavar="RUN_B", help="the run folder compared with it")
    c.add_argument("--json", action="store_true", help="print JSON on stdout")
    e = sub.add_parser(
        "export-results",
        help="a run's per-task results as CSV or JSON",
        description="One row per task with a result: score, timing, memory, degradations.",
        epilog="example: arc-ttt export-results runs/first --format csv --out first.csv",
    )
    e.add_argument("run_dir", metavar="RUN_DIR", help="folder written by arc-ttt solve --out")
    e.add_argument("--format", choices=FORMATS, default="csv", help="default csv")
    e.add_argument("--out", metavar="FILE", help="file to write (default: stdout)")


def run(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    """Run one of ``COMMANDS``; a path that holds no finished run raises ``usage_error``."""
    try:
        if args.command == "report":
            return _report(args, container, usage_error)
        if args.command == "compare":
            return _compare(args, container)
        return _export(args, container, usage_error)
    except NotARunFolderError as e:
        raise usage_error(f"{args.command}: {e}") from e


def _report(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    folder = Path(args.run_dir)
    out = Path(args.out) if args.out else folder / "report.html"
    if args.solutions and not args.dataset:
        raise usage_error("report: --solutions goes with --dataset")
    past = container.read_run(folder, label=args.run_dir)
    _check_out(out, "--out", usage_error)
    tasks, note = _tasks(past, args, container)
    if note:
        print(f"arc-ttt: warning: {note}; the report shows attempts only", file=sys.stderr)
    page = report_html(past, tasks, dataset_note=note)
    out.write_text(page, encoding="utf-8")
    print(f"wrote {out} ({len(past.planned)} tasks, {out.stat().st_size:,} bytes)")
    return 0


def _tasks(
    past: PastRun, args: argparse.Namespace, container: Any
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


def _compare(args: argparse.Namespace, container: Any) -> int:
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


def _export(args: argparse.Namespace, container: Any, usage_error: type[Exception]) -> int:
    past = container.read_run(Path(args.run_dir), label=args.run_dir)
    text = results_text(past, args.format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.out)
    _check_out(out, "--out", usage_error)
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(past.tasks)} tasks)")
    return 0


def _check_out(out: Path, flag: str, usage_error: type[Exception]) -> None:
    if out.is_dir():
        raise usage_error(f"{flag}: {str(out)!r} is a folder; name a file")
    if not out.parent.resolve().is_dir():
        raise usage_error(f"{flag}: folder {str(out.parent)!r} does not exist")
