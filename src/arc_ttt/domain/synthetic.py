"""Seeded synthetic ARC tasks from rule families with a known rule, for tests and pretraining.

Five lines to a stream of examples of one fixed rule, or to a batch of tasks::

    rng = random.Random(0)
    rule = make_rule("recolor", rng)            # one instance: a fixed color mapping
    example = rule.sample_example(rng, 3, 6)     # fresh input, sides 3..6, and its output
    task = generate_task("gravity", 7)           # id "syn-gravity-7"; the same every time
    tasks = generate_tasks(100, seed=0)          # every family in turn, unique ids
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from arc_ttt.domain.synthetic_object_rules import (
    CountToBar,
    CropLargest,
    CropObject,
    Denoise,
    FillEnclosed,
    KeepLargest,
)
from arc_ttt.domain.synthetic_rule import Rule, SamplingError
from arc_ttt.domain.synthetic_rules import (
    Border,
    FlipHorizontal,
    FlipVertical,
    Gravity,
    MirrorExtend,
    Recolor,
    Rotate,
    Scale,
    Shift,
    Tile,
    Transpose,
)
from arc_ttt.domain.task import Example, Task

__all__ = [
    "FAMILIES",
    "Rule",
    "SamplingError",
    "generate_task",
    "generate_tasks",
    "make_rule",
    "task_from_rule",
    "task_rule",
]

_RULES: dict[str, type[Rule]] = {
    cls.name: cls
    for cls in (
        Recolor,
        FlipHorizontal,
        FlipVertical,
        Rotate,
        Transpose,
        Shift,
        MirrorExtend,
        Scale,
        Tile,
        Border,
        Gravity,
        CropObject,
        CropLargest,
        KeepLargest,
        Denoise,
        FillEnclosed,
        CountToBar,
    )
}
FAMILIES: tuple[str, ...] = tuple(_RULES)
"""Names of the rule families, in the order ``generate_tasks`` cycles through them."""


def make_rule(family: str, rng: random.Random) -> Rule:
    """A fresh instance of ``family`` with its parameters drawn from ``rng``.

    Raises ``ValueError`` naming the known families when ``family`` is not one of them.
    """
    try:
        cls = _RULES[family]
    except KeyError:
        raise ValueError(f"unknown rule family {family!r}; known: {', '.join(FAMILIES)}") from None
    return cls.draw(rng)


def _task_rng(family: str, seed: int) -> random.Random:
    # A string seed hashes the family in (sha512, stable across runs): families stay independent.
    return random.Random(f"syn:{family}:{seed}")


def task_rule(family: str, seed: int) -> Rule:
    """The rule instance that ``generate_task(family, seed)`` demonstrates: its answer key."""
    return make_rule(family, _task_rng(family, seed))


def generate_task(
    family: str,
    seed: int | random.Random,
    *,
    n_train: int | None = None,
    n_test: int = 1,
    min_side: int = 3,
    max_side: int = 10,
) -> Task:
    """One task of ``family`` with id ``syn-<family>-<seed>`` and its test outputs.

    An int ``seed`` fixes the task; a ``random.Random`` first draws a 32-bit seed from itself, so
    the task is still rebuilt from its id. ``n_train`` defaults to 3..5 drawn per task; input sides
    are drawn in ``min_side..max_side`` (narrowed where the rule's output would pass 30 x 30).
    Raises ``ValueError`` for an unknown family or bad counts or sides.
    """
    if isinstance(seed, random.Random):
        seed = seed.getrandbits(32)
    rng = _task_rng(family, seed)
    rule = make_rule(family, rng)
    n = rng.randint(3, 5) if n_train is None else n_train
    return task_from_rule(
        rule,
        rng,
        f"syn-{family}-{seed}",
        n_train=n,
        n_test=n_test,
        min_side=min_side,
        max_side=max_side,
    )


def task_from_rule(
    rule: Rule,
    rng: random.Random,
    task_id: str,
    *,
    n_train: int = 3,
    n_test: int = 1,
    min_side: int = 3,
    max_side: int = 10,
) -> Task:
    """A task demonstrating one given rule instance; every input in it is distinct.

    Raises ``ValueError`` when ``n_train`` or ``n_test`` is below 1 or the sides do not fit the
    rule, and ``SamplingError`` if no distinct inputs can be found (e.g. 1 x 1 grids only).
    """
    if n_train < 1 or n_test < 1:
        raise ValueError(f"need n_train >= 1 and n_test >= 1, got {n_train} and {n_test}")
    rule.side_range(min_side, max_side)  # fail on bad sides before sampling
    examples: list[Example] = []
    seen = set()
    for _ in range(20 * (n_train + n_test)):
        example = rule.sample_example(rng, min_side, max_side)
        # A repeated input teaches nothing and would leak the test answer into the demonstrations.
        if example.input not in seen:
            seen.add(example.input)
            examples.append(example)
        if len(examples) == n_train + n_test:
            train, test = examples[:n_train], examples[n_train:]
            return Task(
                task_id,
                tuple(train),
                tuple(e.input for e in test),
                tuple(e.output for e in test),
            )
    raise SamplingError(f"{rule!r} found too few distinct inputs for {task_id}")


def generate_tasks(
    n: int,
    seed: int,
    families: Sequence[str] | None = None,
    *,
    min_side: int = 3,
    max_side: int = 10,
) -> list[Task]:
    """``n`` tasks cycling through ``families`` (all of ``FAMILIES`` by default), unique ids.

    Each task's own seed is drawn from ``seed``, so a task is rebuilt alone with
    ``generate_task(family, task_seed)`` from the numbers in its id.
    Raises ``ValueError`` for ``n < 0``, an empty or unknown family list, or bad sides.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    names = tuple(FAMILIES if families is None else families)
    if not names:
        raise ValueError("families is empty")
    unknown = [f for f in names if f not in _RULES]
    if unknown:
        raise ValueError(f"unknown rule families {unknown}; known: {', '.join(FAMILIES)}")
    rng = random.Random(seed)
    tasks: list[Task] = []
    used: set[tuple[str, int]] = set()
    while len(tasks) < n:
        family = names[len(tasks) % len(names)]
        task_seed = rng.getrandbits(32)
        if (family, task_seed) in used:
            continue
        used.add((family, task_seed))
        tasks.append(generate_task(family, task_seed, min_side=min_side, max_side=max_side))
    return tasks
