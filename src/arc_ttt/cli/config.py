"""``arc-ttt config show``: every effective setting, its value and where it came from."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import click

from arc_ttt.cli.invocation import global_options, run
from arc_ttt.cli.options import examples
from arc_ttt.cli.origin import origins
from arc_ttt.cli.tables import print_table

EXAMPLES = examples(
    "examples:",
    "  arc-ttt config show --config run.toml",
    "  ARC_TTT_TTT__STEPS=32 arc-ttt config show --json",
    "  arc-ttt --set decode.views=8 config show",
)


@click.group(
    "config",
    short_help="show the effective settings and where each comes from",
    help="Show every setting: its value and its source (default, config file, environment "
    "variable or flag). Precedence: flags > ARC_TTT_* > --config FILE > defaults.",
    epilog=EXAMPLES,
)
@global_options
def config_group() -> None:
    pass


@config_group.command("show", help="Every effective setting with its source.", epilog=EXAMPLES)
@click.option("--json", is_flag=True, help="print JSON on stdout")
@global_options
@click.pass_context
def show_command(ctx: click.Context, **params: Any) -> int:
    return run(ctx, show, params)


def show(args: SimpleNamespace, container: object) -> int:
    """``arc-ttt config show``: every setting, its value and its source."""
    lay = args.global_layers
    rows = origins(lay)
    if args.json:
        print(
            json.dumps(
                {"config_file": lay.config and str(lay.config_path), "settings": rows}, indent=2
            )
        )
        return 0
    print_table(
        ("setting", "value", "source"),
        [
            (
                key,
                json.dumps(row["value"]),
                row["source"] if row["source"] == "default" else f"{row['source']} {row['from']}",
            )
            for key, row in rows.items()
        ],
    )
    return 0
