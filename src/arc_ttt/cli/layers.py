"""The settings layers of one command line: the global options (``--config FILE``, ``--set
KEY=VALUE``, ``-v``) read and checked.

Settings come from, highest first: flags, ``ARC_TTT_*`` environment variables, the ``--config``
TOML file, defaults.
"""

from __future__ import annotations

import difflib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import click


@dataclass
class GlobalOptions:
    """The global options of one command line; ``config`` as the user wrote it."""

    config: str | None = None
    verbose: int = 0
    sets: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Layers:
    """The validated sources below the arguments: config file (path as given, resolved, its
    values) and flag values (with the flag that set each dotted key)."""

    config: str | None
    config_path: Path | None
    file_values: Mapping[str, Any]
    flags: Mapping[str, Any]
    flag_names: Mapping[str, str]


def layers(options: GlobalOptions) -> Layers:
    """Read and check ``--config`` and ``--set``; a problem raises a usage error naming the
    file (or flag) and the key."""
    file_values: dict[str, Any] = {}
    path = None
    if options.config is not None:
        path = Path(options.config).expanduser().resolve()
        if not path.is_file():
            raise click.UsageError(f"--config: file {options.config!r} does not exist")
        try:
            file_values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise click.UsageError(f"{options.config}: not valid TOML: {e}") from e
        problem = first_problem(file_values)
        if problem:
            raise click.UsageError(f"{options.config}: {problem[0]}: {problem[1]}")
    flags: dict[str, Any] = {}
    names: dict[str, str] = {}
    for item in options.sets:
        key, eq, text = item.partition("=")
        if not eq or not key:
            raise click.UsageError(f"--set: expected KEY=VALUE, got {item!r}")
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
        raise click.UsageError(f"{flag}: {key}: {problem[1]}")
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
