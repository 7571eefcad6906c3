"""What ``arc-ttt solve`` and ``arc-ttt evaluate`` share: the solver's flags, settings built from
flags, and one run of the solver into a run folder (settings.json, environment.json, then
submission.json, results.jsonl and metrics.json)."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.cli.process_clock import command_age

# flag (click parameter name) -> (settings section, field); builds settings and names a bad flag.
SOLVER_FLAGS: dict[str, tuple[str | None, str]] = {
    "model": ("model", "path"),
    "format": ("model", "format"),
    "ttt": ("ttt", "mode"),
    "method": ("ttt", "method"),
    "steps": ("ttt", "steps"),
    "views": ("decode", "views"),
    "strategy": ("decode", "strategy"),
    "engine": ("inference", "engine"),
    "sources": (None, "sources"),
    "candidates": (None, "candidates"),
    "cache_store": (None, "cache_store"),
}
log = logging.getLogger(__name__)


def check_source_flags(args: SimpleNamespace) -> None:
    """``--candidates FILE`` must exist (made absolute, so a resumed run finds it); without
    ``--sources`` it adds ``file`` before the default sources; ``--sources ...file`` needs it."""
    from arc_ttt.settings import Settings  # noqa: PLC0415

    if args.candidates is not None:
        path = Path(args.candidates).expanduser()
        if not path.is_file():
            raise click.UsageError(f"--candidates: file {args.candidates!r} does not exist")
        args.candidates = str(path.resolve())
        if args.sources is None:
            defaults = Settings.model_fields["sources"].default
            args.sources = ("file", *(n for n in defaults if n != "file"))
        elif "file" not in args.sources:
            raise click.UsageError(
                "--candidates: add file to --sources (e.g. --sources file,search)"
            )
    elif args.sources is not None and "file" in args.sources:
        raise click.UsageError("--sources file: give the file with --candidates FILE")


def settings_from_flags(
    args: SimpleNamespace,
    flags: Mapping[str, tuple[str | None, str]],
    *,
    fixed: Mapping[tuple[str | None, str], tuple[str, Any]] | None = None,
) -> Any:
    """Settings from the given flags (environment, config file and defaults below them).

    ``fixed``: (section, field) -> (flag, value) for values the command derives from a flag
    (evaluate's budget from ``--time-per-task``). A bad value raises a usage error naming its
    flag, or its ``ARC_TTT_*`` variable when no flag set it.
    """
    from pydantic import ValidationError  # noqa: PLC0415

    from arc_ttt.settings import Settings  # noqa: PLC0415

    named: dict[tuple[str | None, str], str] = {}
    overrides: dict[str, Any] = {}
    given = [(loc, dest, getattr(args, dest)) for dest, loc in flags.items()]
    given += [(loc, flag, value) for loc, (flag, value) in (fixed or {}).items()]
    for (section, name), flag, value in given:
        named[(section, name)] = flag
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
        if not loc:  # a check across fields: its message names them
            raise click.UsageError(str(first["msg"]).removeprefix("Value error, ")) from e
        flag = named.get((loc[0], loc[1]) if len(loc) > 1 else (None, loc[0]))
        where = f"--{flag.replace('_', '-')}" if flag else "ARC_TTT_" + "__".join(loc).upper()
        raise click.UsageError(f"{where}: {first['msg']}") from e


@contextlib.contextmanager
def resume_hint(hint: str) -> Iterator[None]:
    """A run folder or cache that could not be written (full disk, permissions) ends the run
    with its reason and ``hint``: how to go on once it can be written (what is done is kept)."""
    from arc_ttt.domain.errors import (  # noqa: PLC0415
        ArcTTTError,
        RunFolderWriteError,
        StoreUnavailableError,
    )

    try:
        yield
    except (StoreUnavailableError, RunFolderWriteError) as e:
        raise ArcTTTError(
            f"{e}; the tasks done so far are kept: once it can be written, {hint}"
        ) from e


def solve_into(
    container: Any,
    out: Path,
    tasks: Sequence[Any],
    settings: Any,
    *,
    run_settings: Mapping[str, Any],
    args: SimpleNamespace,
) -> tuple[Any, Any]:
    """Solve ``tasks`` with ``settings`` into the run folder ``out``, with ``container`` (the
    process's one, given the run's settings here): writes settings.json
    (``run_settings`` then every setting) and environment.json first, keeps each task's
    candidates in ``out/cache`` (a stopped run resumes), samples peak memory every 0.25 s.

    Returns ``(report, run_folder)``; ``run_folder`` is None in every process but the main one
    (under ``accelerate launch``), and the caller writes the report into it.
    """
    from arc_ttt.application.sharding import solve_sharded  # noqa: PLC0415
    from arc_ttt.container import use_settings  # noqa: PLC0415
    from arc_ttt.domain.errors import InvalidStoreUrlError  # noqa: PLC0415

    recorded = {**run_settings, **settings.model_dump()}  # the cache's default stays RUN/cache
    if settings.cache_store is None:
        settings = settings.model_copy(update={"cache_store": str(out / "cache")})
    use_settings(container, settings)  # the process's one container, now with the run's settings
    interactive = sys.stderr.isatty() and "NO_COLOR" not in os.environ
    container.progress.override(
        container.progress_display(quiet=args.quiet, interactive=interactive)
    )
    # Under accelerate launch: each process solves its share, the main one writes the run.
    group = container.processes()
    if group.size > 1 and settings.ttt.mode == "shared":
        raise click.UsageError(
            f"--ttt shared runs in one process, not {group.size}: drop the launcher"
        )
    main = group.rank == 0
    run = container.run_folder(out)
    if main:
        run.claim()  # a second process writing this folder is refused
    try:
        container.solve_cache()
    except InvalidStoreUrlError as e:
        raise click.UsageError(f"--cache-store: {e}") from e
    if main:
        run.write_settings(recorded)
    stop, sampler = container.stop_requested(), container.peaks()
    options = _after_startup(container.solve_options())
    with stop.installed(), sampler:
        report = solve_sharded(container.ensemble(), list(tasks), options, group)
    return report, run if main else None


def _after_startup(options: Any) -> Any:
    """``options`` with the time limit counted from the process's start (``Budget.after_startup``)."""
    from dataclasses import replace  # noqa: PLC0415

    from arc_ttt.application.solve_options import end_reserve  # noqa: PLC0415

    limit = options.budget.total_seconds
    if limit is None:
        return options
    spent = command_age()
    budget = options.budget.after_startup(spent)
    log.info(
        "time limit %g s: %.1f s went to start-up, %.1f s are kept for writing the results, "
        "%.1f s are left to solve",
        limit,
        spent,
        end_reserve(limit),
        budget.total_seconds,
    )
    return replace(options, budget=budget)
