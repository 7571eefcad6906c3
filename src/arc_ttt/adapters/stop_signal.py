"""The operating system's stop request: SIGINT/SIGTERM, caught while a long command runs, ask it
to stop after its current step (the ``StopSignal`` port)."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator


class StopOnSignal:
    """SIGINT/SIGTERM ask a run to stop after its current step; a second signal acts as usual."""

    def __init__(self) -> None:
        self.number = 0
        self.name = ""

    def __call__(self) -> bool:
        return self.number != 0

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # only the main thread may set signal handlers
            return
        wanted = (signal.SIGINT, signal.SIGTERM)
        previous = {s: signal.getsignal(s) for s in wanted}

        def handle(number: int, frame: object) -> None:
            self.number, self.name = number, signal.Signals(number).name
            for s, handler in previous.items():
                signal.signal(s, handler)  # a second signal is not caught again
            print(f"arc-ttt: {self.name}: stopping after the current step", file=sys.stderr)

        for s in wanted:
            signal.signal(s, handle)
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
