"""A run of one process: the ``ProcessGroup`` of every model adapter that is not accelerate's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class SingleProcess:
    """Rank 0 of 1; ``gather`` returns the items themselves."""

    rank = 0
    size = 1

    def gather(self, items: Sequence[T]) -> list[T]:
        return list(items)
