"""What the commands that run for long take to stop cleanly on SIGINT/SIGTERM."""

from __future__ import annotations

import contextlib
from typing import Protocol


class StopSignal(Protocol):
    """The CLI's SIGINT/SIGTERM handler: true once a signal came; ``installed`` catches them."""

    number: int
    name: str

    def __call__(self) -> bool: ...

    def installed(self) -> contextlib.AbstractContextManager[None]: ...
