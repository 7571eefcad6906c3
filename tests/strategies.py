"""Hypothesis strategies for ARC objects."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from arc_ttt.domain.augmentation import Augmentation, ColorPermutation, Dihedral
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Example, Task


@st.composite
def grids(draw: st.DrawFn, max_side: int = 30) -> Grid:
    h = draw(st.integers(1, max_side))
    w = draw(st.integers(1, max_side))
    cells = draw(arrays(np.uint8, (h, w), elements=st.integers(0, 9)))
    return Grid.from_array(cells)


small_grids = grids(max_side=8)


@st.composite
def tasks(draw: st.DrawFn, max_side: int = 8, with_outputs: bool = True) -> Task:
    n_train = draw(st.integers(1, 4))
    train = tuple(Example(draw(grids(max_side)), draw(grids(max_side))) for _ in range(n_train))
    n_test = draw(st.integers(1, 2))
    inputs = tuple(draw(grids(max_side)) for _ in range(n_test))
    outputs = tuple(draw(grids(max_side)) for _ in range(n_test)) if with_outputs else None
    return Task(draw(st.from_regex(r"[0-9a-f]{8}", fullmatch=True)), train, inputs, outputs)


color_permutations = st.permutations(list(range(10))).map(lambda p: ColorPermutation(tuple(p)))
dihedrals = st.sampled_from(list(Dihedral))


@st.composite
def augmentations(draw: st.DrawFn, n_train: int) -> Augmentation:
    order = tuple(draw(st.permutations(list(range(n_train)))))
    return Augmentation(draw(dihedrals), draw(color_permutations), order)
