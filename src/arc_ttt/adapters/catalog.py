"""Resolves a dataset spec: a bundled name, a folder of task files, a task file or a Kaggle file."""

from __future__ import annotations

from pathlib import Path

from arc_ttt.adapters.bundled_tasks import BUNDLED, BundledTaskSource
from arc_ttt.adapters.file_tasks import (
    JsonDirectoryTaskSource,
    JsonFileTaskSource,
    KaggleTaskSource,
    is_single_task,
    read_json,
)
from arc_ttt.domain.errors import UnknownDatasetError
from arc_ttt.ports.task_source import TaskSource


class DatasetCatalog:
    """The real catalog. Relative paths resolve against ``base`` (the working directory)."""

    def __init__(self, base: Path | None = None) -> None:
        self._base = base or Path.cwd()

    def bundled_names(self) -> list[str]:
        return list(BUNDLED)

    def open(self, spec: str, solutions: str | None = None) -> TaskSource:
        if spec in BUNDLED:
            if solutions:
                raise UnknownDatasetError(
                    f"{spec} is bundled with its solutions; drop the solutions file"
                )
            return BundledTaskSource(spec)
        path = (self._base / spec).resolve()
        if path.is_dir():
            return JsonDirectoryTaskSource(path)
        if path.is_file():
            solutions_path = self._solutions_for(path, solutions)
            if solutions_path is None and is_single_task(read_json(path)):
                return JsonFileTaskSource(path)
            return KaggleTaskSource(path, solutions_path)
        raise UnknownDatasetError(
            f"dataset {spec!r} is neither a bundled name ({', '.join(BUNDLED)}) nor an existing path"
        )

    def _solutions_for(self, challenges: Path, solutions: str | None) -> Path | None:
        if solutions:
            path = (self._base / solutions).resolve()
            if not path.is_file():
                raise UnknownDatasetError(f"solutions file {solutions!r} does not exist")
            return path
        # Kaggle ships arc-agi_X_challenges.json beside arc-agi_X_solutions.json: pair them.
        if challenges.name.endswith("_challenges.json"):
            sibling = challenges.with_name(
                challenges.name.replace("_challenges.json", "_solutions.json")
            )
            if sibling.is_file():
                return sibling
        return None
