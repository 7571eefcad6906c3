"""Quantiles of timings, as run records and reports state them."""

from __future__ import annotations

import math
from collections.abc import Sequence


def nearest_rank(values: Sequence[float], q: float) -> float | None:
    """The ``q`` quantile by nearest rank: the ceil(q * n)-th smallest value (always one of the
    values; p90 of 10 is the 9th); None for no values. Raises ``ValueError`` unless 0 < q <= 1."""
    if not 0 < q <= 1:
        raise ValueError(f"quantile must be in (0, 1], got {q}")
    if not values:
        return None
    ordered = sorted(values)
    # q * n can land a hair above a whole number (0.07 * 100 = 7.000000000000001): rank 7.
    return ordered[max(1, math.ceil(q * len(ordered) - 1e-9)) - 1]
