"""A ``Progress`` that records every call, for tests of code that reports progress."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RecordingProgress:
    """Fake ``Progress``: ``events`` holds ("start", total), ("advance", summary) and
    ("finish", None) in call order."""

    events: list[tuple[str, object]] = field(default_factory=list)

    def start(self, total: int, label: str) -> None:
        self.events.append(("start", total))

    def advance(self, summary: str) -> None:
        self.events.append(("advance", summary))

    def finish(self) -> None:
        self.events.append(("finish", None))
