"""Rotary embeddings over three axes: each head's dimension pairs are split between row, column
and grid index, so attention scores see relative offsets in the grid's own geometry.

A 1-D rotary position puts "the same cell of the input" at a different distance for every grid
size; split over (row, column, grid), that cell is always at offset (0, 0, +1) (FINDINGS §1).
"""

from __future__ import annotations

import torch
from torch import Tensor


def axis_pairs(head_dim: int) -> tuple[int, int, int]:
    """How many rotary pairs the row, column and grid axes get.

    Rows and columns get the same count (and so the same frequencies): rules that swap the axes
    (transpose, rotations) then meet the same geometry on both. The grid axis, whose offsets are
    few and small, takes what is left (at least one pair).
    """
    pairs = head_dim // 2
    side = min(-(-pairs // 3), (pairs - 1) // 2)
    return side, side, pairs - 2 * side


class GridRotary(torch.nn.Module):
    """Cosines and sines for (row, column, grid) positions, and their application to q and k."""

    def __init__(self, head_dim: int, theta: float) -> None:
        super().__init__()
        freqs = [theta ** (-torch.arange(n, dtype=torch.float64) / n) for n in axis_pairs(head_dim)]
        self.pairs = head_dim // 2
        for name, f in zip(("row_freq", "col_freq", "grid_freq"), freqs, strict=True):
            # Not weights: recomputed from the config, so they stay out of the saved state.
            self.register_buffer(name, f.float(), persistent=False)

    def angles(
        self, rows: Tensor, cols: Tensor, grids: Tensor, *, transposed: bool = False
    ) -> tuple[Tensor, Tensor]:
        """cos and sin of shape [B, 1, T, pairs] for positions of shape [B, T].

        ``transposed`` swaps rows and columns (their frequencies are equal): a query rotated
        plainly against keys rotated transposed scores the offset between the query's (row, col)
        and the key's (col, row), so "the cell mirrored over the diagonal" is a fixed offset.
        """
        if transposed:
            rows, cols = cols, rows
        parts = [
            pos.float()[..., None] * freq
            for pos, freq in ((rows, self.row_freq), (cols, self.col_freq), (grids, self.grid_freq))
        ]
        theta = torch.cat(parts, dim=-1)[:, None]
        return theta.cos(), theta.sin()

    @staticmethod
    def rotate(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
        """Rotate the pairs (x[i], x[i + pairs]) of ``x`` [B, H, T, head_dim] by the angles."""
        half = x.shape[-1] // 2
        x1, x2 = x[..., :half], x[..., half:]
        cos, sin = cos.to(x.dtype), sin.to(x.dtype)
        return torch.cat((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
