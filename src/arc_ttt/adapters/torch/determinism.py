"""Seeded, deterministic runs: same seed, same weights and losses on the CPU.

The caller's random state is forked, not consumed, so adapting never shifts the caller's draws.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """Run the body with the global generators seeded by ``seed`` and restored afterwards.

    On the CPU, deterministic algorithms are switched on for the body (they cost nothing there);
    on a GPU they would need a cuBLAS workspace setting and slower kernels, so they stay as set.
    """
    devices = [device.index or 0] if device.type == "cuda" else []
    previous = torch.are_deterministic_algorithms_enabled()
    previous_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        if device.type == "cpu":
            torch.use_deterministic_algorithms(True, warn_only=True)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(previous, warn_only=previous_warn)
