"""The processes of one run (``accelerate launch --num_processes N``): who am I, and gather."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar, runtime_checkable

T = TypeVar("T")


@runtime_checkable
class ProcessGroup(Protocol):
    """``rank`` (0-based) of this process among ``size`` processes; rank 0 is the main one.

    ``gather(items)`` is collective: every process calls it, and each gets every process's items
    (picklable objects) concatenated in rank order. Raises ``ArcTTTError`` subclasses only.
    """

    @property
    def rank(self) -> int: ...

    @property
    def size(self) -> int: ...

    def gather(self, items: Sequence[T]) -> list[T]: ...
