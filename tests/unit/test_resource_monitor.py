"""Resource monitors and the background sampler (with a scripted monitor and the real one)."""

from __future__ import annotations

import time

import pytest

from arc_ttt.adapters.resource_monitor import (
    BackgroundSampler,
    NvmlGpus,
    ScriptedMonitor,
    SystemMonitor,
)
from arc_ttt.domain.resources import GpuReading, ResourceSample
from arc_ttt.ports.resources import PeakTracker, ResourceMonitor


def sample(rss: int, gpu: int = 0, available: int = 1000) -> ResourceSample:
    return ResourceSample(rss, available, None, (GpuReading(0, gpu, 100),) if gpu else ())


def test_the_sampler_keeps_peaks_and_resets_them():
    monitor = ScriptedMonitor([sample(10), sample(50, 7, 900), sample(20, 3, 950), sample(5)])
    sampler = BackgroundSampler(monitor, interval=60)  # only explicit readings
    assert isinstance(sampler, PeakTracker)
    for _ in range(3):
        sampler.current_bytes()
    peaks = sampler.reset()
    assert (peaks.rss_bytes, peaks.gpu_used_bytes, peaks.min_available_bytes) == (50, 7, 900)
    assert sampler.peak_bytes() == 5  # after the reset: only the newest readings count


def test_the_background_thread_samples_until_stopped():
    monitor = ScriptedMonitor([sample(i) for i in range(1, 1000)])
    with BackgroundSampler(monitor, interval=0.01) as sampler:
        time.sleep(0.2)
    taken = sampler.peaks.samples
    assert taken >= 5
    time.sleep(0.05)
    assert sampler.peaks.samples == taken  # stopped: no more samples


def test_the_system_monitor_reads_this_process_and_no_gpu_here():
    monitor = SystemMonitor(uss=True)
    assert isinstance(monitor, ResourceMonitor)
    reading = monitor.sample()
    assert reading.rss_bytes > 10_000_000 and reading.available_bytes > 0
    assert reading.uss_bytes is not None and 0 < reading.uss_bytes <= reading.rss_bytes
    if not NvmlGpus().available:
        assert reading.gpus == () and reading.gpu_used_bytes == 0


def test_a_failing_monitor_never_stops_the_work():
    class Flaky:
        calls = 0

        def sample(self) -> ResourceSample:
            self.calls += 1
            if self.calls > 1:
                raise OSError("gone")
            return sample(1)

    with BackgroundSampler(Flaky(), interval=0.01) as sampler:
        time.sleep(0.05)
    assert sampler.peaks.rss_bytes == 1


def test_bad_intervals_and_empty_scripts_are_refused():
    with pytest.raises(ValueError, match="interval"):
        BackgroundSampler(ScriptedMonitor([sample(1)]), interval=0)
    with pytest.raises(ValueError, match="at least one"):
        ScriptedMonitor([])
