"""The ``arc-ttt`` command line: one module per command group.

- ``main``: the parser, global options, exit codes, dispatch and ``solve``'s command;
- ``data``: datasets, show, score;
- ``solve`` (the flags and run folder solve and evaluate share), ``evaluate``, ``explain``;
- ``runs``: report, compare, export-results;
- ``checkpoints``; ``pretrain``;
- ``models``: export, optimize; ``inference``: infer, compare-models; ``model_args``: what the
  model commands share;
- ``config`` and ``origin``: settings layers and where each value came from;
- ``log_setup``, ``prompt``, ``stop``: logging, terminal prompts, the SIGINT/SIGTERM stop.
"""

from arc_ttt.cli.main import main

__all__ = ["main"]
