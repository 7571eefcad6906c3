"""Process memory through psutil (current RSS) and getrusage (peak RSS)."""

from __future__ import annotations

import resource
import sys

import psutil


class ProcessMemoryProbe:
    """Resident memory of this process. The peak is the kernel's high-water mark since start."""

    def __init__(self) -> None:
        self._process = psutil.Process()

    def current_bytes(self) -> int:
        return int(self._process.memory_info().rss)

    def peak_bytes(self) -> int:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # Linux reports KiB, macOS bytes.
        return int(peak if sys.platform == "darwin" else peak * 1024)
