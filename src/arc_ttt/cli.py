"""The ``arc-ttt`` command line. Usage errors exit 2 with one line; failures exit 1."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from arc_ttt import __version__, cli_checkpoints, cli_export, cli_pretrain, cli_report
from arc_ttt.domain.errors import ArcTTTError, UnknownDatasetError, UnknownTaskError

EXIT_FAILURE = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A flag or argument the user must fix; exits 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One clear line instead of argparse's usage dump.
        command = self.prog.removeprefix("arc-ttt").strip()
        raise UsageError(f"{command + ': ' if command else ''}{message} (see --help)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="arc-ttt", description="Test-time training for ARC-AGI puzzles.")
    p.add_argument("--version", action="version", version=f"arc-ttt {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    d = sub.add_parser(
        "datasets",
        help="list the bundled datasets and their task counts",
        description="List the bundled datasets.",
        epilog="example: arc-ttt datasets --json",
    )
    d.add_argument("--json", action="store_true", help="print JSON on stdout")

    s = sub.add_parser(
        "show",
        help="show one task (terminal text, PNG or SVG)",
        description="Show one task's demonstrations and test inputs.",
        epilog="example: arc-ttt show 007bbfb7 --dataset arc-agi-1/training --out task.png",
    )
    s.add_argument("task_id", metavar="TASK_ID")
    s.add_argument(
        "--dataset", required=True, metavar="D", help="bundled name, task folder or JSON file"
    )
    s.add_argument(
        "--solutions", metavar="FILE", help="Kaggle solutions file for a challenges file"
    )
    s.add_argument("--out", metavar="FILE", help="write a picture; the suffix picks .png or .svg")

    c = sub.add_parser(
        "score",
        help="official score of a submission.json on a dataset",
        description="Score an ARC Prize 2024/2025 submission file.",
        epilog="example: arc-ttt score submission.json --dataset arc-agi-1/evaluation",
    )
    c.add_argument("submission", metavar="SUBMISSION")
    c.add_argument(
        "--dataset", required=True, metavar="D", help="bundled name, task folder or JSON file"
    )
    c.add_argument(
        "--solutions", metavar="FILE", help="Kaggle solutions file for a challenges file"
    )
    c.add_argument("--json", action="store_true", help="print JSON on stdout")
    c.add_argument("--tasks", action="store_true", help="also list each task's score")
    _add_solve(sub)
    cli_checkpoints.add_parser(sub)
    cli_pretrain.add_parser(sub)
    cli_report.add_parser(sub)
    cli_export.add_parser(sub)
    return p


# flag -> (settings section, field); used to build settings and to name a bad flag.
SOLVE_FLAGS = {
    "model": ("model", "path"),
    "ttt": ("ttt", "mode"),
    "method": ("ttt", "method"),
    "steps": ("ttt", "steps"),
    "views": ("decode", "views"),
    "strategy": ("decode", "strategy"),
    "seed": (None, "seed"),
    "time_limit": ("budget", "total_seconds"),
    "engine": ("inference", "engine"),
}


def _add_solve(sub: argparse._SubParsersAction[_Parser]) -> None:
    s = sub.add_parser(
        "solve",
        help="solve tasks by test-time training and write a submission",
        description="Adapt a model to each task, decode under augmented views, submit two attempts.",
        epilog="example: arc-ttt solve --dataset arc-agi-1/training --limit 10 --out runs/first",
    )
    s.add_argument("--dataset", metavar="D", help="bundled name, task folder or JSON file")
    s.add_argument(
        "--solutions", metavar="FILE", help="Kaggle solutions file for a challenges file"
    )
    which = s.add_mutually_exclusive_group()
    which.add_argument("--tasks", metavar="ID,ID", help="only these task ids")
    which.add_argument("--limit", type=int, metavar="N", help="only the first N tasks (by id)")
    s.add_argument("--out", metavar="DIR", help="run folder to write (created if missing)")
    s.add_argument(
        "--resume",
        metavar="RUN_DIR",
        help="continue a stopped run with its own settings; finished tasks are not redone",
    )
    s.add_argument("--model", metavar="PATH", help="default | builtin | a local model folder")
    s.add_argument("--ttt", choices=["per-task", "none"], help="test-time training mode")
    s.add_argument(
        "--method",
        choices=["auto", "lora", "full"],
        help="LoRA adapters or full fine-tuning (auto: full for the built-in model, else LoRA)",
    )
    s.add_argument(
        "--steps", type=int, metavar="N", help="optimizer steps of test-time training per task"
    )
    s.add_argument("--views", type=int, metavar="K", help="augmented views per test input")
    s.add_argument("--strategy", choices=["greedy", "dfs"], help="decoding strategy")
    s.add_argument(
        "--engine",
        choices=["torch", "onnx"],
        help="decode with torch or ONNX Runtime (built-in model; training stays torch)",
    )
    s.add_argument("--seed", type=int, metavar="S", help="seed of everything random")
    s.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="time for the whole run (default 7200); tasks past it get fallback attempts",
    )
    s.add_argument("--json", action="store_true", help="print the run's metrics as JSON on stdout")
    s.add_argument(
        "-q", "--quiet", action="store_true", help="print only errors and the final result"
    )


def _color_wanted() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _cmd_datasets(args: argparse.Namespace, container: object) -> int:
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


def _cmd_show(args: argparse.Namespace, container: object) -> int:
    from arc_ttt.adapters.terminal import task_text  # noqa: PLC0415
    from arc_ttt.application.show import FORMATS, render_task  # noqa: PLC0415

    out = Path(args.out) if args.out else None
    if out is not None:
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise UsageError(f"--out: {args.out!r} must end in .png or .svg")
        if not out.parent.resolve().is_dir():
            raise UsageError(f"--out: folder {str(out.parent)!r} does not exist")
    task = container.find_task(dataset=args.dataset, task_id=args.task_id, solutions=args.solutions)  # type: ignore[attr-defined]
    if out is None:
        print(task_text(task, color=_color_wanted()))
        return 0
    out.write_bytes(render_task(task, fmt))
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


def _cmd_score(args: argparse.Namespace, container: object) -> int:
    path = Path(args.submission)
    if not path.is_file():
        raise UsageError(f"SUBMISSION: file {args.submission!r} does not exist")
    report = container.score(  # type: ignore[attr-defined]
        submission_text=path.read_bytes(),
        dataset=args.dataset,
        source=str(path),
        solutions=args.solutions,
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
    if args.tasks:
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
            f"ignored {len(report.unknown_tasks)} task(s) not in the dataset: "
            f"{', '.join(report.unknown_tasks[:5])}",
            file=sys.stderr,
        )
    return 0


def _solve_settings(args: argparse.Namespace) -> Any:
    from pydantic import ValidationError  # noqa: PLC0415

    from arc_ttt.settings import Settings  # noqa: PLC0415

    overrides: dict[str, Any] = {}
    for flag, (section, name) in SOLVE_FLAGS.items():
        value = getattr(args, flag)
        if value is None:
            continue
        if section is None:
            overrides[name] = value
        else:
            overrides.setdefault(section, {})[name] = value
    try:
        return Settings(**overrides)
    except ValidationError as e:
        first = e.errors()[0]
        loc = tuple(str(x) for x in first["loc"])
        flag = next(
            (f for f, (sec, n) in SOLVE_FLAGS.items() if (sec, n) == loc[:2] or (n,) == loc), None
        )
        where = f"--{flag}" if flag else ("ARC_TTT_" + "__".join(loc).upper())
        raise UsageError(f"{where}: {first['msg']}") from e


class _StopOnSignal:
    """SIGINT/SIGTERM ask a run to stop after its current step; a second signal acts as usual."""

    def __init__(self) -> None:
        self.number = 0
        self.name = ""

    def __call__(self) -> bool:
        return self.number != 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # only the main thread may set signal handlers
            return
        wanted = (signal.SIGINT, signal.SIGTERM)
        previous = {s: signal.getsignal(s) for s in wanted}

        def handle(number: int, frame: object) -> None:
            self.number, self.name = number, signal.Signals(number).name
            for s, handler in previous.items():
                signal.signal(s, handler)  # a second signal is not caught again
            print(f"arc-ttt: {self.name}: stopping after the current step", file=sys.stderr)

        for s in wanted:
            signal.signal(s, handle)
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def _resumed_args(args: argparse.Namespace) -> None:
    """Fill ``args`` from the run folder's settings.json; other choices would change the run."""
    from pydantic import ValidationError  # noqa: PLC0415

    from arc_ttt.settings import Settings  # noqa: PLC0415

    given = [f"--{f}" for f in ("dataset", "solutions", "tasks", "limit", "out", *SOLVE_FLAGS)]
    clash = [f for f in given if getattr(args, f[2:]) is not None]
    if clash:
        raise UsageError(f"--resume continues a run with its own settings; drop {', '.join(clash)}")
    folder = Path(args.resume)
    try:
        saved = json.loads((folder / "settings.json").read_text())
        args.dataset, args.solutions, args.tasks = (
            saved.pop("dataset"),
            saved.pop("solutions", None),
            saved.pop("tasks"),
        )
        if isinstance(args.tasks, list):
            args.tasks = ",".join(args.tasks)
        args.saved_settings = Settings(**saved)
    except FileNotFoundError as e:
        raise UsageError(
            f"--resume: {args.resume!r} has no settings.json (not a run folder)"
        ) from e
    except (ValueError, KeyError, TypeError, ValidationError) as e:
        raise UsageError(
            f"--resume: {folder / 'settings.json'} is not a run's settings: {e}"
        ) from e
    args.out = str(folder)


def _cmd_solve(args: argparse.Namespace, container: Any) -> int:
    from arc_ttt.adapters.fs_store import FilesystemCheckpointStore  # noqa: PLC0415
    from arc_ttt.adapters.progress import LineProgress, RichProgress  # noqa: PLC0415
    from arc_ttt.adapters.resource_monitor import BackgroundSampler, SystemMonitor  # noqa: PLC0415
    from arc_ttt.adapters.run_folder import RunFolder  # noqa: PLC0415
    from arc_ttt.adapters.store_solve_cache import StoreSolveCache  # noqa: PLC0415
    from arc_ttt.container import build_container  # noqa: PLC0415

    if args.resume is not None:
        _resumed_args(args)
    if args.dataset is None or args.out is None:
        raise UsageError("solve needs --dataset and --out (or --resume RUN_DIR)")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit: must be at least 1")
    out = Path(args.out).resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {args.out!r} exists and is not a folder")
    settings = args.saved_settings if args.resume is not None else _solve_settings(args)
    container = _apply_overrides(build_container(settings), args.overrides)
    collection = container.catalog().open(args.dataset, args.solutions).load()
    for problem in collection.problems:
        print(f"arc-ttt: warning: skipped {problem}", file=sys.stderr)
    if args.tasks:
        collection = collection.select([t.strip() for t in args.tasks.split(",") if t.strip()])
    elif args.limit:
        collection = collection.sample(args.limit)
    interactive = sys.stderr.isatty() and not args.quiet and "NO_COLOR" not in os.environ
    container.progress.override(RichProgress() if interactive else LineProgress(quiet=args.quiet))
    run = RunFolder(out)
    if "solve_cache" not in args.overrides:
        container.solve_cache.override(StoreSolveCache(FilesystemCheckpointStore(out / "cache")))
    run.write_settings(
        {
            "dataset": args.dataset,
            "solutions": args.solutions,
            "tasks": collection.ids(),
            **settings.model_dump(),
        }
    )
    stop = _StopOnSignal()
    container.stop_requested.override(stop)
    sampler = BackgroundSampler(SystemMonitor(), interval=0.25)
    if "peaks" not in args.overrides:
        container.peaks.override(sampler)
    with stop.installed(), sampler:
        report = container.solver().solve(collection, container.solve_options())
    run.write_report(report)
    if report.interrupted:
        print(
            f"arc-ttt: stopped by {stop.name}: {len(report.results)} of "
            f"{len(report.results) + len(report.unsolved)} tasks done, partial submission in "
            f"{out / 'submission.json'}; resume with: arc-ttt solve --resume {out}",
            file=sys.stderr,
        )
        return 128 + stop.number
    if args.json:
        from arc_ttt.application.run_record import summary_record  # noqa: PLC0415

        print(json.dumps({"run": str(out), **summary_record(report)}, indent=2))
        return 0
    score = "" if report.score is None else f", score {report.score:.4f}"
    solved = sum(1 for r in report.results if r.score == 1.0)
    print(f"solved {solved}/{len(report.results)} tasks{score} in {report.seconds:.1f}s")
    print(f"submission: {out / 'submission.json'}")
    return 0


def _cmd_checkpoints(args: argparse.Namespace, container: Any) -> int:
    return cli_checkpoints.run(args, UsageError)


def _cmd_pretrain(args: argparse.Namespace, container: Any) -> int:
    return cli_pretrain.run(args, UsageError, _StopOnSignal())


def _cmd_export(args: argparse.Namespace, container: Any) -> int:
    return cli_export.run(args, container, UsageError)


def _cmd_report(args: argparse.Namespace, container: Any) -> int:
    return cli_report.run(args, container, UsageError)


COMMANDS = {
    "datasets": _cmd_datasets,
    "show": _cmd_show,
    "score": _cmd_score,
    "solve": _cmd_solve,
    "checkpoints": _cmd_checkpoints,
    "pretrain": _cmd_pretrain,
    **dict.fromkeys(cli_report.COMMANDS, _cmd_report),
    **dict.fromkeys(cli_export.COMMANDS, _cmd_export),
}


def _apply_overrides(container: Any, overrides: Mapping[str, Any]) -> Any:
    for name, instance in overrides.items():
        getattr(container, name).override(instance)
    return container


def main(argv: Sequence[str] | None = None, *, overrides: Mapping[str, Any] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 failure, 2 usage error).

    ``overrides`` (provider name -> instance) replaces adapters in every container this call
    builds: how tests and embedding programs run the CLI with a model of their own.
    """
    from arc_ttt.container import build_container  # noqa: PLC0415 - keep --help fast

    try:
        args = _parser().parse_args(argv)
        args.overrides = dict(overrides or {})
        return COMMANDS[args.command](args, _apply_overrides(build_container(), args.overrides))
    except UsageError as e:
        print(f"arc-ttt: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (UnknownDatasetError, UnknownTaskError) as e:
        print(f"arc-ttt: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ArcTTTError as e:
        print(f"arc-ttt: error: {e}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("arc-ttt: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
