"""Progress adapters: a rich progress bar for terminals, plain lines otherwise, a recorder for tests."""

from __future__ import annotations

import sys
from typing import TextIO


class LineProgress:
    """One status line per finished unit on a stream (stderr by default); quiet prints nothing."""

    def __init__(self, stream: TextIO | None = None, *, quiet: bool = False) -> None:
        self._stream = stream or sys.stderr
        self._quiet = quiet
        self._total = 0
        self._done = 0

    def start(self, total: int, label: str) -> None:
        self._total, self._done = total, 0

    def advance(self, summary: str) -> None:
        self._done += 1
        if not self._quiet:
            print(f"[{self._done}/{self._total}] {summary}", file=self._stream, flush=True)

    def finish(self) -> None:
        pass


class RichProgress:
    """A progress bar with ETA and a line per finished unit (for an interactive terminal)."""

    def __init__(self) -> None:
        from rich.console import Console  # noqa: PLC0415 - only when a terminal wants it
        from rich.progress import (  # noqa: PLC0415
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = None

    def start(self, total: int, label: str) -> None:
        self._progress.start()
        self._task = self._progress.add_task(label, total=total)

    def advance(self, summary: str) -> None:
        self._progress.console.print(summary)
        if self._task is not None:
            self._progress.advance(self._task)

    def finish(self) -> None:
        self._progress.stop()
