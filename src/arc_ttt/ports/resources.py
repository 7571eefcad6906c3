"""Reading the machine's resources (memory of the process, the host and the GPUs)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from arc_ttt.domain.resources import ResourcePeaks, ResourceSample


@runtime_checkable
class ResourceMonitor(Protocol):
    """One reading now. Cheap enough to call a few times a second; never raises for a missing
    GPU (it reports none)."""

    def sample(self) -> ResourceSample: ...


@runtime_checkable
class PeakTracker(Protocol):
    """Keeps the peak readings of a background monitor; ``reset`` returns them and starts over."""

    def reset(self) -> ResourcePeaks: ...
