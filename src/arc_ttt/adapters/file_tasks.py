"""Tasks from files: a folder of per-task JSON files, or a Kaggle challenges (+ solutions) file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from arc_ttt.domain.arc_json import parse_json_text, parse_task, parse_task_collection
from arc_ttt.domain.errors import InvalidTaskError, UnknownDatasetError
from arc_ttt.domain.task import Task, TaskCollection


class JsonDirectoryTaskSource:
    """Every ``*.json`` file in a folder (recursively) is one task; its id is the file's stem."""

    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise UnknownDatasetError(f"{root}: not a folder of task JSON files")
        self._root = root

    @property
    def name(self) -> str:
        return str(self._root)

    def load(self) -> TaskCollection:
        tasks: list[Task] = []
        problems: list[InvalidTaskError] = []
        for path in sorted(self._root.rglob("*.json")):
            try:
                tasks.append(_read_task_file(path))
            except InvalidTaskError as e:
                problems.append(e)
        return TaskCollection(self.name, tuple(tasks), tuple(problems))


class JsonFileTaskSource:
    """One task in one ARC JSON file."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def name(self) -> str:
        return str(self._path)

    def load(self) -> TaskCollection:
        try:
            return TaskCollection(self.name, (_read_task_file(self._path),))
        except InvalidTaskError as e:
            return TaskCollection(self.name, (), (e,))


class KaggleTaskSource:
    """A Kaggle ``*_challenges.json`` file (``{id: task}``), with an optional ``*_solutions.json``."""

    def __init__(self, challenges: Path, solutions: Path | None = None) -> None:
        self._challenges = challenges
        self._solutions = solutions

    @property
    def name(self) -> str:
        return str(self._challenges)

    def load(self) -> TaskCollection:
        challenges = read_json(self._challenges)
        solutions = read_json(self._solutions) if self._solutions is not None else None
        return parse_task_collection(
            challenges,
            name=self.name,
            source=str(self._challenges),
            solutions=solutions,
            solutions_source=str(self._solutions or ""),
        )


def read_json(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidTaskError(f"cannot read: {e.strerror or e}", source=str(path)) from e
    return parse_json_text(data, source=str(path))


def _read_task_file(path: Path) -> Task:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InvalidTaskError(
            f"cannot read: {e.strerror or e}", source=str(path), task_id=path.stem
        ) from e
    obj = parse_json_text(data, source=str(path), task_id=path.stem)
    return parse_task(obj, task_id=path.stem, source=str(path))


def is_single_task(obj: Any) -> bool:
    """True for one ARC task object, False for a Kaggle ``{id: task}`` mapping."""
    return isinstance(obj, dict) and "train" in obj and "test" in obj
