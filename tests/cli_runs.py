"""The installed ``arc-ttt`` run as a subprocess, with a small built-in model (d=32, 2 layers), as
the CLI tests run it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ARC_TTT = shutil.which("arc-ttt")
needs_arc_ttt = pytest.mark.skipif(ARC_TTT is None, reason="arc-ttt is not installed")

# Settings (environment) that make the built-in model small enough for a test.
SMALL_MODEL = {
    "ARC_TTT_MODEL__D_MODEL": "32",
    "ARC_TTT_MODEL__LAYERS": "2",
    "ARC_TTT_MODEL__HEADS": "2",
    "ARC_TTT_MODEL__THREADS": "1",
}


def arc_ttt(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``arc-ttt ARGS`` with the small model; output captured, the exit code left to the caller."""
    assert ARC_TTT is not None
    return subprocess.run(
        [ARC_TTT, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **SMALL_MODEL},
        cwd=cwd,
        timeout=300,
        check=False,
    )
