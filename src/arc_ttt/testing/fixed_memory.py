"""A ``MemoryProbe`` that reports what you set, for tests of memory budgets and reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FixedMemory:
    """Fake ``MemoryProbe``: ``current`` and ``peak`` bytes, changed by assigning them."""

    current: int = 100 * 2**20
    peak: int = 200 * 2**20

    def current_bytes(self) -> int:
        return self.current

    def peak_bytes(self) -> int:
        return max(self.peak, self.current)
