"""Positions of generated tokens: where each token of a model's answer sits in its output grid.

A decoder with 3-D positions must feed every token it generates back at the position the codec
would have given it in ``encode_target``; a scorer needs the same positions for any token list.
The rule follows the codec: a cell at (r + 1, c + 1), a row separator after the row's last cell,
END and any stray marker at (0, 0), all in the answer's grid index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arc_ttt.domain.codec import Encoded, Symbol
from arc_ttt.domain.grid import MAX_SIDE, NUM_COLORS

_COLORS = tuple(range(NUM_COLORS))


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next generated token lands: 0-based ``row``, ``col`` cells so far in it, and the
    ``width`` of the first row once that row is finished (0 before)."""

    row: int = 0
    col: int = 0
    width: int = 0

    def place(self, token: int) -> tuple[tuple[int, int], Cursor]:
        """The (row, column) position of ``token`` and the cursor after it."""
        if 0 <= token < NUM_COLORS:
            return (self.row + 1, self.col + 1), Cursor(self.row, self.col + 1, self.width)
        if token == Symbol.ROW:
            return (self.row + 1, self.col + 1), Cursor(self.row + 1, 0, self.width or self.col)
        # END and stray markers sit at (0, 0), like the codec's markers.
        return (0, 0), self

    def allowed(self) -> tuple[int, ...]:
        """The tokens that keep the answer so far the prefix of a valid grid (never empty).

        A color while the row has room (the first row up to 30 cells, later rows up to the first
        row's width, at most 30 rows); ROW after a non-empty row that is as wide as the first;
        END at the start of a row once a row is done. Markers never.
        """
        limit = self.width or MAX_SIDE
        tokens: tuple[int, ...] = _COLORS if self.row < MAX_SIDE and self.col < limit else ()
        if self.col > 0 and self.width in {0, self.col}:
            tokens = (*tokens, int(Symbol.ROW))
        if self.col == 0 and self.row > 0:
            tokens = (*tokens, int(Symbol.END))
        return tokens


def encode_continuation(tokens: Iterable[int], grid_index: int) -> Encoded:
    """``tokens`` generated after a prompt, as an ``Encoded`` answer in grid ``grid_index``.

    For a well-formed answer (rows, then END) this equals ``encode_target`` of its grid; it also
    positions ragged or unfinished token lists, so any candidate can be scored.
    """
    cursor = Cursor()
    toks: list[int] = []
    rows: list[int] = []
    cols: list[int] = []
    for token in tokens:
        (row, col), cursor = cursor.place(int(token))
        toks.append(int(token))
        rows.append(row)
        cols.append(col)
    n = len(toks)
    return Encoded(tuple(toks), tuple(rows), tuple(cols), (grid_index,) * n, (True,) * n)


def answer_grid_index(prompt: Encoded) -> int:
    """The grid index an answer to ``prompt`` takes: that of the prompt's final OUTPUT marker."""
    return prompt.grid_index[-1] if len(prompt) else 0
