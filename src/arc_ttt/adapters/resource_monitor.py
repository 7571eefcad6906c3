"""Resource monitors: psutil for the process and host, NVML (nvidia-ml-py) for GPUs, a
scripted fake, and a background sampler that keeps peaks while work runs.

The sampler is also a ``MemoryProbe``: ``current_bytes`` and ``peak_bytes`` (RSS) since start or
since the last ``reset``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import psutil

from arc_ttt.domain.resources import GpuReading, ResourcePeaks, ResourceSample
from arc_ttt.ports.resources import ResourceMonitor

log = logging.getLogger(__name__)


class NvmlGpus:
    """Every NVIDIA GPU through NVML; no GPU (or no driver) gives an empty reading, once noted."""

    def __init__(self) -> None:
        self._nvml: Any = None
        self._handles: list[Any] = []
        try:
            import pynvml  # noqa: PLC0415 - nvidia-ml-py: optional at run time

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = pynvml
        except Exception as e:
            log.info("no NVIDIA GPU readings (%s): %s", type(e).__name__, e)

    @property
    def available(self) -> bool:
        return bool(self._handles)

    def read(self) -> tuple[GpuReading, ...]:
        if self._nvml is None:
            return ()
        readings = []
        for i, handle in enumerate(self._handles):
            memory = self._nvml.nvmlDeviceGetMemoryInfo(handle)
            try:
                util: int | None = int(self._nvml.nvmlDeviceGetUtilizationRates(handle).gpu)
            except Exception:
                util = None
            readings.append(GpuReading(i, int(memory.used), int(memory.total), util))
        return tuple(readings)


class SystemMonitor:
    """This process's RSS (and USS when asked: ~20x slower), host available memory, and GPUs."""

    def __init__(self, *, uss: bool = False, gpus: NvmlGpus | None = None) -> None:
        self._process = psutil.Process()
        self._uss = uss
        self._gpus = gpus if gpus is not None else NvmlGpus()

    def sample(self) -> ResourceSample:
        rss = int(self._process.memory_info().rss)
        uss = int(self._process.memory_full_info().uss) if self._uss else None
        available = int(psutil.virtual_memory().available)
        return ResourceSample(rss, available, uss, self._gpus.read())


class ScriptedMonitor:
    """A fake: replays ``samples`` in order, then repeats the last."""

    def __init__(self, samples: Iterable[ResourceSample]) -> None:
        self._samples = list(samples)
        if not self._samples:
            raise ValueError("ScriptedMonitor needs at least one sample")
        self._next = 0

    def sample(self) -> ResourceSample:
        sample = self._samples[min(self._next, len(self._samples) - 1)]
        self._next += 1
        return sample


class BackgroundSampler:
    """Samples ``monitor`` every ``interval`` seconds on a daemon thread and keeps the peaks.

    Use as a context manager (or ``start``/``stop``). ``peaks`` are since the start or the last
    ``reset``; ``last`` is the newest sample.
    """

    def __init__(self, monitor: ResourceMonitor, interval: float = 0.25) -> None:
        if not interval > 0:
            raise ValueError(f"interval must be > 0, got {interval}")
        self._monitor = monitor
        self._interval = interval
        self._lock = threading.Lock()
        self._peaks = ResourcePeaks()
        self._last: ResourceSample | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> BackgroundSampler:
        if self._thread is None:
            self._stop.clear()
            self._take()
            self._thread = threading.Thread(target=self._run, name="arc-ttt-monitor", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            self._take_safely()

    def __enter__(self) -> BackgroundSampler:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def peaks(self) -> ResourcePeaks:
        with self._lock:
            return self._peaks

    @property
    def last(self) -> ResourceSample | None:
        with self._lock:
            return self._last

    def reset(self) -> ResourcePeaks:
        """The peaks so far; counting starts again from the current reading."""
        with self._lock:
            peaks, self._peaks = self._peaks, ResourcePeaks()
        self._take()
        return peaks

    @contextmanager
    def period(self) -> Iterator[list[ResourcePeaks]]:
        """``with sampler.period() as out:`` leaves the peaks of the block in ``out[0]``."""
        self.reset()
        out: list[ResourcePeaks] = []
        try:
            yield out
        finally:
            self._take()
            out.append(self.peaks)

    def current_bytes(self) -> int:
        sample = self._take()
        return sample.rss_bytes

    def peak_bytes(self) -> int:
        self._take()
        return self.peaks.rss_bytes

    def _take(self) -> ResourceSample:
        sample = self._monitor.sample()
        with self._lock:
            self._peaks = self._peaks.add(sample)
            self._last = sample
        return sample

    def _take_safely(self) -> None:
        try:
            self._take()
        except Exception:
            log.exception("resource sampling failed")  # never kill the work it watches

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._take_safely()
