"""The grid codec: ARC tasks as token sequences, and generated tokens back into grids.

Layout (one token per cell, 16 symbols)::

    prompt = BOS, then per demonstration:  INPUT <input rows> OUTPUT <output rows> END
                  then for the test:        INPUT <test input rows> OUTPUT
    target = <test output rows> END

where ``<rows>`` is each row's colors followed by ``ROW``. An H x W grid thus costs H * (W + 1)
tokens, a demonstration 3 + its two grids, a prompt 1 + its demonstrations + 2 + the test input,
and a target the output grid + 1.

Each token also carries a 3-D position (row, column, grid index) for models whose positions must
know the grid's geometry (see docs/codec.md): cells sit at (r + 1, c + 1), a row separator at
(r + 1, W + 1), markers at (0, 0); demonstration i's input is grid 2i and its output 2i + 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from arc_ttt.domain.errors import GridDecodeError, InvalidGridError
from arc_ttt.domain.grid import NUM_COLORS, Grid
from arc_ttt.domain.task import Example, Task

CODEC_VERSION = 1


class Symbol(IntEnum):
    """Non-color symbols; colors 0..9 are their own token ids."""

    ROW = 10
    INPUT = 11
    OUTPUT = 12
    END = 13
    BOS = 14
    PAD = 15


VOCAB_SIZE = 16
# One printable string per token id, for models with a text tokenizer (one token each).
SYMBOL_TEXT: tuple[str, ...] = (*(str(c) for c in range(NUM_COLORS)), "\n", "I", "O", ".", "^", "_")


@dataclass(frozen=True, slots=True)
class Encoded:
    """Tokens with their 3-D positions and a mask of the tokens that belong to output grids."""

    tokens: tuple[int, ...]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    grid_index: tuple[int, ...]
    is_output: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.tokens)

    def __add__(self, other: Encoded) -> Encoded:
        return Encoded(
            self.tokens + other.tokens,
            self.rows + other.rows,
            self.cols + other.cols,
            self.grid_index + other.grid_index,
            self.is_output + other.is_output,
        )


class _Builder:
    def __init__(self) -> None:
        self.tokens: list[int] = []
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.grids: list[int] = []
        self.out: list[bool] = []

    def marker(self, symbol: Symbol, grid_index: int, is_output: bool = False) -> None:
        self._push(int(symbol), 0, 0, grid_index, is_output)

    def grid(self, grid: Grid, grid_index: int, is_output: bool) -> None:
        w = grid.width
        for r, row in enumerate(grid.cells):
            for c, color in enumerate(row):
                self._push(int(color), r + 1, c + 1, grid_index, is_output)
            self._push(int(Symbol.ROW), r + 1, w + 1, grid_index, is_output)

    def build(self) -> Encoded:
        return Encoded(
            tuple(self.tokens),
            tuple(self.rows),
            tuple(self.cols),
            tuple(self.grids),
            tuple(self.out),
        )

    def _push(self, token: int, row: int, col: int, grid_index: int, is_output: bool) -> None:
        self.tokens.append(token)
        self.rows.append(row)
        self.cols.append(col)
        self.grids.append(grid_index)
        self.out.append(is_output)


def encode_prompt(demonstrations: Sequence[Example], test_input: Grid) -> Encoded:
    """BOS, every demonstration, then the test input and the OUTPUT marker that asks for the answer."""
    b = _Builder()
    b.marker(Symbol.BOS, 0)
    for i, ex in enumerate(demonstrations):
        b.marker(Symbol.INPUT, 2 * i)
        b.grid(ex.input, 2 * i, is_output=False)
        b.marker(Symbol.OUTPUT, 2 * i + 1)
        b.grid(ex.output, 2 * i + 1, is_output=True)
        b.marker(Symbol.END, 2 * i + 1, is_output=True)
    n = len(demonstrations)
    b.marker(Symbol.INPUT, 2 * n)
    b.grid(test_input, 2 * n, is_output=False)
    b.marker(Symbol.OUTPUT, 2 * n + 1)
    return b.build()


def encode_target(output: Grid, grid_index: int) -> Encoded:
    """The answer the model should produce after a prompt: the output rows, then END."""
    b = _Builder()
    b.grid(output, grid_index, is_output=True)
    b.marker(Symbol.END, grid_index, is_output=True)
    return b.build()


def encode_task(task: Task, test_index: int = 0) -> tuple[Encoded, Encoded | None]:
    """Prompt for one test input of ``task``, and its target when the solution is known."""
    prompt = encode_prompt(task.train, task.test_inputs[test_index])
    if task.test_outputs is None:
        return prompt, None
    return prompt, encode_target(task.test_outputs[test_index], 2 * len(task.train) + 1)


def grid_tokens(grid: Grid) -> int:
    """Tokens one grid costs: H * (W + 1)."""
    return grid.height * (grid.width + 1)


def count_tokens(task: Task, test_index: int = 0) -> int:
    """Length of prompt + target for one test input (the target sized by the known output, if any)."""
    prompt = 1 + sum(3 + grid_tokens(e.input) + grid_tokens(e.output) for e in task.train)
    prompt += 2 + grid_tokens(task.test_inputs[test_index])
    target = grid_tokens(task.test_outputs[test_index]) + 1 if task.test_outputs is not None else 0
    return prompt + target


def max_target_tokens() -> int:
    """The longest answer the codec can express: a 30 x 30 grid and END."""
    return 30 * 31 + 1


def decode_grid(tokens: Iterable[int]) -> Grid:
    """Turn generated tokens (up to and including END) back into a grid.

    Tokens after the first END are ignored. Raises ``GridDecodeError`` on a missing END, a stray
    symbol, an unterminated or ragged row, an empty grid or one that breaks the grid rules.
    """
    rows: list[list[int]] = []
    current: list[int] = []
    for pos, token in enumerate(tokens):
        if 0 <= token < NUM_COLORS:
            current.append(int(token))
        elif token == Symbol.ROW:
            if not current:
                raise GridDecodeError(f"empty row at token {pos}")
            if rows and len(current) != len(rows[0]):
                raise GridDecodeError(
                    f"ragged rows: row {len(rows)} has {len(current)} cells, row 0 has {len(rows[0])}"
                )
            rows.append(current)
            current = []
        elif token == Symbol.END:
            if current:
                raise GridDecodeError(f"row {len(rows)} is not terminated before END (token {pos})")
            if not rows:
                raise GridDecodeError("empty grid: END before any row")
            try:
                return Grid(rows)
            except InvalidGridError as e:
                raise GridDecodeError(str(e)) from e
        else:
            name = Symbol(token).name if token in Symbol._value2member_map_ else str(token)
            raise GridDecodeError(f"stray symbol {name} at token {pos} inside a grid")
    raise GridDecodeError(f"no END marker after {len(rows)} rows (the output was cut short)")
