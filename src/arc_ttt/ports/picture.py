"""Port: turning an RGB raster (``arc_ttt.domain.picture``) into image-file bytes."""

from __future__ import annotations

from typing import Protocol

from arc_ttt.domain.picture import Image


class PngEncoder(Protocol):
    def encode(self, rgb: Image) -> bytes:
        """PNG bytes of an ``(H, W, 3)`` uint8 image; ``ValueError`` naming the problem for an
        array of another shape or dtype, or an empty one."""
        ...
