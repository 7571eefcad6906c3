"""PNG through Pillow: the ``PngEncoder`` port, and PNG bytes of a grid or a task drawn by the
domain's picture rules (``grid_raster``, ``task_raster``)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image as PILImage

from arc_ttt.domain.picture import GridLike, Image, Predictions, TaskLike, grid_raster, task_raster


class PillowPng:
    """8-bit RGB PNG written by Pillow (lossless; Pillow picks the row filters)."""

    def encode(self, rgb: Image) -> bytes:
        array = np.asarray(rgb)
        if array.ndim != 3 or array.shape[2] != 3:
            raise ValueError(f"expected an (H, W, 3) RGB image, got shape {array.shape}")
        if array.dtype != np.uint8:
            raise ValueError(f"expected dtype uint8, got {array.dtype}")
        if array.shape[0] == 0 or array.shape[1] == 0:
            raise ValueError(f"image is empty ({array.shape[0]} x {array.shape[1]})")
        out = io.BytesIO()
        PILImage.fromarray(np.ascontiguousarray(array), mode="RGB").save(out, format="PNG")
        return out.getvalue()


def grid_png(grid: GridLike, cell: int = 20, line: int = 1) -> bytes:
    """PNG bytes of ``grid`` (see ``grid_raster``)."""
    return PillowPng().encode(grid_raster(grid, cell, line))


def task_png(
    task: TaskLike, predictions: Predictions | None = None, cell: int = 16, line: int = 1
) -> bytes:
    """PNG bytes of ``task`` (see ``task_raster``)."""
    return PillowPng().encode(task_raster(task, predictions, cell, line))
