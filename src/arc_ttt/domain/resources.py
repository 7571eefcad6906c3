"""Readings of the machine's resources (no I/O here): what a resource monitor reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GpuReading:
    """One GPU: bytes used and in all, utilisation in percent (None when not reported)."""

    index: int
    used_bytes: int
    total_bytes: int
    utilization_percent: int | None = None


@dataclass(frozen=True, slots=True)
class ResourceSample:
    """Process and machine memory at one moment, and every GPU the monitor sees."""

    rss_bytes: int
    available_bytes: int
    uss_bytes: int | None = None
    gpus: tuple[GpuReading, ...] = ()

    @property
    def gpu_used_bytes(self) -> int:
        return sum(g.used_bytes for g in self.gpus)


@dataclass(frozen=True, slots=True)
class ResourcePeaks:
    """The highest readings over a period, and how many samples it took."""

    rss_bytes: int = 0
    gpu_used_bytes: int = 0
    min_available_bytes: int | None = None
    samples: int = 0

    def add(self, sample: ResourceSample) -> ResourcePeaks:
        low = self.min_available_bytes
        return ResourcePeaks(
            max(self.rss_bytes, sample.rss_bytes),
            max(self.gpu_used_bytes, sample.gpu_used_bytes),
            sample.available_bytes if low is None else min(low, sample.available_bytes),
            self.samples + 1,
        )
