"""How long this process has been running: a command's time limit counts from the process's
start, so imports and loading the tasks and the model are inside it, not before it."""

from __future__ import annotations

import time

import psutil


def process_age() -> float:
    """Seconds since the operating system started this process (0 if it cannot say)."""
    try:
        return max(time.time() - psutil.Process().create_time(), 0.0)
    except (psutil.Error, OSError):
        return 0.0
