"""Tiny tasks of one rule, "each cell becomes a 2 x 2 block", written as ARC JSON files: what the
in-process CLI tests solve with the scripted model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from arc_ttt import Grid
from arc_ttt.domain.arc_json import task_to_json
from arc_ttt.domain.task import Example, Task


def upscale(g: Grid) -> Grid:
    return Grid.from_array(np.kron(g.cells, np.ones((2, 2), dtype=np.uint8)))


def write_upscale_tasks(folder: Path, n: int) -> Path:
    """``n`` tasks ``t0``..``t<n-1>`` (two demonstrations, one test input with its output) as
    ``folder/t<i>.json``; returns ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        grids = [Grid([[i + 1, 0], [0, i + 2]]), Grid([[i + 3]]), Grid([[0, i + 4, 5]])]
        task = Task(
            f"t{i}",
            tuple(Example(g, upscale(g)) for g in grids[:2]),
            (grids[2],),
            (upscale(grids[2]),),
        )
        (folder / f"t{i}.json").write_text(json.dumps(task_to_json(task)))
    return folder
