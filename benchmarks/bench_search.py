"""Program search throughput: programs evaluated per second, against bare operation speed.

    python -m pytest benchmarks/bench_search.py -p no:cacheprovider

Work: an exhaustive depth-2 search (no deadline) of four fixed ARC-AGI-1 *training* tasks of
the design part. A "program evaluated" is one operation applied to a whole state (every
demonstration input and test input) and the result deduplicated and fitted.

- ``test_search_depth2``: the search itself; figures: programs/s, states/s, states kept.
- ``test_bare_operations``: the baseline at its best, the same operations applied to the same
  root states in a tight loop with no deduplication, fitting or bookkeeping. The ratio
  search/bare is the share of time the search spends applying operations.
"""

from __future__ import annotations

import time

import pytest

from arc_ttt import load_tasks
from arc_ttt.domain.search import SearchOptions, search
from arc_ttt.domain.search.engine import _Walk

TASKS = ("007bbfb7", "1b2d62fb", "1f85a75f", "22168020")
_RATES: dict[str, float] = {}


@pytest.fixture(scope="module")
def tasks():
    collection = load_tasks("arc-agi-1/training")
    return [collection.get(t) for t in TASKS]


def test_search_depth2(benchmark, figures, tasks) -> None:
    options = SearchOptions(max_depth=2, seconds=None)
    # exhaustive: a fit at depth 1 must not end the walk early, so search depth 2 explicitly
    counts = {}

    def run() -> None:
        counts["applications"] = counts["states"] = 0
        for task in tasks:
            result = search(task, options)
            counts["applications"] += result.applications
            counts["states"] += result.states

    t0 = time.perf_counter()
    benchmark.pedantic(run, rounds=3, iterations=1)
    best = benchmark.stats.stats.min
    rate = counts["applications"] / best
    _RATES["search"] = rate
    figures["programs_per_s"] = round(rate)
    figures["states_per_s"] = round(counts["states"] / best)
    figures["wall_s_all_rounds"] = round(time.perf_counter() - t0, 2)


def test_bare_operations(benchmark, figures, tasks) -> None:
    walks = [_Walk(t, SearchOptions(), None, time.monotonic) for t in tasks]
    roots = [tuple(w.xs + w.tests) for w in walks]
    total = sum(len(w.ops) for w in walks)

    def run() -> None:
        for walk, root in zip(walks, roots, strict=True):
            for op in walk.ops:
                for grid in root:
                    op.apply(grid)

    benchmark.pedantic(run, rounds=5, iterations=1)
    rate = total / benchmark.stats.stats.min
    figures["operations_per_s"] = round(rate)
    if "search" in _RATES:
        figures["search_over_bare"] = round(_RATES["search"] / rate, 3)
