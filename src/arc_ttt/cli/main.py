"""The ``arc-ttt`` command line on click: the root group, its commands, and the exit codes
(0 ok, 1 failure, 2 usage error, 128 + N after signal N, 141 when the reader of stdout left)."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from arc_ttt import __version__
from arc_ttt.cli import (
    checkpoints,
    config,
    data,
    evaluate,
    explain,
    inference,
    kaggle,
    models,
    runs,
)
from arc_ttt.cli.invocation import Invocation, global_options
from arc_ttt.cli.pretrain import pretrain_command
from arc_ttt.cli.process_clock import start_clock
from arc_ttt.cli.solve_command import solve_command

EXIT_INTERRUPTED = 130  # 128 + SIGINT


@click.group(
    "arc-ttt",
    help="Test-time training and program search for ARC-AGI puzzles. Settings: flags > "
    "ARC_TTT_* environment variables > --config FILE (TOML) > defaults; see arc-ttt config show.",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="arc-ttt", message="%(prog)s %(version)s")
@global_options
def app() -> None:
    pass


for command in (
    data.datasets_command,
    data.show_command,
    data.score_command,
    solve_command,
    evaluate.evaluate_command,
    explain.explain_command,
    runs.report_command,
    runs.compare_command,
    runs.export_results_command,
    checkpoints.checkpoints_group,
    pretrain_command,
    models.export_command,
    models.optimize_command,
    inference.infer_command,
    inference.compare_models_command,
    kaggle.kaggle_command,
    config.config_group,
):
    app.add_command(command)


def main(argv: Sequence[str] | None = None, *, overrides: Mapping[str, Any] | None = None) -> int:
    """Entry point; returns the exit code.

    ``overrides`` (provider name -> instance) replaces adapters in the process's container:
    how tests and embedding programs run the CLI with a model of their own.
    """
    # The console command's time limits count from the process's start; a call from a program
    # that was already running counts from here.
    start_clock(at_process_start=argv is None)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = app.main(
            args,
            prog_name="arc-ttt",
            standalone_mode=False,
            obj=Invocation(overrides=dict(overrides or {}), argv=tuple(args)),
        )
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.Abort as e:  # Ctrl-C (click turns KeyboardInterrupt and EOF into Abort)
        if isinstance(e.__cause__, KeyboardInterrupt):
            print("arc-ttt: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        print("arc-ttt: aborted", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
