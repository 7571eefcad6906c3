"""When a command's time limit started: at the process's start for the ``arc-ttt`` console
command (so imports and loading the tasks and the model count), at the call for a program that
runs ``arc_ttt.cli.main([...])`` in a process of its own that has lived longer."""

from __future__ import annotations

import time

import psutil

_started: float | None = None  # time.monotonic() when the command's clock started


def _process_age() -> float:
    """Seconds since the operating system started this process (0 if it cannot say)."""
    try:
        return max(time.time() - psutil.Process().create_time(), 0.0)
    except (psutil.Error, OSError):
        return 0.0


def start_clock(*, at_process_start: bool) -> None:
    """Start the command's clock now, or back at the process's start."""
    global _started  # noqa: PLW0603 - one command per call of main, one clock for it
    _started = time.monotonic() - (_process_age() if at_process_start else 0.0)


def command_age() -> float:
    """Seconds the command has been running (0 before ``start_clock``)."""
    return 0.0 if _started is None else max(time.monotonic() - _started, 0.0)
