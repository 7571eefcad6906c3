"""Where each effective setting came from: a flag, an environment variable, the config file or
the default (what ``arc-ttt config show`` prints and ``-v`` logs)."""

from __future__ import annotations

import logging
from typing import Any

import click

from arc_ttt.cli.layers import Layers, flatten

log = logging.getLogger(__name__)


def origins(lay: Layers) -> dict[str, dict[str, Any]]:
    """Dotted key -> {value, source (default|config|env|flag), from (file, variable or flag)}.

    Builds the settings as every command does (inside ``settings_layers``); a bad environment
    variable raises a usage error naming it.
    """
    from pydantic import ValidationError  # noqa: PLC0415
    from pydantic_settings import EnvSettingsSource  # noqa: PLC0415

    from arc_ttt.settings import Settings  # noqa: PLC0415

    env = EnvSettingsSource(Settings)
    env_values = flatten(env())
    file_values = flatten(lay.file_values)
    flag_values = flatten(lay.flags)
    try:
        effective = flatten(Settings().model_dump(mode="json"))
    except ValidationError as e:
        err = e.errors()[0]
        dotted = ".".join(str(x) for x in err["loc"])
        where = _env_name(env.env_vars, dotted) if dotted in env_values else dotted
        raise click.UsageError(f"{where}: {err['msg']}") from e
    rows: dict[str, dict[str, Any]] = {}
    for key, value in effective.items():
        if key in flag_values:
            source, origin = "flag", _flag_name(lay, key)
        elif key in env_values:
            source, origin = "env", _env_name(env.env_vars, key)
        elif key in file_values:
            source, origin = "config", str(lay.config_path)
        else:
            source, origin = "default", None
        rows[key] = {"value": value, "source": source, "from": origin}
    return rows


def _flag_name(lay: Layers, key: str) -> str:
    # A --set of a whole section (--set 'ttt={"steps": 3}') names the section.
    return lay.flag_names.get(key) or next(
        (n for k, n in lay.flag_names.items() if key.startswith(k + ".")), "--set"
    )


def _env_name(env_vars: Any, dotted: str) -> str:
    """The variable that set ``dotted``: ARC_TTT_TTT__STEPS, or a whole section's ARC_TTT_TTT."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        name = "ARC_TTT_" + "__".join(parts[:n]).upper()
        if name.lower() in env_vars or name in env_vars:
            return name
    return "ARC_TTT_" + "__".join(parts).upper()


def log_sources(lay: Layers) -> None:
    """INFO: how many settings each source gave; DEBUG: each value not at its default."""
    if not log.isEnabledFor(logging.INFO):
        return
    try:
        rows = origins(lay)
    except click.UsageError as e:
        log.info("settings not readable yet: %s", e)
        return
    counts: dict[str, int] = {}
    for row in rows.values():
        counts[row["source"]] = counts.get(row["source"], 0) + 1
    config = f" ({lay.config_path})" if lay.config_path else ""
    log.info(
        "settings: %d from flags, %d from the environment, %d from the config file%s, %d defaults",
        *(counts.get(s, 0) for s in ("flag", "env", "config")),
        config,
        counts.get("default", 0),
    )
    for key, row in rows.items():
        if row["source"] != "default":
            log.debug("setting %s = %r (%s %s)", key, row["value"], row["source"], row["from"])
