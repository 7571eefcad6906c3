"""From the codec's token sequences (what crosses the model ports) back to the grids they hold,
so a model that reads another format gets the same demonstrations and test input."""

from __future__ import annotations

from arc_ttt.domain.codec import Encoded, Symbol, encode_target
from arc_ttt.domain.errors import GridDecodeError
from arc_ttt.domain.grid import NUM_COLORS, Grid
from arc_ttt.domain.task import Example


def grids_of(encoded: Encoded) -> dict[int, Grid]:
    """Grid index -> grid, for every grid whose cells ``encoded`` holds (its positions say
    where each cell stands)."""
    cells: dict[int, dict[tuple[int, int], int]] = {}
    for token, row, col, index in zip(
        encoded.tokens, encoded.rows, encoded.cols, encoded.grid_index, strict=True
    ):
        if token < NUM_COLORS:
            cells.setdefault(index, {})[(row - 1, col - 1)] = token
    out: dict[int, Grid] = {}
    for index, found in cells.items():
        height = 1 + max(r for r, _ in found)
        width = 1 + max(c for _, c in found)
        if len(found) != height * width:
            raise GridDecodeError(f"grid {index} of the sequence is not rectangular")
        out[index] = Grid([[found[(r, c)] for c in range(width)] for r in range(height)])
    return out


def split_sequence(encoded: Encoded) -> tuple[list[Example], Grid | None]:
    """The demonstrations of a codec sequence (grids 2i -> 2i + 1), and the test input when it
    ends with one whose output is not there (a prompt); None for a whole training sequence."""
    grids = grids_of(encoded)
    examples, i = [], 0
    while 2 * i in grids and 2 * i + 1 in grids:
        examples.append(Example(grids[2 * i], grids[2 * i + 1]))
        i += 1
    return examples, grids.get(2 * i)


def codec_answer(grid: Grid) -> tuple[int, ...]:
    """The codec's answer tokens for ``grid``: its rows, each ended by ``ROW``, then ``END``."""
    tokens = encode_target(grid, 0).tokens
    assert tokens[-1] == Symbol.END
    return tokens
