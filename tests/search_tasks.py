"""Planted-program tasks for the search tests: random grids, a known composition of grid
transformations applied to each, and the task the search has to solve.

The transformations are written here again with plain numpy, independently of
``arc_ttt.domain.search``, so a planted task states what a user expects ("rotate, then crop"),
not what the language happens to do.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Example, Task

Array = np.ndarray
Transform = Callable[[Array], "Array | None"]


def g(rows: list[list[int]]) -> Array:
    """A hand-written grid as the search's working type."""
    return np.array(rows, dtype=np.uint8)


def changes_nothing(out: Array | None, a: Array) -> bool:
    """A function that has nothing to do either does not apply or gives its input back."""
    return out is None or (out.shape == a.shape and np.array_equal(out, a))


def task_of(
    pairs: list[tuple[Array, Array]],
    test_input: Array,
    test_output: Array | None = None,
    name: str = "t",
) -> Task:
    """A task from demonstration pairs and one test input (with its output when given)."""
    train = tuple(Example(Grid.from_array(x), Grid.from_array(y)) for x, y in pairs)
    outputs = None if test_output is None else (Grid.from_array(test_output),)
    return Task(name, train, (Grid.from_array(test_input),), outputs)


# --- the planted transformations --------------------------------------------------------------


def _fits(a: Array) -> Array | None:
    return a if 0 < a.shape[0] <= 30 and 0 < a.shape[1] <= 30 else None


def _crop(a: Array) -> Array | None:
    ys, xs = np.nonzero(a)
    if ys.size == 0:
        return None
    return a[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _slide(line: Array, to_end: bool) -> Array:
    kept = line[line != 0]
    out = np.zeros_like(line)
    if kept.size:
        if to_end:
            out[line.size - kept.size :] = kept
        else:
            out[: kept.size] = kept
    return out


def _gravity(direction: str) -> Transform:
    """Cells slide toward an edge, keeping their order: ``down`` moves them to the last row."""
    axis = 0 if direction in ("down", "up") else 1
    to_end = direction in ("down", "right")
    return lambda a: np.apply_along_axis(_slide, axis, a, to_end)


def _keep(c: int) -> Transform:
    return lambda a: (
        np.where(a == c, a, 0).astype(np.uint8) if (a == c).any() and not (a == c).all() else None
    )


def _drop(c: int) -> Transform:
    return lambda a: np.where(a == c, 0, a).astype(np.uint8) if (a == c).any() else None


def _outside(a: Array) -> Array:
    """Background cells 4-connected to the edge through background."""
    h, w = a.shape
    reach = np.zeros((h, w), dtype=bool)
    stack = [
        (y, x)
        for y in range(h)
        for x in range(w)
        if (y in (0, h - 1) or x in (0, w - 1)) and a[y, x] == 0
    ]
    for y, x in stack:
        reach[y, x] = True
    while stack:
        y, x = stack.pop()
        for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
            if 0 <= ny < h and 0 <= nx < w and not reach[ny, nx] and a[ny, nx] == 0:
                reach[ny, nx] = True
                stack.append((ny, nx))
    return reach


def _fill_enclosed(c: int) -> Transform:
    def run(a: Array) -> Array | None:
        hole = (a == 0) & ~_outside(a)
        return np.where(hole, np.uint8(c), a).astype(np.uint8) if hole.any() else None

    return run


def _outline(c: int) -> Transform:
    def run(a: Array) -> Array | None:
        p = np.pad(a != 0, 1)
        near = p[:-2, 1:-1] | p[2:, 1:-1] | p[1:-1, :-2] | p[1:-1, 2:]
        mask = near & (a == 0)
        return np.where(mask, np.uint8(c), a).astype(np.uint8) if mask.any() else None

    return run


def _recolor(src: int, dst: int) -> Transform:
    return lambda a: (
        np.where(a == src, np.uint8(dst), a).astype(np.uint8) if (a == src).any() else None
    )


def _scale(k: int) -> Transform:
    return lambda a: _fits(np.kron(a, np.ones((k, k), dtype=np.uint8)))


def _tile(r: int, c: int) -> Transform:
    return lambda a: _fits(np.tile(a, (r, c)))


def _mirror_four(a: Array) -> Array | None:
    top = np.hstack([a, a[:, ::-1]])
    return _fits(np.vstack([top, top[::-1]]))


def planted_transforms(colors: tuple[int, int, int]) -> dict[str, Transform]:
    """The transformations a planted program is made of; ``colors``: the task's three object
    colors (the first is recolored, kept or dropped; the last fills and outlines)."""
    a, _, c = colors
    return {
        "rot90": lambda x: np.rot90(x, 1),
        "rot180": lambda x: np.rot90(x, 2),
        "rot270": lambda x: np.rot90(x, 3),
        "flip_lr": lambda x: x[:, ::-1],
        "flip_ud": lambda x: x[::-1, :],
        "transpose": lambda x: x.T,
        "anti_transpose": lambda x: x[::-1, ::-1].T,
        "crop": _crop,
        "scale_up(2)": _scale(2),
        "scale_up(3)": _scale(3),
        "tile(1x2)": _tile(1, 2),
        "tile(2x1)": _tile(2, 1),
        "tile(2x2)": _tile(2, 2),
        "mirror_right": lambda x: _fits(np.hstack([x, x[:, ::-1]])),
        "mirror_down": lambda x: _fits(np.vstack([x, x[::-1]])),
        "mirror_four": _mirror_four,
        "gravity(down)": _gravity("down"),
        "gravity(up)": _gravity("up"),
        "gravity(left)": _gravity("left"),
        "gravity(right)": _gravity("right"),
        f"keep_color({a})": _keep(a),
        f"drop_color({a})": _drop(a),
        f"recolor({a}->{c})": _recolor(a, c),
        f"fill_enclosed({c})": _fill_enclosed(c),
        f"outline({c})": _outline(c),
    }


# --- random inputs ----------------------------------------------------------------------------


def random_input(rng: random.Random, colors: tuple[int, int, int]) -> Array:
    """A 3..7 x 3..7 grid on background 0: a frame of the second color around background (so
    something is enclosed) and scattered cells of the first two colors, with an empty margin on
    some sides (so cropping changes it)."""
    h, w = rng.randint(4, 7), rng.randint(4, 7)
    a = np.zeros((h, w), dtype=np.uint8)
    top, left = rng.randint(0, 1), rng.randint(0, 1)
    fh, fw = rng.randint(3, h - top), rng.randint(3, w - left)
    a[top : top + fh, left : left + fw] = colors[1]
    a[top + 1 : top + fh - 1, left + 1 : left + fw - 1] = 0
    for _ in range(rng.randint(2, 5)):
        y, x = rng.randrange(top, h), rng.randrange(left, w)
        a[y, x] = rng.choice(colors[:2])
    return a


@dataclass(frozen=True)
class Planted:
    """A task made by a known program, and the test output that program gives."""

    program: tuple[str, ...]
    task: Task

    @property
    def text(self) -> str:
        return " | ".join(self.program)

    @property
    def expected(self) -> Grid:
        assert self.task.test_outputs is not None
        return self.task.test_outputs[0]


def _run(steps: list[Transform], a: Array) -> Array | None:
    for step in steps:
        out = step(a)
        if out is None or _fits(out) is None:
            return None
        a = np.ascontiguousarray(out, dtype=np.uint8)
    return a


def planted_task(rng: random.Random, depth: int, index: int = 0, attempts: int = 200) -> Planted:
    """A task of 3 or 4 demonstrations and one test input, all made by one random program of
    ``depth`` planted transformations. The program applies to every input, and changes at least
    one demonstration (a program that changes nothing would be solved by the empty program)."""
    for _ in range(attempts):
        colors = tuple(rng.sample(range(1, 10), 3))
        table = planted_transforms(colors)  # type: ignore[arg-type]
        names = [rng.choice(sorted(table)) for _ in range(depth)]
        steps = [table[n] for n in names]
        n_train = rng.randint(3, 4)
        inputs = [random_input(rng, colors) for _ in range(n_train + 1)]  # type: ignore[arg-type]
        outputs = [_run(steps, x) for x in inputs]
        if any(o is None for o in outputs):
            continue
        if all(
            o.shape == x.shape and np.array_equal(o, x)
            for o, x in zip(outputs, inputs, strict=True)
            if o is not None
        ):
            continue
        pairs = [
            (x, o)
            for x, o in zip(inputs[:n_train], outputs[:n_train], strict=True)
            if o is not None
        ]
        test_out = outputs[-1]
        assert test_out is not None
        return Planted(
            tuple(names), task_of(pairs, inputs[-1], test_out, name=f"planted{depth}-{index}")
        )
    raise RuntimeError(f"no applicable program of depth {depth} in {attempts} attempts")


def planted_tasks(seed: int, n: int, depths: tuple[int, ...] = (1, 2)) -> list[Planted]:
    """``n`` planted tasks, their depths taken in turn from ``depths``; fixed by ``seed``."""
    rng = random.Random(seed)
    return [planted_task(rng, depths[i % len(depths)], i) for i in range(n)]
