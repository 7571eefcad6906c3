"""Grids and tasks as terminal text: colored blocks on a color terminal, digits otherwise."""

from __future__ import annotations

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Task

# xterm-256 colors nearest the ARC palette.
_ANSI = (16, 26, 203, 41, 220, 248, 201, 208, 117, 88)


def grid_text(grid: Grid, *, color: bool) -> list[str]:
    if not color:
        return [" ".join(str(int(v)) for v in row) for row in grid.cells]
    return ["".join(f"\x1b[48;5;{_ANSI[int(v)]}m  " for v in row) + "\x1b[0m" for row in grid.cells]


def task_text(task: Task, *, color: bool) -> str:
    """The task's demonstrations and tests, one block after another, labelled."""
    lines = [
        f"task {task.id}: {len(task.train)} demonstrations, {len(task.test_inputs)} test inputs"
    ]
    for i, ex in enumerate(task.train, 1):
        lines += [
            "",
            f"demo {i} input {ex.input.height}x{ex.input.width}",
            *grid_text(ex.input, color=color),
        ]
        lines += [
            f"demo {i} output {ex.output.height}x{ex.output.width}",
            *grid_text(ex.output, color=color),
        ]
    for i, g in enumerate(task.test_inputs, 1):
        lines += ["", f"test {i} input {g.height}x{g.width}", *grid_text(g, color=color)]
        if task.test_outputs is not None:
            out = task.test_outputs[i - 1]
            lines += [
                f"test {i} expected output {out.height}x{out.width}",
                *grid_text(out, color=color),
            ]
    return "\n".join(lines)
