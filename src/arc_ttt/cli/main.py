"""The ``arc-ttt`` command line. Usage errors exit 2 with one line; failures exit 1."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

from arc_ttt import __version__
from arc_ttt.cli import checkpoints as cli_checkpoints
from arc_ttt.cli import config as cli_config
from arc_ttt.cli import data as cli_data
from arc_ttt.cli import evaluate as cli_evaluate
from arc_ttt.cli import explain as cli_explain
from arc_ttt.cli import log_setup as cli_logging
from arc_ttt.cli import models as cli_export
from arc_ttt.cli import origin as cli_origin
from arc_ttt.cli import pretrain as cli_pretrain
from arc_ttt.cli import prompt as cli_prompt
from arc_ttt.cli import runs as cli_report
from arc_ttt.cli.process_clock import start_clock
from arc_ttt.cli.solve import (
    SOLVER_FLAGS,
    add_output_flags,
    add_solver_flags,
    check_source_flags,
    resume_hint,
    settings_from_flags,
    solve_into,
)
from arc_ttt.cli.stop import StopOnSignal
from arc_ttt.cli.task_choice import chosen_tasks
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
    p = _Parser(
        prog="arc-ttt",
        description="Test-time training for ARC-AGI puzzles. Settings: flags > ARC_TTT_* "
        "environment variables > --config FILE (TOML) > defaults; see arc-ttt config show.",
    )
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
        "--dataset",
        metavar="D",
        help="bundled name, task folder or JSON file (asked for on a terminal when missing)",
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
        "--dataset",
        metavar="D",
        help="bundled name, task folder or JSON file (asked for on a terminal when missing)",
    )
    c.add_argument(
        "--solutions", metavar="FILE", help="Kaggle solutions file for a challenges file"
    )
    c.add_argument("--json", action="store_true", help="print JSON on stdout")
    c.add_argument(
        "--per-task", action="store_true", help="also list each task's score (was --tasks)"
    )
    chosen = c.add_mutually_exclusive_group()
    chosen.add_argument("--tasks", metavar="ID,ID", help="score only these task ids, as in solve")
    chosen.add_argument(
        "--limit", type=int, metavar="N", help="score only the first N tasks (by id)"
    )
    _add_solve(sub)
    cli_evaluate.add_parser(sub)
    cli_explain.add_parser(sub)
    cli_checkpoints.add_parser(sub)
    cli_pretrain.add_parser(sub)
    cli_report.add_parser(sub)
    cli_export.add_parser(sub)
    cli_config.add_parser(sub)
    cli_config.add_global_help(p, top=True)
    return p


# flag -> (settings section, field); used to build settings and to name a bad flag.
SOLVE_FLAGS: dict[str, tuple[str | None, str]] = {
    **SOLVER_FLAGS,
    "seed": (None, "seed"),
    "time_limit": ("budget", "total_seconds"),
}


def _add_solve(sub: argparse._SubParsersAction[_Parser]) -> None:
    s = sub.add_parser(
        "solve",
        help="solve tasks by program search and test-time training; write a submission",
        description="Search programs that fit each task's demonstrations; adapt a model to the "
        "tasks without an exact fit and decode under augmented views; rank every source's "
        "candidates together and submit two attempts per test input.",
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
    add_solver_flags(s)
    s.add_argument("--seed", type=int, metavar="S", help="seed of everything random")
    s.add_argument(
        "--time-limit",
        type=float,
        metavar="SECONDS",
        help="time for the whole run (default 7200); tasks past it get fallback attempts",
    )
    add_output_flags(s)


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
        if isinstance(saved, dict) and saved.get("command") == "evaluate":
            raise UsageError(
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
        raise UsageError(
            f"--resume: {args.resume!r} has no settings.json (not a run folder)"
        ) from e
    except (ValueError, KeyError, TypeError, ValidationError) as e:
        raise UsageError(
            f"--resume: {folder / 'settings.json'} is not a run's settings: {e}"
        ) from e
    args.out = str(folder)


def _cmd_solve(args: argparse.Namespace, container: Any) -> int:
    from arc_ttt.application.run_record import run_files  # noqa: PLC0415

    if args.resume is not None:
        _resumed_args(args)
    if args.dataset is None or args.out is None:
        raise UsageError("solve needs --dataset and --out (or --resume RUN_DIR)")
    if args.resume is None:
        check_source_flags(args, UsageError)
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit: must be at least 1")
    out = Path(args.out).resolve()
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out: {args.out!r} exists and is not a folder")
    settings = (
        args.saved_settings
        if args.resume is not None
        else settings_from_flags(args, SOLVE_FLAGS, UsageError)
    )
    # The catalog needs no settings; solve_into builds the container that solves.
    collection = chosen_tasks(args, container)
    stop = StopOnSignal()
    with resume_hint(f"resume with: arc-ttt solve --resume {out}"):
        report, run = solve_into(
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
            stop=stop,
            usage_error=UsageError,
        )
        if run is None:  # not the main process: the main one writes the run
            return 128 + stop.number if report.interrupted and stop.number else 0
        run.write_report(**run_files(report))
    return _solve_outcome(report, out, args, stop)


def _solve_outcome(report: Any, out: Path, args: argparse.Namespace, stop: StopOnSignal) -> int:
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
        from arc_ttt.application.run_record import summary_record  # noqa: PLC0415

        print(json.dumps({"run": str(out), **summary_record(report)}, indent=2))
        return 0
    score = "" if report.score is None else f", score {report.score:.4f}"
    solved = sum(1 for r in report.results if r.score == 1.0)
    print(f"solved {solved}/{len(report.results)} tasks{score} in {report.seconds:.1f}s")
    print(f"submission: {out / 'submission.json'}")
    return 0


def _cmd_evaluate(args: argparse.Namespace, container: Any) -> int:
    return cli_evaluate.run(args, container, UsageError, StopOnSignal())


def _cmd_explain(args: argparse.Namespace, container: Any) -> int:
    return cli_explain.run(args, container, UsageError)


def _cmd_checkpoints(args: argparse.Namespace, container: Any) -> int:
    return cli_checkpoints.run(args, container, UsageError)


def _cmd_pretrain(args: argparse.Namespace, container: Any) -> int:
    return cli_pretrain.run(args, container, UsageError, StopOnSignal())


def _cmd_export(args: argparse.Namespace, container: Any) -> int:
    return cli_export.run(args, container, UsageError)


def _cmd_report(args: argparse.Namespace, container: Any) -> int:
    return cli_report.run(args, container, UsageError)


def _cmd_config(args: argparse.Namespace, container: Any) -> int:
    return cli_origin.show(args, args.global_layers, UsageError)


COMMANDS = {
    "datasets": cli_data.datasets,
    "show": lambda args, container: cli_data.show(args, container, UsageError),
    "score": lambda args, container: cli_data.score(args, container, UsageError),
    "solve": _cmd_solve,
    "evaluate": _cmd_evaluate,
    "explain": _cmd_explain,
    "checkpoints": _cmd_checkpoints,
    "pretrain": _cmd_pretrain,
    "config": _cmd_config,
    **dict.fromkeys(cli_report.COMMANDS, _cmd_report),
    **dict.fromkeys(cli_export.COMMANDS, _cmd_export),
}


def _apply_overrides(container: Any, overrides: Mapping[str, Any]) -> Any:
    for name, instance in overrides.items():
        getattr(container, name).override(instance)
    return container


@contextlib.contextmanager
def _configured(args: argparse.Namespace, options: cli_config.GlobalOptions) -> Iterator[None]:
    """Settings layers (config file, flags) and logging for the command's whole run."""
    from pydantic import ValidationError  # noqa: PLC0415

    from arc_ttt.cli.origin import log_sources  # noqa: PLC0415
    from arc_ttt.settings import Settings, settings_layers  # noqa: PLC0415

    for name in ("config", "set", "verbose"):  # reached argparse: an abbreviation we did not take
        if getattr(args, name, None) is not None:
            raise UsageError(f"--{name}: write global options in full")
    if args.command == "solve" and args.resume and (options.config or options.sets):
        given = "--config" if options.config else "--set"
        raise UsageError(f"--resume continues a run with its own settings; drop {given}")
    quiet = bool(getattr(args, "quiet", False))
    if quiet and options.verbose:
        raise UsageError("-q and -v contradict each other; use one")
    lay = args.global_layers
    with settings_layers(config_file=lay.config_path, flags=lay.flags):
        try:
            configured = Settings().log_level
        except ValidationError:
            configured = "WARNING"  # the command reports the bad setting itself
        with cli_logging.configured(cli_logging.level_for(options.verbose, quiet, configured)):
            log_sources(lay)
            yield


def main(argv: Sequence[str] | None = None, *, overrides: Mapping[str, Any] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 failure, 2 usage error).

    ``overrides`` (provider name -> instance) replaces adapters in every container this call
    builds: how tests and embedding programs run the CLI with a model of their own.
    """
    from arc_ttt.container import build_container  # noqa: PLC0415 - keep --help fast

    # The console command's time limits count from the process's start; a call from a program
    # that was already running counts from here.
    start_clock(at_process_start=argv is None)
    try:
        options, rest = cli_config.split_global(sys.argv[1:] if argv is None else argv, UsageError)
        args = _parser().parse_args(rest)
        args.overrides = dict(overrides or {})
        args.global_layers = cli_config.layers(options, UsageError)
        with _configured(args, options):
            container = _apply_overrides(build_container(), args.overrides)
            cli_prompt.fill_dataset(args, lambda: container.catalog().bundled_names(), UsageError)
            return COMMANDS[args.command](args, container)
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
    except BrokenPipeError:
        return _reader_gone()
    except OSError as e:  # a file the command writes or reads: full disk, permissions, ...
        where = f": {e.filename}" if e.filename else ""
        print(f"arc-ttt: error: {e.strerror or e}{where}", file=sys.stderr)
        return EXIT_FAILURE


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell tool cut off by ``| head`` exits with


def _reader_gone() -> int:
    """The reader of stdout went away (``arc-ttt ... | head``): stop quietly, with no
    traceback, and keep the interpreter's last flush from failing on the closed pipe."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
