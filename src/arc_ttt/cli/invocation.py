"""One ``arc-ttt`` command's run on click: the global options (``--config``, ``--set``, ``-v``,
before or after the command), the settings layers and logging around the command, the process's
container, and the translation of the library's errors into click's (exit 2 for usage, 1 for a
failure).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

import click

from arc_ttt.cli import log_setup
from arc_ttt.cli.layers import GlobalOptions, layers
from arc_ttt.cli.origin import log_sources
from arc_ttt.cli.prompt import fill_dataset
from arc_ttt.domain.errors import ArcTTTError, UnknownDatasetError, UnknownTaskError

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell tool cut off by ``| head`` exits with
F = TypeVar("F", bound=Callable[..., Any])
Handler = Callable[[SimpleNamespace, Any], int]


@dataclass
class Invocation:
    """What the whole command line shares: the global options (wherever they stood) and the
    adapters a test or an embedding program put in place of the container's."""

    options: GlobalOptions = field(default_factory=GlobalOptions)
    overrides: Mapping[str, Any] = field(default_factory=dict)
    argv: tuple[str, ...] = ()  # the command line as given (a command may run itself again)


def _invocation(ctx: click.Context) -> Invocation:
    root = ctx.find_root()
    if not isinstance(root.obj, Invocation):
        root.obj = Invocation()
    return root.obj


def _config(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    options = _invocation(ctx).options
    for path in value:
        if path.startswith("-"):
            raise click.BadParameter(f"expected a FILE, got {path!r}", ctx, param)
        if options.config is not None:
            raise click.BadParameter("given twice; settings come from one file", ctx, param)
        options.config = path


def _sets(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    for item in value:
        if item.startswith("-"):
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", ctx, param)
    _invocation(ctx).options.sets.extend(value)


def _verbose(ctx: click.Context, param: click.Parameter, value: int) -> None:
    options = _invocation(ctx).options
    options.verbose = min(2, options.verbose + value)


def global_options(f: F) -> F:
    """``--config FILE``, ``--set KEY=VALUE`` and ``-v``/``-vv`` on the group and each command,
    so they may stand before or after the command name."""
    for decorator in (
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_verbose,
            help="-v: info, -vv: debug logging (global)",
        ),
        click.option(
            "--set",
            "sets",
            multiple=True,
            metavar="KEY=VALUE",
            expose_value=False,
            callback=_sets,
            help="one setting, e.g. ttt.steps=32; repeatable (global)",
        ),
        click.option(
            "--config",
            multiple=True,
            metavar="FILE",
            expose_value=False,
            callback=_config,
            help="TOML settings file (global)",
        ),
    ):
        f = decorator(f)
    return f


def exclusive(args: SimpleNamespace, *names: str) -> None:
    """At most one of the flags ``names`` (click has no mutually exclusive groups)."""
    given = [f"--{n.replace('_', '-')}" for n in names if getattr(args, n) not in (None, False)]
    if len(given) > 1:
        raise click.UsageError(f"{' and '.join(given)}: give one of them, not both")


def run(ctx: click.Context, handler: Handler, params: Mapping[str, Any]) -> int:
    """Run ``handler(args, container)`` for the command of ``ctx`` with its ``params``, inside
    the settings layers and logging of this command line; its exit code."""
    from arc_ttt.container import build_container  # noqa: PLC0415 - keep --help fast

    invocation = _invocation(ctx)
    args = SimpleNamespace(
        command=ctx.info_name,
        options=invocation.options,
        overrides=dict(invocation.overrides),
        argv=list(invocation.argv),
        **params,
    )
    try:
        args.global_layers = layers(invocation.options)
        with _configured(args):
            container = build_container()
            for name, instance in args.overrides.items():
                getattr(container, name).override(instance)
            fill_dataset(args, lambda: container.catalog().bundled_names())
            return handler(args, container)
    except (UnknownDatasetError, UnknownTaskError) as e:
        raise click.UsageError(str(e)) from e
    except ArcTTTError as e:
        raise click.ClickException(str(e)) from e
    except BrokenPipeError:
        return _reader_gone()
    except OSError as e:  # a file the command writes or reads: full disk, permissions, ...
        where = f": {e.filename}" if e.filename else ""
        raise click.ClickException(f"{e.strerror or e}{where}") from e


@contextlib.contextmanager
def _configured(args: SimpleNamespace) -> Iterator[None]:
    """Settings layers (config file, flags) and logging for the command's whole run."""
    from pydantic import ValidationError  # noqa: PLC0415

    from arc_ttt.settings import Settings, settings_layers  # noqa: PLC0415

    options = args.options
    quiet = bool(getattr(args, "quiet", False))
    if quiet and options.verbose:
        raise click.UsageError("-q and -v contradict each other; use one")
    lay = args.global_layers
    with settings_layers(config_file=lay.config_path, flags=lay.flags):
        try:
            configured = Settings().log_level
        except ValidationError:
            configured = "WARNING"  # the command reports the bad setting itself
        with log_setup.configured(log_setup.level_for(options.verbose, quiet, configured)):
            log_sources(lay)
            yield


def _reader_gone() -> int:
    """The reader of stdout went away (``arc-ttt ... | head``): stop quietly, with no
    traceback, and keep the interpreter's last flush from failing on the closed pipe."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE
