"""An ARC grid: an immutable rectangle of 1..30 x 1..30 cells holding colors 0..9."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from arc_ttt.domain.errors import InvalidGridError
from arc_ttt.domain.picture import grid_svg

MAX_SIDE = 30
NUM_COLORS = 10


class Grid:
    """Immutable ARC grid backed by a read-only ``uint8`` numpy array.

    Build one with ``Grid([[0, 1], [2, 3]])`` or ``Grid.from_array(arr)``.
    Raises ``InvalidGridError`` naming the first problem found.
    """

    __slots__ = ("_cells", "_hash")

    def __init__(self, rows: Sequence[Sequence[int]]) -> None:
        self._cells = _validated(_rows_to_array(rows))
        self._hash: int | None = None

    @classmethod
    def from_array(cls, array: npt.ArrayLike) -> Grid:
        """Build a grid from any 2-D integer array (copied, so the caller keeps theirs)."""
        grid = cls.__new__(cls)
        arr = np.asarray(array)
        if arr.dtype.kind not in "iu":
            raise InvalidGridError(f"cells must be integers, got dtype {arr.dtype}")
        grid._cells = _validated(arr)
        grid._hash = None
        return grid

    @property
    def cells(self) -> npt.NDArray[np.uint8]:
        """Read-only ``(height, width)`` uint8 view of the cells."""
        return self._cells

    @property
    def shape(self) -> tuple[int, int]:
        h, w = self._cells.shape
        return int(h), int(w)

    @property
    def height(self) -> int:
        return int(self._cells.shape[0])

    @property
    def width(self) -> int:
        return int(self._cells.shape[1])

    def to_lists(self) -> list[list[int]]:
        """The grid as nested lists, the way ARC JSON stores it."""
        return [[int(v) for v in row] for row in self._cells]

    def colors(self) -> frozenset[int]:
        return frozenset(int(v) for v in np.unique(self._cells))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Grid):
            return NotImplemented
        return self.shape == other.shape and bool(np.array_equal(self._cells, other._cells))

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.shape, self._cells.tobytes()))
        return self._hash

    def __repr__(self) -> str:
        return f"Grid({self.to_lists()!r})"

    def __str__(self) -> str:
        return "\n".join("".join(str(int(v)) for v in row) for row in self._cells)

    def _repr_svg_(self) -> str:
        return grid_svg(self)


def _shown(value: object) -> str:
    """A cell value for an error message, short even when the value is huge."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"an integer of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _rows_to_array(rows: Sequence[Sequence[int]]) -> npt.NDArray[Any]:
    if isinstance(rows, np.ndarray):
        return rows
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise InvalidGridError(f"a grid is a list of rows, got {type(rows).__name__}")
    lengths = set()
    for i, row in enumerate(rows):
        if not isinstance(row, Sequence) or isinstance(row, str | bytes):
            raise InvalidGridError(f"row {i} is {type(row).__name__}, expected a list of colors")
        lengths.add(len(row))
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise InvalidGridError(
                    f"cell [{i}][{j}] is {_shown(value)} ({type(value).__name__}), "
                    "expected an integer 0..9"
                )
            if not 0 <= value < NUM_COLORS:
                raise InvalidGridError(
                    f"cell [{i}][{j}] has color {_shown(value)}; colors are 0..{NUM_COLORS - 1}"
                )
    if len(lengths) > 1:
        raise InvalidGridError(f"ragged rows: row lengths {sorted(lengths)} differ")
    if not rows:
        return np.zeros((0, 0), dtype=np.int64)
    return np.array([list(r) for r in rows], dtype=np.int64).reshape(len(rows), -1)


def _validated(arr: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    if arr.ndim != 2:
        raise InvalidGridError(f"a grid has 2 dimensions, got {arr.ndim}")
    h, w = arr.shape
    if h == 0 or w == 0:
        raise InvalidGridError(
            f"empty grid ({h} x {w}); a grid has 1 to {MAX_SIDE} rows and columns"
        )
    if h > MAX_SIDE or w > MAX_SIDE:
        raise InvalidGridError(f"grid is {h} x {w}; at most {MAX_SIDE} x {MAX_SIDE} is allowed")
    if arr.min() < 0 or arr.max() >= NUM_COLORS:
        bad = np.argwhere((arr < 0) | (arr >= NUM_COLORS))[0]
        value = int(arr[bad[0], bad[1]])
        raise InvalidGridError(
            f"cell [{bad[0]}][{bad[1]}] has color {value}; colors are 0..{NUM_COLORS - 1}"
        )
    cells = np.array(arr, dtype=np.uint8, copy=True)
    cells.setflags(write=False)
    return cells


def grids_from(rows_list: Iterable[Sequence[Sequence[int]]]) -> tuple[Grid, ...]:
    """Convenience: many grids from many nested lists."""
    return tuple(Grid(rows) for rows in rows_list)
