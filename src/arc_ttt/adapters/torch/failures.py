"""torch's failures as the library's errors: out of memory (GPU or host) as
``ModelOutOfMemoryError``, which the solver's OOM policy handles, and the rest as
``ModelRuntimeError`` naming what was being done."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from arc_ttt.domain.errors import ArcTTTError, ModelOutOfMemoryError, ModelRuntimeError


@contextmanager
def translated(
    what: str, failures: tuple[type[Exception], ...] = (RuntimeError,)
) -> Iterator[None]:
    """Run the block; ``what`` names it in the message (``adapting 't1'``). ``failures``: the
    other exceptions that become ``ModelRuntimeError``."""
    try:
        yield
    except ArcTTTError:
        raise
    except (torch.OutOfMemoryError, MemoryError) as e:
        raise ModelOutOfMemoryError(f"out of memory while {what}: {e}") from e
    except failures as e:
        raise ModelRuntimeError(f"{what} failed: {e}") from e
