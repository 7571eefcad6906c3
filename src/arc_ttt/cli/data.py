"""The data commands: ``datasets``, ``show`` and ``score``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def _color_wanted() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def datasets(args: argparse.Namespace, container: object) -> int:
    """``arc-ttt datasets``: the bundled datasets and their task counts."""
    rows = container.datasets()  # type: ignore[attr-defined]
    if args.json:
        print(
            json.dumps(
                [r.__dict__ if hasattr(r, "__dict__") else _asdict(r) for r in rows], indent=2
            )
        )
        return 0
    print(f"{'dataset':<24}{'tasks':>7}{'test inputs':>13}{'solutions':>11}")
    for r in rows:
        print(f"{r.name:<24}{r.tasks:>7}{r.test_inputs:>13}{r.with_solutions:>11}")
    return 0


def _asdict(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


def show(args: argparse.Namespace, container: object, usage_error: type[Exception]) -> int:
    """``arc-ttt show``: a task as colored text, or a PNG/SVG picture."""
    from arc_ttt.application.show import FORMATS  # noqa: PLC0415

    out = Path(args.out) if args.out else None
    if out is not None:
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise usage_error(f"--out: {args.out!r} must end in .png or .svg")
        if not out.parent.resolve().is_dir():
            raise usage_error(f"--out: folder {str(out.parent)!r} does not exist")
    task = container.find_task(dataset=args.dataset, task_id=args.task_id, solutions=args.solutions)  # type: ignore[attr-defined]
    if out is None:
        print(container.task_text(task, color=_color_wanted()))  # type: ignore[attr-defined]
        return 0
    out.write_bytes(container.render_task(task, fmt))  # type: ignore[attr-defined]
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


def score(args: argparse.Namespace, container: object, usage_error: type[Exception]) -> int:
    """``arc-ttt score``: the official score of a submission file."""
    path = Path(args.submission)
    if not path.is_file():
        raise usage_error(f"SUBMISSION: file {args.submission!r} does not exist")
    wanted = [t.strip() for t in (args.tasks or "").split(",") if t.strip()]
    if args.tasks is not None and not wanted:
        raise usage_error("--tasks: give at least one task id")
    if args.limit is not None and args.limit < 1:
        raise usage_error("--limit: must be at least 1")
    report = container.score(  # type: ignore[attr-defined]
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
        for t in report.tasks:
            marks = "".join("+" if c else "-" for c in t.correct)
            print(f"{t.task_id:<12}{t.score:>6.3f}  {marks}{'' if t.submitted else '  (missing)'}")
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
