"""In-memory task sources: for tests, notebooks and generated tasks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from arc_ttt.domain.errors import UnknownDatasetError
from arc_ttt.domain.task import Task, TaskCollection
from arc_ttt.ports.task_source import TaskSource


class InMemoryTaskSource:
    """Serves a fixed list of tasks under a name."""

    def __init__(self, name: str, tasks: Iterable[Task]) -> None:
        self._name = name
        self._tasks = tuple(tasks)

    @property
    def name(self) -> str:
        return self._name

    def load(self) -> TaskCollection:
        return TaskCollection(self._name, self._tasks)


class InMemoryCatalog:
    """A catalog of named in-memory sources."""

    def __init__(self, sources: Mapping[str, TaskSource]) -> None:
        self._sources = dict(sources)

    def bundled_names(self) -> list[str]:
        return sorted(self._sources)

    def open(self, spec: str, solutions: str | None = None) -> TaskSource:
        try:
            return self._sources[spec]
        except KeyError:
            raise UnknownDatasetError(
                f"unknown dataset {spec!r}; known: {', '.join(self.bundled_names())}"
            ) from None
