"""Inference views: the augmented versions of a task under which candidates are decoded and scored.

The first view is always the task as given; the rest use distinct symmetries (seeded order), each
with a color permutation and a demonstration order of its own (ARChitects, 2024-2025).
"""

from __future__ import annotations

import random

from arc_ttt.domain.augmentation import Augmentation, ColorPermutation, Dihedral
from arc_ttt.domain.task import Task


def choose_views(
    task: Task,
    count: int,
    seed: int,
    *,
    permute_colors: bool = True,
    keep_background: bool = True,
    shuffle_order: bool = True,
) -> list[Augmentation]:
    """``count`` distinct views of ``task`` (1 <= count); identity first; deterministic per seed."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    rng = random.Random(f"views:{seed}:{task.id}")
    others = [d for d in Dihedral if d is not Dihedral.IDENTITY]
    rng.shuffle(others)
    transforms = [Dihedral.IDENTITY, *others]
    views = [Augmentation()]
    seen = {Augmentation()}
    attempts = 0
    while len(views) < count and attempts < 100 * count:
        attempts += 1
        transform = transforms[len(views) % len(transforms)]
        colors = (
            ColorPermutation.random(rng, keep_background=keep_background)
            if permute_colors
            else ColorPermutation.identity()
        )
        order = list(range(len(task.train)))
        if shuffle_order:
            rng.shuffle(order)
        view = Augmentation(transform, colors, tuple(order))
        if view not in seen:
            seen.add(view)
            views.append(view)
    return views
