"""A run folder on disk: settings, submission, per-task results and metrics, written atomically."""

from __future__ import annotations

import json
import os
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from arc_ttt.application.run_record import summary_record, task_record
from arc_ttt.application.solve import SolveReport


class RunFolder:
    """Writes settings.json, environment.json, submission.json, results.jsonl and metrics.json."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def write_settings(self, settings: dict[str, Any]) -> None:
        _write_json(self.path / "settings.json", settings)
        _write_json(self.path / "environment.json", environment())

    def write_report(
        self, report: SolveReport, *, metrics: Mapping[str, Any] | None = None
    ) -> None:
        """``metrics``: what metrics.json holds instead of the report's ``summary_record``."""
        _write_json(self.path / "submission.json", report.submission.to_json())
        lines = "".join(json.dumps(task_record(r)) + "\n" for r in report.results)
        _write_text(self.path / "results.jsonl", lines)
        _write_json(self.path / "metrics.json", dict(metrics or summary_record(report)))


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
    # Write then rename: a killed run never leaves a half-written file behind.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
