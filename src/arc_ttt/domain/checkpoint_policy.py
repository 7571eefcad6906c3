"""When to save a checkpoint, and which versions to keep.

Pure decisions over numbers and ``CheckpointInfo`` lists; the caller does the saving and deleting.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

from arc_ttt.domain.checkpoint import CheckpointInfo

Mode = Literal["min", "max"]


@dataclass(frozen=True, slots=True)
class SaveSchedule:
    """Save every ``every_steps`` steps and/or every ``every_seconds`` seconds, and at the end.

    Steps count from 1 (the step just finished). Step-based saves fall on multiples of
    ``every_steps``, so a resumed run saves at the same steps as an uninterrupted one.
    """

    every_steps: int | None = None
    every_seconds: float | None = None
    on_final: bool = True

    def __post_init__(self) -> None:
        if self.every_steps is not None and self.every_steps <= 0:
            raise ValueError(f"every_steps must be > 0, got {self.every_steps}")
        if self.every_seconds is not None and not self.every_seconds > 0:
            raise ValueError(f"every_seconds must be > 0, got {self.every_seconds}")

    def is_due(self, step: int, *, seconds_since_save: float = 0.0, final: bool = False) -> bool:
        """Whether to save after ``step``; ``seconds_since_save`` counts from the last save (or
        from the start when there was none)."""
        if final and self.on_final:
            return True
        if self.every_steps is not None and step % self.every_steps == 0:
            return True
        return self.every_seconds is not None and seconds_since_save >= self.every_seconds


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Keep the newest ``keep_last`` valid versions and the best ``keep_best`` by ``metric``.

    ``metric`` names a number in each version's metadata; ``mode`` says whether smaller
    (``"min"``, a loss) or larger (``"max"``, an accuracy) is better. Versions without a finite
    value of the metric are never "best". The newest valid version is always kept, whatever the
    numbers say. Versions known to be corrupted are not kept by either rule; they are deleted only
    when a valid version remains.
    """

    keep_last: int = 1
    keep_best: int = 0
    metric: str | None = None
    mode: Mode = "min"

    def __post_init__(self) -> None:
        if self.keep_last < 0 or self.keep_best < 0:
            raise ValueError(f"keep_last and keep_best must be >= 0, got {self}")
        if self.keep_best and not self.metric:
            raise ValueError("keep_best needs a metric name")
        if self.mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {self.mode!r}")

    def to_keep(
        self, history: Sequence[CheckpointInfo], corrupted: Collection[int] = ()
    ) -> list[int]:
        """The versions of ``history`` to keep, ascending."""
        valid = sorted((i for i in history if i.version not in corrupted), key=lambda i: i.version)
        if not valid:
            return sorted(i.version for i in history)  # nothing to fall back on: touch nothing
        keep = {valid[-1].version}
        if self.keep_last:
            keep.update(i.version for i in valid[-self.keep_last :])
        scored = [(s, i.version) for i in valid if (s := self._score(i)) is not None]
        # Best first; among equals the newer one wins.
        scored.sort(key=lambda sv: (sv[0] if self.mode == "min" else -sv[0], -sv[1]))
        keep.update(v for _, v in scored[: self.keep_best])
        return sorted(keep)

    def to_delete(
        self, history: Sequence[CheckpointInfo], corrupted: Collection[int] = ()
    ) -> list[int]:
        """The versions of ``history`` to delete, ascending: everything ``to_keep`` leaves out."""
        keep = set(self.to_keep(history, corrupted))
        return sorted(i.version for i in history if i.version not in keep)

    def _score(self, info: CheckpointInfo) -> float | None:
        value = info.metadata.get(self.metric) if self.metric else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value) if math.isfinite(value) else None
