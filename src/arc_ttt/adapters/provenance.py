"""Where a trained model came from: the package version, the git commit of the code, versions."""

from __future__ import annotations

import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from arc_ttt.adapters.run_folder import environment

_PACKAGE = Path(__file__).resolve().parent.parent  # src/arc_ttt (or site-packages/arc_ttt)


def git_commit(folder: Path | None = None) -> str | None:
    """The commit checked out where the package's source lives (with ``+dirty`` when it has
    uncommitted changes), or None outside a git checkout or without git."""
    where = folder or _PACKAGE
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return f"{commit}+dirty" if dirty.returncode == 0 and dirty.stdout.strip() else commit


def provenance() -> dict[str, Any]:
    """The package version, the git commit (or None) and the environment (versions, machine)."""
    try:
        version: str | None = metadata.version("arc-ttt")
    except metadata.PackageNotFoundError:
        version = None
    return {"package_version": version, "git_commit": git_commit(), **environment()}
