"""Use case: find one task, and draw it as a picture."""

from __future__ import annotations

from arc_ttt.domain.picture import FORMATS, task_raster, task_svg
from arc_ttt.domain.task import Task
from arc_ttt.ports.picture import PngEncoder
from arc_ttt.ports.task_source import TaskCatalog

__all__ = ["FORMATS", "find_task", "render_task"]


def find_task(
    catalog: TaskCatalog, dataset: str, task_id: str, solutions: str | None = None
) -> Task:
    """The task ``task_id`` of ``dataset``; raises ``UnknownTaskError`` / ``UnknownDatasetError``."""
    return catalog.open(dataset, solutions).load().get(task_id)


def render_task(task: Task, fmt: str, *, png: PngEncoder) -> bytes:
    """The task as PNG (through ``png``) or SVG (UTF-8) bytes; ``ValueError`` listing the valid
    formats for another."""
    if fmt == "png":
        return png.encode(task_raster(task))
    if fmt == "svg":
        return task_svg(task).encode("utf-8")
    raise ValueError(f"unknown picture format {fmt!r}; use one of {', '.join(FORMATS)}")
