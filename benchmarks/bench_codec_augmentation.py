"""Codec and augmentation throughput on the 400 bundled ARC-AGI-1 training tasks.

    python -m pytest benchmarks/bench_codec_augmentation.py -p no:cacheprovider

- encode: ``encode_task`` (prompt + target) of every test input of every task: grids/s, tokens/s;
- decode: ``decode_grid`` of every test output's target tokens (as a model would generate them);
- augmentation apply: one seeded random view (D8 x colors x demonstration order) per task,
  ``Augmentation.apply_task`` on every grid of the task;
- augmentation invert: ``invert_grid`` of every grid of those views back to the original;
- TTT set: ``build_ttt_set`` (leave-one-out, 8 copies each, the solve default) per task.

Figures from the mean round; pure Python + numpy, no torch.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

from arc_ttt import load_tasks
from arc_ttt.domain.augmentation import Augmentation, random_augmentation
from arc_ttt.domain.codec import Encoded, decode_grid, encode_target, encode_task
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set

ROUNDS = 5


@pytest.fixture(scope="module")
def tasks() -> list[Task]:
    return list(load_tasks("arc-agi-1/training"))


def _grids(task: Task) -> list[Grid]:
    grids = [g for e in task.train for g in (e.input, e.output)]
    return grids + list(task.test_inputs) + list(task.test_outputs or ())


def _rate(benchmark: Any, figures: Any, grids: int, tokens: int | None = None) -> None:
    mean = benchmark.stats.stats.mean
    figures["grids"] = grids
    figures["grids/s"] = round(grids / mean)
    if tokens is not None:
        figures["tokens"] = tokens
        figures["tokens/s"] = round(tokens / mean)


def test_encode(benchmark: Any, figures: Any, tasks: list[Task]) -> None:
    def encode_all() -> list[tuple[Encoded, Encoded | None]]:
        return [encode_task(t, i) for t in tasks for i in range(len(t.test_inputs))]

    out = benchmark.pedantic(encode_all, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    # Each prompt holds every demonstration grid and the test input; the target the test output.
    grids = sum(2 * len(t.train) + 2 for t in tasks for _ in t.test_inputs)
    tokens = sum(len(p) + (len(a) if a is not None else 0) for p, a in out)
    _rate(benchmark, figures, grids, tokens)


def test_decode(benchmark: Any, figures: Any, tasks: list[Task]) -> None:
    answers = [
        (encode_target(g, 0).tokens, g) for t in tasks if t.test_outputs for g in t.test_outputs
    ]

    def decode_all() -> list[Grid]:
        return [decode_grid(tokens) for tokens, _ in answers]

    out = benchmark.pedantic(decode_all, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    assert out == [g for _, g in answers]
    _rate(benchmark, figures, len(answers), sum(len(tok) for tok, _ in answers))


@pytest.fixture(scope="module")
def views(tasks: list[Task]) -> list[tuple[Task, Augmentation]]:
    rng = random.Random(0)
    return [(t, random_augmentation(rng, len(t.train))) for t in tasks]


def test_augmentation_apply(
    benchmark: Any, figures: Any, views: list[tuple[Task, Augmentation]]
) -> None:
    def apply_all() -> list[Task]:
        return [aug.apply_task(t) for t, aug in views]

    benchmark.pedantic(apply_all, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    grids = sum(len(_grids(t)) for t, _ in views)
    _rate(
        benchmark,
        figures,
        grids,
        sum(g.height * (g.width + 1) for t, _ in views for g in _grids(t)),
    )


def test_augmentation_invert(
    benchmark: Any, figures: Any, views: list[tuple[Task, Augmentation]]
) -> None:
    seen = [(aug, _grids(aug.apply_task(t)), _grids(t)) for t, aug in views]

    def invert_all() -> list[list[Grid]]:
        return [[aug.invert_grid(g) for g in grids] for aug, grids, _ in seen]

    out = benchmark.pedantic(invert_all, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    # Order of the demonstrations aside, every grid comes back as it was.
    assert all(Counter(a) == Counter(o) for a, (_, _, o) in zip(out, seen, strict=True))
    grids = sum(len(g) for _, g, _ in seen)
    _rate(benchmark, figures, grids, sum(g.height * (g.width + 1) for _, gs, _ in seen for g in gs))


def test_ttt_set(benchmark: Any, figures: Any, tasks: list[Task]) -> None:
    options = TTTSetOptions()

    def build_all() -> list[int]:
        return [len(s) for t in tasks for s in build_ttt_set(t, options, seed=0)]

    lengths = benchmark.pedantic(build_all, rounds=2, iterations=1)
    mean = benchmark.stats.stats.mean
    figures["sequences"] = len(lengths)
    figures["sequences/s"] = round(len(lengths) / mean)
    figures["tokens/s"] = round(sum(lengths) / mean)
    figures["tasks/s"] = round(len(tasks) / mean, 1)
