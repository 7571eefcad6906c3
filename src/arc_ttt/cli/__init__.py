"""The ``arc-ttt`` command line: one module per command group.

- ``main``: the parser, global options, exit codes and the data commands (datasets, show,
  score, solve's dispatch);
- ``solve``, ``evaluate``, ``explain``: solving;
- ``runs``: report, compare, export-results;
- ``checkpoints``; ``pretrain``; ``models``: export, optimize, infer, compare-models;
- ``config`` and ``origin``: settings layers and where each value came from;
- ``log_setup``, ``prompt``, ``stop``: logging, terminal prompts, the stop signal.
"""

from arc_ttt.cli.main import main

__all__ = ["main"]
