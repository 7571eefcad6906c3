"""What an inference engine returns: predictions, and latency statistics over served requests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from arc_ttt.domain.codec import decode_grid
from arc_ttt.domain.errors import GridDecodeError
from arc_ttt.domain.grid import Grid


@dataclass(frozen=True, slots=True)
class Prediction:
    """One greedy answer: its tokens (ending with END when ``complete``), their summed
    log-probability, the grid they spell (None when they spell none), and the request's seconds."""

    tokens: tuple[int, ...]
    logprob: float
    complete: bool
    seconds: float

    @property
    def grid(self) -> Grid | None:
        """The decoded grid, or None for an incomplete or malformed answer."""
        try:
            return decode_grid(self.tokens)
        except GridDecodeError:
            return None


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Request latencies in seconds (nearest-rank percentiles) and generated tokens per second
    of busy time. All zero before the first request."""

    requests: int
    p50: float
    p95: float
    p99: float
    mean: float
    tokens: int
    tokens_per_second: float

    @classmethod
    def of(cls, seconds: Sequence[float], tokens: int) -> LatencyStats:
        """Statistics of the given request durations and the tokens they generated."""
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0, 0.0, tokens, 0.0)
        ordered = sorted(seconds)
        busy = sum(ordered)
        return cls(
            len(ordered),
            percentile(ordered, 50),
            percentile(ordered, 95),
            percentile(ordered, 99),
            busy / len(ordered),
            tokens,
            tokens / busy if busy > 0 else 0.0,
        )


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile ``q`` (0 < q <= 100) of ascending ``ordered`` values."""
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile q must be in (0, 100], got {q}")
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[rank - 1]
