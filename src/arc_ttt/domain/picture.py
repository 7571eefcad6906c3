"""Pictures of grids and tasks: the palette, the layout, RGB rasters and SVG text.

Pure Python and numpy: the domain keeps what a picture shows and where; turning a raster into
PNG bytes is an adapter's job (``arc_ttt.adapters.png``, Pillow, behind the ``PngEncoder``
port). A notebook shows a ``Grid`` or ``Task`` through its SVG. This module needs only the shape of a grid and
of a task (``GridLike``, ``TaskLike``), so ``Grid`` and ``Task`` import it and not the other way
round. A task is drawn as columns: one per
demonstration (input over output), then one per test input (input, expected output when
known, then each predicted attempt framed green when right and red when wrong).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt


class GridLike(Protocol):
    """What a picture reads of a grid (``Grid`` has it): its cells, compared by value."""

    @property
    def cells(self) -> npt.NDArray[np.uint8]: ...

    @property
    def shape(self) -> tuple[int, int]: ...

    @property
    def height(self) -> int: ...

    @property
    def width(self) -> int: ...


class ExampleLike(Protocol):
    @property
    def input(self) -> GridLike: ...

    @property
    def output(self) -> GridLike: ...


class TaskLike(Protocol):
    """What a picture reads of a task (``Task`` has it)."""

    @property
    def id(self) -> str: ...

    @property
    def train(self) -> Sequence[ExampleLike]: ...

    @property
    def test_inputs(self) -> Sequence[GridLike]: ...

    @property
    def test_outputs(self) -> Sequence[GridLike] | None: ...


Image = npt.NDArray[np.uint8]
Predictions = Sequence[Sequence[GridLike | None]]

PALETTE: tuple[str, ...] = (
    "#000000",
    "#0074D9",
    "#FF4136",
    "#2ECC40",
    "#FFDC00",
    "#AAAAAA",
    "#F012BE",
    "#FF851B",
    "#7FDBFF",
    "#870C25",
)
GRID_LINE = "#555555"
BACKGROUND = "#FFFFFF"
RIGHT = "#2ECC40"
WRONG = "#FF4136"
FRAME = 3  # px of the right/wrong frame; every panel reserves it so grids stay aligned
FORMATS = ("png", "svg")
_FONT = 12


def _rgb(hex_color: str) -> tuple[int, int, int]:
    value = int(hex_color.lstrip("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def palette_rgb() -> Image:
    """The ARC palette as a ``(10, 3)`` uint8 array; row ``k`` is the RGB of color ``k``."""
    return np.array([_rgb(c) for c in PALETTE], dtype=np.uint8)


def _check_sizes(cell: int, line: int) -> None:
    if cell < 1:
        raise ValueError(f"cell must be >= 1 pixel, got {cell}")
    if line < 0:
        raise ValueError(f"line must be >= 0 pixels, got {line}")


def _grid_size(grid: GridLike, cell: int, line: int) -> tuple[int, int]:
    """(width, height) in pixels: cells plus a grid line around and between them."""
    height, width = grid.shape
    return width * cell + (width + 1) * line, height * cell + (height + 1) * line


def grid_raster(grid: GridLike, cell: int = 20, line: int = 1) -> Image:
    """An ``(H, W, 3)`` uint8 RGB image of ``grid``: ``cell`` px squares, ``line`` px grid lines.

    Raises ``ValueError`` when ``cell < 1`` or ``line < 0``.
    """
    _check_sizes(cell, line)
    width, height = _grid_size(grid, cell, line)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = _rgb(GRID_LINE)
    colors = palette_rgb()[grid.cells]
    blocks = np.repeat(np.repeat(colors, cell, axis=0), cell, axis=1)
    # pixel k of the cell blocks lands after the lines before it: one per cell boundary crossed
    ys = line + np.arange(grid.height * cell) + (np.arange(grid.height * cell) // cell) * line
    xs = line + np.arange(grid.width * cell) + (np.arange(grid.width * cell) // cell) * line
    image[ys[:, None], xs[None, :]] = blocks
    return image


@dataclass(frozen=True)
class _Panel:
    grid: GridLike
    label: str
    right: bool | None = None  # None: nothing to compare with, so no frame
    x: int = 0
    y: int = 0  # top-left corner of the grid itself, inside the frame


def _columns(task: TaskLike, predictions: Predictions | None) -> list[list[_Panel]]:
    if predictions is not None and len(predictions) != len(task.test_inputs):
        raise ValueError(
            f"predictions has {len(predictions)} entries for {len(task.test_inputs)} test inputs"
        )
    columns = [
        [_Panel(ex.input, f"demo {i}"), _Panel(ex.output, "output")]
        for i, ex in enumerate(task.train, start=1)
    ]
    for i, test_input in enumerate(task.test_inputs):
        expected = task.test_outputs[i] if task.test_outputs is not None else None
        column = [_Panel(test_input, f"test {i + 1}")]
        if expected is not None:
            column.append(_Panel(expected, "expected"))
        attempts = predictions[i] if predictions is not None else ()
        for k, attempt in enumerate(attempts, start=1):
            if attempt is None:
                continue  # a missing attempt keeps its number so attempt 2 stays attempt 2
            right = None if expected is None else _same(attempt, expected)
            mark = "" if right is None else (" ✓" if right else " ✗")
            column.append(_Panel(attempt, f"attempt {k}{mark}", right))
        columns.append(column)
    return columns


def _same(a: GridLike, b: GridLike) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a.cells, b.cells))


def _layout(
    columns: list[list[_Panel]], cell: int, line: int, label_h: int, label_w: int
) -> tuple[list[_Panel], int, int]:
    """Place every panel; returns the placed panels and the picture's (width, height)."""
    gap = max(8, cell)
    placed: list[_Panel] = []
    x, height = gap, 0
    for column in columns:
        y, column_w = gap, 0
        for panel in column:
            w, h = _grid_size(panel.grid, cell, line)
            y += label_h
            placed.append(_Panel(panel.grid, panel.label, panel.right, x + FRAME, y + FRAME))
            y += h + 2 * FRAME + gap
            column_w = max(column_w, w + 2 * FRAME, len(panel.label) * label_w)
        x += column_w + gap
        height = max(height, y)
    return placed, x, height


def task_raster(
    task: TaskLike, predictions: Predictions | None = None, cell: int = 16, line: int = 1
) -> Image:
    """An ``(H, W, 3)`` uint8 RGB picture of ``task`` (column layout in the module docstring).

    ``predictions``: per test input, its attempt grids (``None`` for a missing attempt).
    Raises ``ValueError`` for bad sizes or when ``predictions`` does not match the test inputs.
    """
    _check_sizes(cell, line)
    placed, width, height = _layout(_columns(task, predictions), cell, line, 0, 0)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = _rgb(BACKGROUND)
    for p in placed:
        w, h = _grid_size(p.grid, cell, line)
        if p.right is not None:
            image[p.y - FRAME : p.y + h + FRAME, p.x - FRAME : p.x + w + FRAME] = _rgb(
                RIGHT if p.right else WRONG
            )
        image[p.y : p.y + h, p.x : p.x + w] = grid_raster(p.grid, cell, line)
    return image


def _svg_grid(grid: GridLike, x: int, y: int, cell: int) -> str:
    width, height = _grid_size(grid, cell, 1)
    rects = [f'<rect width="{width}" height="{height}" fill="{GRID_LINE}"/>']
    for r, row in enumerate(grid.cells):
        for c, color in enumerate(row):
            rects.append(
                f'<rect x="{1 + c * (cell + 1)}" y="{1 + r * (cell + 1)}" '
                f'width="{cell}" height="{cell}" fill="{PALETTE[color]}"/>'
            )
    return f'<g class="grid" transform="translate({x},{y})">{"".join(rects)}</g>'


def _svg_document(width: int, height: int, body: list[str], title: str = "") -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{_FONT}">'
    )
    title_xml = f"<title>{escape(title)}</title>" if title else ""
    return head + title_xml + "".join(body) + "</svg>"


def grid_svg(grid: GridLike, cell: int = 20) -> str:
    """A standalone SVG document of ``grid``: one ``<rect>`` per cell over a grid-line backdrop.

    Raises ``ValueError`` when ``cell < 1``.
    """
    _check_sizes(cell, 1)
    width, height = _grid_size(grid, cell, 1)
    return _svg_document(width, height, [_svg_grid(grid, 0, 0, cell)])


def task_svg(task: TaskLike, predictions: Predictions | None = None, cell: int = 16) -> str:
    """A standalone SVG document of ``task``, with labels ("demo 1", "expected", "attempt 1 ✓").

    Raises ``ValueError`` like ``task_raster``.
    """
    _check_sizes(cell, 1)
    # labels sit above each panel; columns widen to roughly fit their text
    columns = _columns(task, predictions)
    placed, width, height = _layout(columns, cell, 1, _FONT + 6, _FONT * 6 // 10)
    body = []
    for p in placed:
        w, h = _grid_size(p.grid, cell, 1)
        body.append(
            f'<text x="{p.x - FRAME}" y="{p.y - FRAME - 4}" fill="#333333">{escape(p.label)}</text>'
        )
        if p.right is not None:
            verdict, color = ("right", RIGHT) if p.right else ("wrong", WRONG)
            # the stroke is centred on the rect's edge, so inset by half its width
            body.append(
                f'<rect class="{verdict}" x="{p.x - FRAME / 2}" y="{p.y - FRAME / 2}" '
                f'width="{w + FRAME}" height="{h + FRAME}" fill="none" '
                f'stroke="{color}" stroke-width="{FRAME}"/>'
            )
        body.append(_svg_grid(p.grid, p.x, p.y, cell))
    return _svg_document(width, height, body, title=f"ARC task {task.id}")
