"""A request to stop a long run after its current step: what the solver and pretraining poll."""

from __future__ import annotations

import contextlib
from typing import Protocol


class StopSignal(Protocol):
    """True once a stop was asked for; ``installed`` listens for the request for a block (the
    CLI's adapter catches SIGINT/SIGTERM), ``number``/``name`` say which signal asked (0/"")."""

    number: int
    name: str

    def __call__(self) -> bool: ...

    def installed(self) -> contextlib.AbstractContextManager[None]: ...
