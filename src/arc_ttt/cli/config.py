"""Global options (``--config FILE``, ``--set KEY=VALUE``, ``-v``) and ``arc-ttt config show``.

Settings come from, highest first: flags, ``ARC_TTT_*`` environment variables, the ``--config``
TOML file, defaults. Global options may stand before or after the subcommand, so they are taken
out of the argument list before argparse sees it.
"""

from __future__ import annotations

import argparse
import difflib
import json
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

EXAMPLES = (
    "examples: arc-ttt config show --config run.toml | "
    "ARC_TTT_TTT__STEPS=32 arc-ttt config show --json | arc-ttt --set decode.views=8 config show"
)
VERBOSITY = {"-v": 1, "--verbose": 1, "-vv": 2, "-vvv": 2}


@dataclass
class GlobalOptions:
    """The global options of one command line; ``config`` as the user wrote it."""

    config: str | None = None
    verbose: int = 0
    sets: list[str] = field(default_factory=list)


def split_global(
    argv: Sequence[str], usage_error: type[Exception]
) -> tuple[GlobalOptions, list[str]]:
    """Take the global options out of ``argv`` wherever they stand (up to a ``--``)."""
    options, rest = GlobalOptions(), []
    tokens = iter(argv)
    for token in tokens:
        if token == "--":
            rest += [token, *tokens]
            break
        name, eq, value = token.partition("=")
        if name in ("--config", "--set"):
            if not eq:
                value = next(tokens, "")
            if not value or value.startswith("-"):
                raise usage_error(
                    f"{name}: expected a {'FILE' if name == '--config' else 'KEY=VALUE'}"
                )
            if name == "--config":
                if options.config is not None:
                    raise usage_error("--config: given twice; settings come from one file")
                options.config = value
            else:
                options.sets.append(value)
        elif token in VERBOSITY:
            options.verbose = min(2, options.verbose + VERBOSITY[token])
        else:
            rest.append(token)
    return options, rest


def add_global_help(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """List the global options in ``parser``'s help (and its sub-commands'); parsing is ours."""
    group = parser.add_argument_group("global options (before or after the command)")
    default = None if top else argparse.SUPPRESS
    group.add_argument("--config", metavar="FILE", default=default, help="TOML settings file")
    group.add_argument(
        "--set", metavar="KEY=VALUE", default=default, help="one setting, e.g. ttt.steps=32"
    )
    group.add_argument(
        "-v", "--verbose", action="count", default=default, help="-v: info, -vv: debug logging"
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                add_global_help(child)


def add_parser(sub: Any) -> None:
    c = sub.add_parser(
        "config",
        help="show the effective settings and where each comes from",
        description="Show every setting: its value and its source (default, config file, "
        "environment variable or flag). Precedence: flags > ARC_TTT_* > --config FILE > defaults.",
        epilog=EXAMPLES,
    )
    actions = c.add_subparsers(dest="action", metavar="ACTION", parser_class=type(c))
    actions.required = True
    show = actions.add_parser(
        "show",
        help="every effective setting with its source",
        description="Every effective setting with its source.",
        epilog=EXAMPLES,
    )
    show.add_argument("--json", action="store_true", help="print JSON on stdout")


@dataclass(frozen=True)
class Layers:
    """The validated sources below the arguments: config file (path as given, resolved, its
    values) and flag values (with the flag that set each dotted key)."""

    config: str | None
    config_path: Path | None
    file_values: Mapping[str, Any]
    flags: Mapping[str, Any]
    flag_names: Mapping[str, str]


def layers(options: GlobalOptions, usage_error: type[Exception]) -> Layers:
    """Read and check ``--config`` and ``--set``; a problem raises ``usage_error`` naming the
    file (or flag) and the key."""
    file_values: dict[str, Any] = {}
    path = None
    if options.config is not None:
        path = Path(options.config).expanduser().resolve()
        if not path.is_file():
            raise usage_error(f"--config: file {options.config!r} does not exist")
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise usage_error(f"{options.config}: not valid TOML: {e}") from e
        problem = first_problem(file_values)
        if problem:
            raise usage_error(f"{options.config}: {problem[0]}: {problem[1]}")
    flags: dict[str, Any] = {}
    names: dict[str, str] = {}
    for item in options.sets:
        key, eq, text = item.partition("=")
        if not eq or not key:
            raise usage_error(f"--set: expected KEY=VALUE, got {item!r}")
        _put(flags, key.strip(), _value(text))
        names[key.strip()] = f"--set {item}"
    if options.verbose:
        flags["log_level"] = "DEBUG" if options.verbose > 1 else "INFO"
        names["log_level"] = "-vv" if options.verbose > 1 else "-v"
    problem = first_problem(flags)
    if problem:
        key = problem[0]
        flag = next((n for k, n in names.items() if key == k or key.startswith(k + ".")), None)
        flag = flag or next((n for k, n in names.items() if k.startswith(key + ".")), "--set")
        raise usage_error(f"{flag}: {key}: {problem[1]}")
    return Layers(options.config, path, file_values, flags, names)


def _value(text: str) -> Any:
    # JSON where it parses (32, 0.5, true, null, ["a"]), else the text itself (auto, cuda,cpu).
    try:
        return json.loads(text)
    except ValueError:
        return text


def _put(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *sections, name = dotted.split(".")
    for s in sections:
        tree = tree.setdefault(s, {})
    tree[name] = value


def first_problem(values: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first unknown key or bad value in ``values`` (nested like ``Settings``), checked alone:
    (dotted key, message), or ``None``."""
    from pydantic import TypeAdapter, ValidationError  # noqa: PLC0415

    from arc_ttt.settings import Settings  # noqa: PLC0415

    for key, value in values.items():
        info = Settings.model_fields.get(key)
        if info is None:
            return key, _unknown(key)
        try:
            kind: Any = info.annotation
            if info.metadata:  # constraints of a top-level field (``gt=0``)
                kind = Annotated[(kind, *info.metadata)]
            TypeAdapter(kind).validate_python(value)
        except ValidationError as e:
            err = e.errors()[0]
            dotted = ".".join([key, *(str(x) for x in err["loc"])])
            return dotted, _unknown(dotted) if err["type"] == "extra_forbidden" else err["msg"]
    return None


def _unknown(dotted: str) -> str:
    close = difflib.get_close_matches(dotted, list(default_values()), n=1)
    return "unknown setting" + (f" (did you mean {close[0]}?)" if close else "")


def default_values() -> dict[str, Any]:
    from arc_ttt.settings import Settings  # noqa: PLC0415

    return flatten(Settings.model_construct().model_dump(mode="json"))


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
