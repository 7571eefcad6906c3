"""Keys and values of past tokens for the built-in decoder, preallocated so decoding never copies
the whole cache per token, and croppable so a depth-first search can return to a branch point.
"""

from __future__ import annotations

import torch
from torch import Tensor


class KVCache:
    """Per-layer key/value buffers [B, H, capacity, head_dim] and which cached keys are real tokens.

    ``length`` counts the cached positions; ``crop`` moves it back without touching memory, so a
    sibling branch simply overwrites the positions it reuses.
    """

    def __init__(self, n_layers: int, capacity: int) -> None:
        self.length = 0
        self.capacity = max(1, capacity)
        self._keys: list[Tensor | None] = [None] * n_layers
        self._values: list[Tensor | None] = [None] * n_layers
        self._valid: Tensor | None = None  # only once a padded batch was seen

    def begin(
        self, new: int, valid: Tensor | None, batch: int, device: torch.device
    ) -> Tensor | None:
        """Make room for ``new`` positions; return the key mask [B, length + new], None if no padding."""
        end = self.length + new
        if end > self.capacity:
            self._grow(max(end, 2 * self.capacity))
        if valid is not None and self._valid is None:
            self._valid = torch.ones(batch, self.capacity, dtype=torch.bool, device=device)
        if self._valid is None:
            return None
        self._valid[:, self.length : end] = True if valid is None else valid
        return self._valid[:, :end]

    def write(self, layer: int, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
        """Store one layer's new keys/values at the current length; return all cached so far."""
        if self._keys[layer] is None:
            shape = (*keys.shape[:2], self.capacity, keys.shape[3])
            self._keys[layer] = keys.new_zeros(shape)
            self._values[layer] = values.new_zeros(shape)
        k_buf, v_buf = self._keys[layer], self._values[layer]
        assert k_buf is not None and v_buf is not None
        end = self.length + keys.shape[2]
        k_buf[:, :, self.length : end] = keys
        v_buf[:, :, self.length : end] = values
        return k_buf[:, :, :end], v_buf[:, :, :end]

    def advance(self, new: int) -> None:
        """Count the ``new`` positions every layer has written."""
        self.length += new

    def crop(self, length: int) -> None:
        """Forget every position from ``length`` on."""
        if not 0 <= length <= self.length:
            raise ValueError(f"cannot crop a cache of {self.length} positions to {length}")
        self.length = length

    def _grow(self, capacity: int) -> None:
        def grown(buf: Tensor | None) -> Tensor | None:
            if buf is None:
                return None
            bigger = buf.new_zeros((*buf.shape[:2], capacity, buf.shape[3]))
            bigger[:, :, : self.length] = buf[:, :, : self.length]
            return bigger

        self._keys = [grown(b) for b in self._keys]
        self._values = [grown(b) for b in self._values]
        if self._valid is not None:
            valid = torch.ones(
                self._valid.shape[0], capacity, dtype=torch.bool, device=self._valid.device
            )
            valid[:, : self.length] = self._valid[:, : self.length]
            self._valid = valid
        self.capacity = capacity
