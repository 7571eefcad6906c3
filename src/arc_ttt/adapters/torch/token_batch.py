"""Encoded sequences as padded tensors: tokens and (row, col, grid) positions, [B, T] each.

Right padding needs no attention mask in a causal model (real tokens never look right), so
training and scoring use it; decoding appends to every row at once and so pads on the left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from arc_ttt.domain.codec import Encoded, Symbol


@dataclass(frozen=True, slots=True)
class TokenBatch:
    """Codec tokens [B, T] with their positions; ``valid`` marks real tokens (None: all real)."""

    tokens: Tensor
    rows: Tensor
    cols: Tensor
    grids: Tensor
    valid: Tensor | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.tokens.shape[0], self.tokens.shape[1]


def _fields(e: Encoded) -> tuple[tuple[int, ...], ...]:
    return e.tokens, e.rows, e.cols, e.grid_index


def padded(encodeds: Sequence[Encoded], device: torch.device, *, left: bool) -> TokenBatch:
    """Stack ``encodeds`` padded with PAD at position (0, 0, 0) on the left or the right.

    ``valid`` is None when every sequence has the same length, or when padding on the right
    (causal attention already keeps real tokens from seeing it).
    """
    width = max(len(e) for e in encodeds)
    columns: list[list[list[int]]] = [[], [], [], []]
    for e in encodeds:
        gap = width - len(e)
        for column, values, fill in zip(
            columns, _fields(e), (int(Symbol.PAD), 0, 0, 0), strict=True
        ):
            pad = [fill] * gap
            column.append([*pad, *values] if left else [*values, *pad])
    tokens, rows, cols, grids = (torch.tensor(c, dtype=torch.long, device=device) for c in columns)
    valid = None
    if left and any(len(e) != width for e in encodeds):
        lengths = torch.tensor([len(e) for e in encodeds], device=device)
        valid = torch.arange(width, device=device)[None, :] >= (width - lengths)[:, None]
    return TokenBatch(tokens, rows, cols, grids, valid)


def step_batch(
    tokens: Sequence[int],
    positions: Sequence[tuple[int, int]],
    grids: Sequence[int],
    device: torch.device,
) -> TokenBatch:
    """One new token per row, at the given (row, col) and grid positions: [B, 1] each."""

    columns = [list(tokens), [p[0] for p in positions], [p[1] for p in positions], list(grids)]
    # One tensor, four [B, 1] views: a decoding step's inputs cost one allocation.
    data = torch.tensor(columns, dtype=torch.long, device=device)[:, :, None]
    return TokenBatch(*data.unbind(0))
