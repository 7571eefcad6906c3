"""A run folder on disk: settings, submission, per-task results and metrics, written atomically."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from arc_ttt.domain.errors import RunFolderInUseError, RunFolderWriteError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, folders are not claimed
    fcntl = None  # type: ignore[assignment]

LOCK = ".lock"
_held: dict[Path, int] = {}  # folders this process claimed: path -> open lock file


class RunFolder:
    """Writes settings.json, environment.json, submission.json, results.jsonl and metrics.json."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise RunFolderWriteError(f"run folder {path}: {e.strerror or e}") from e

    def claim(self) -> None:
        """Hold the folder for this process until it exits (the OS drops the lock then, even on
        SIGKILL): a second process that claims it gets ``RunFolderInUseError`` naming the holder,
        so two runs never write one folder. Claiming again in the same process is harmless."""
        key = self.path.resolve()
        if fcntl is None or key in _held:
            return
        fd = os.open(key / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise RunFolderInUseError(
                f"run folder {self.path} is in use by another arc-ttt process (pid {holder}); "
                "wait for it to end, or write to another --out"
            ) from e
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        _held[key] = fd

    def write_settings(self, settings: dict[str, Any]) -> None:
        _write_json(self.path / "settings.json", settings)
        _write_json(self.path / "environment.json", environment())

    def write_report(
        self,
        *,
        submission: Mapping[str, Any],
        results: Iterable[Mapping[str, Any]],
        metrics: Mapping[str, Any],
    ) -> None:
        """A finished run's files, from its records (``application.run_record.run_files``):
        submission.json, results.jsonl (one task per line) and metrics.json."""
        _write_json(self.path / "submission.json", dict(submission))
        lines = "".join(json.dumps(dict(r)) + "\n" for r in results)
        _write_text(self.path / "results.jsonl", lines)
        _write_json(self.path / "metrics.json", dict(metrics))


def environment() -> dict[str, Any]:
    """Versions and machine, so a figure can be traced to where it came from."""
    versions = {}
    for dist in (
        "arc-ttt",
        "torch",
        "peft",
        "accelerate",
        "transformers",
        "onnxruntime-gpu",
        "numpy",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
    }


def _write_json(path: Path, obj: Any) -> None:
    _write_text(path, json.dumps(obj, indent=2) + "\n")


def _write_text(path: Path, text: str) -> None:
    """Write then rename: a killed run, or a full disk, never leaves a half-written file (the
    earlier version stays); an ``OSError`` becomes ``RunFolderWriteError`` naming the file."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise RunFolderWriteError(f"writing {path}: {e.strerror or e}") from e
