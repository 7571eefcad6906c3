"""Logging of one ``arc-ttt`` command: standard ``logging`` records to stderr, plain text.

WARNING by default, INFO with ``-v``, DEBUG with ``-vv`` (the library's loggers; other
libraries stay at WARNING so their debug chatter does not drown ours), ERROR with ``-q``.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from pathlib import Path

LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING}


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (tests and embedders swap it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _Format(logging.Formatter):
    def __init__(self, debug: bool) -> None:
        super().__init__()
        self._debug = debug

    def format(self, record: logging.LogRecord) -> str:
        text = f"{record.levelname.lower()}: {record.getMessage()}"
        if self._debug:  # -vv: when and where, for a reader following a run step by step
            text = f"{self.formatTime(record, '%H:%M:%S')} {record.name}: {text}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return "arc-ttt: " + text


def level_for(verbose: int, quiet: bool, configured: str) -> int:
    """``-v``/``-vv`` win, then ``-q``, then the ``log_level`` setting."""
    if verbose:
        return logging.DEBUG if verbose > 1 else logging.INFO
    if quiet:
        return logging.ERROR
    return LEVELS.get(configured, logging.WARNING)


@contextlib.contextmanager
def configured(level: int) -> Iterator[None]:
    """Route log records at ``level`` and above to stderr for the block; restores the loggers'
    previous state after (``main`` may run many times in one process)."""
    root, ours = logging.getLogger(), logging.getLogger("arc_ttt")
    saved = root.level, ours.level
    handler = _Stderr()
    handler.setFormatter(_Format(level <= logging.DEBUG))
    handler.setLevel(level)  # a log file (``to_file``) may lower the library's level
    root.addHandler(handler)
    root.setLevel(max(level, logging.WARNING))
    ours.setLevel(level)
    try:
        yield
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        ours.setLevel(saved[1])


@contextlib.contextmanager
def to_file(path: Path, level: int = logging.INFO) -> Iterator[None]:
    """Also write the library's records at ``level`` and above to ``path`` (a run folder's log)
    for the block, stamped with the time; what reaches stderr does not change."""
    ours = logging.getLogger("arc_ttt")
    handler = _RunLog(path, encoding="utf-8")
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = ours.level
    ours.addHandler(handler)
    ours.setLevel(min(saved or logging.WARNING, level))
    try:
        yield
    finally:
        ours.removeHandler(handler)
        ours.setLevel(saved)
        with contextlib.suppress(OSError):  # a full disk: the run's own error says so
            handler.close()


class _RunLog(logging.FileHandler):
    """A run's log file; a record it cannot write (full disk) is dropped, with no traceback:
    the log is a copy of what stderr shows, and the run's files report the failure."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging names it
        return
