"""Use case: render one task as a picture."""

from __future__ import annotations

from arc_ttt.domain.picture import render
from arc_ttt.domain.task import Task
from arc_ttt.ports.task_source import TaskCatalog

FORMATS = ("png", "svg")


def find_task(
    catalog: TaskCatalog, dataset: str, task_id: str, solutions: str | None = None
) -> Task:
    """The task ``task_id`` of ``dataset``; raises ``UnknownTaskError`` / ``UnknownDatasetError``."""
    return catalog.open(dataset, solutions).load().get(task_id)


def render_task(task: Task, fmt: str) -> bytes:
    """The task as PNG or SVG bytes; raises ``ValueError`` for another format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
    return render(task, fmt)
