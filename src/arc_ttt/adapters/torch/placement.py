"""Device and precision through accelerate, which keeps one setting per process.

The first backend of a process picks them (bf16 on a GPU that supports it, fp32 elsewhere);
later backends inherit them unless they ask for something else, which accelerate refuses.
"""

from __future__ import annotations

import torch
from accelerate import Accelerator
from accelerate.state import is_initialized

from arc_ttt.domain.errors import ModelConfigError


def make_accelerator(mixed_precision: str | None, cpu: bool) -> Accelerator:
    """An ``Accelerator``; ``mixed_precision`` None chooses (or inherits) the process's setting."""
    if mixed_precision is None and not is_initialized():
        gpu = torch.cuda.is_available() and not cpu
        mixed_precision = "bf16" if gpu and torch.cuda.is_bf16_supported() else "no"
    try:
        return Accelerator(mixed_precision=mixed_precision, cpu=cpu)
    except ValueError as e:
        raise ModelConfigError(
            f"mixed_precision={mixed_precision!r} cpu={cpu}: accelerate is already set up "
            f"differently in this process ({e})"
        ) from e
