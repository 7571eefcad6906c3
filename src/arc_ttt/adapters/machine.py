"""The machine a run used, in words: CPU model, logical CPUs and NVIDIA GPUs (through NVML)."""

from __future__ import annotations

import contextlib
import logging
import os
import platform
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def machine() -> dict[str, Any]:
    """``{"cpu": model name, "cpu_count": logical CPUs, "gpus": [GPU names]}`` (no GPU: [])."""
    return {"cpu": cpu_name(), "cpu_count": os.cpu_count(), "gpus": gpu_names()}


def cpu_name(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name (Linux: /proc/cpuinfo), else what ``platform`` knows."""
    try:
        for line in cpuinfo.read_text(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() in ("model name", "Model", "Hardware") and value.strip():
                return value.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def gpu_names() -> list[str]:
    """Each NVIDIA GPU's name with its memory; empty without a GPU, a driver or nvidia-ml-py."""
    try:
        import pynvml  # noqa: PLC0415 - nvidia-ml-py: optional at run time

        pynvml.nvmlInit()
    except Exception as e:
        log.info("no NVIDIA GPU names (%s): %s", type(e).__name__, e)
        return []
    try:
        names = []
        for i in range(pynvml.nvmlDeviceGetCount()):
            handle = pynvml.nvmlDeviceGetHandleByIndex(i)
            name = pynvml.nvmlDeviceGetName(handle)
            name = name.decode() if isinstance(name, bytes) else str(name)
            total = pynvml.nvmlDeviceGetMemoryInfo(handle).total
            names.append(f"{name} ({total / 2**30:.0f} GiB)")
        return names
    except Exception as e:
        log.info("NVIDIA GPU names unreadable (%s): %s", type(e).__name__, e)
        return []
    finally:
        with contextlib.suppress(Exception):  # a failed shutdown changes nothing for us
            pynvml.nvmlShutdown()
