"""Where tasks come from."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from arc_ttt.domain.task import TaskCollection


@runtime_checkable
class TaskSource(Protocol):
    """A named collection of ARC tasks (a bundled dataset, a folder, a Kaggle file, a list).

    ``load`` returns every task that is valid, sorted by id, and one ``InvalidTaskError`` in
    ``problems`` per task that is not; one bad task never hides the good ones. It raises
    ``ArcTTTError`` only when nothing can be read at all (e.g. the folder does not exist).
    Loading twice gives equal collections.
    """

    @property
    def name(self) -> str: ...

    def load(self) -> TaskCollection: ...


@runtime_checkable
class TaskCatalog(Protocol):
    """Resolves what a user typed (``arc-agi-1/evaluation``, a folder, a file) into a ``TaskSource``.

    ``open`` raises ``UnknownDatasetError`` listing the bundled names when ``spec`` is neither a
    bundled name nor an existing path. ``solutions`` names an optional Kaggle solutions file.
    """

    def bundled_names(self) -> list[str]: ...

    def open(self, spec: str, solutions: str | None = None) -> TaskSource: ...
