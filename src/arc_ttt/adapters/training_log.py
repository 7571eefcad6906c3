"""Where a pretraining run's metrics and manifest go: files beside the model, or memory (tests).

``FolderTrainingLog`` keeps ``metrics.jsonl`` (one JSON object per line, appended and flushed as
records come) and ``manifest.json`` (replaced whole) in the model folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from arc_ttt.adapters.durable_files import translated, write_atomic
from arc_ttt.domain.checkpoint import JsonValue

METRICS_FILE = "metrics.jsonl"
MANIFEST_FILE = "manifest.json"


def _step(record: Mapping[str, JsonValue]) -> int:
    step = record.get("step")
    if isinstance(step, bool) or not isinstance(step, int):
        raise ValueError(f"a metrics record needs an int 'step', got {step!r}")
    return step


class FolderTrainingLog:
    """``metrics.jsonl`` and ``manifest.json`` in ``folder`` (created when first written)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._last: int | None = None  # the last step appended by this process

    @property
    def metrics_path(self) -> Path:
        return self._folder / METRICS_FILE

    def append(self, record: Mapping[str, JsonValue]) -> None:
        step = _step(record)
        with translated(f"writing {self.metrics_path}"):
            if self._last is None or step <= self._last:
                # First record of this process (or a step back): drop what a stopped run
                # logged past the state it resumes from.
                kept = [r for r in self.records() if _step(r) < step]
                self._rewrite(kept)
            with open(self.metrics_path, "a") as f:
                f.write(json.dumps(record) + "\n")
                f.flush()
        self._last = step

    def restart(self) -> None:
        with translated(f"writing {self.metrics_path}"):
            self._rewrite([])
        self._last = None

    def records(self) -> list[Mapping[str, JsonValue]]:
        try:
            lines = self.metrics_path.read_text().splitlines()
        except FileNotFoundError:
            return []
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a kill
        return records

    def write_manifest(self, manifest: Mapping[str, JsonValue]) -> None:
        with translated(f"writing {self._folder / MANIFEST_FILE}"):
            self._folder.mkdir(parents=True, exist_ok=True)
            text = json.dumps(manifest, indent=2, allow_nan=False) + "\n"
            write_atomic(self._folder / MANIFEST_FILE, text.encode())

    def manifest(self) -> Mapping[str, JsonValue] | None:
        try:
            loaded: Mapping[str, JsonValue] = json.loads((self._folder / MANIFEST_FILE).read_text())
        except FileNotFoundError:
            return None
        return loaded

    def _rewrite(self, records: Sequence[Mapping[str, JsonValue]]) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r) + "\n" for r in records)
        write_atomic(self.metrics_path, text.encode())


class MemoryTrainingLog:
    """Fake: keeps the records and the manifest in lists and a dict."""

    def __init__(self) -> None:
        self._records: list[Mapping[str, JsonValue]] = []
        self._manifest: Mapping[str, JsonValue] | None = None

    def append(self, record: Mapping[str, JsonValue]) -> None:
        step = _step(record)
        self._records = [r for r in self._records if _step(r) < step]
        self._records.append(json.loads(json.dumps(record)))

    def restart(self) -> None:
        self._records = []

    def records(self) -> list[Mapping[str, JsonValue]]:
        return list(self._records)

    def write_manifest(self, manifest: Mapping[str, JsonValue]) -> None:
        self._manifest = json.loads(json.dumps(manifest, allow_nan=False))

    def manifest(self) -> Mapping[str, JsonValue] | None:
        return self._manifest
