"""Progress reporting for long work (tasks, training steps)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    """Receives progress of one long job. Implementations must never raise into the caller.

    ``start`` once with the total number of units, ``advance`` once per finished unit with a
    one-line summary of it, ``finish`` once at the end (also after a failure).
    """

    def start(self, total: int, label: str) -> None: ...

    def advance(self, summary: str) -> None: ...

    def finish(self) -> None: ...


@runtime_checkable
class MemoryProbe(Protocol):
    """Reads the process's memory use in bytes: now, and the peak since the process started."""

    def current_bytes(self) -> int: ...

    def peak_bytes(self) -> int: ...
