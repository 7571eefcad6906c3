"""A solve report as an HTML fragment for Jupyter (``SolveReport._repr_html_``).

The score, then one row per task: its score, each test input's verdict (right / wrong / not
known) and its two attempts as small colored grids. Same palette and escaping as the run report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arc_ttt.application.report_card import escape, seconds_text
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.picture import GRID_LINE, PALETTE, RIGHT, WRONG

if TYPE_CHECKING:
    from arc_ttt.application.solve import SolveReport, TaskResult


def solve_report_html(report: SolveReport) -> str:
    """The report as one ``<div>``: summary line, then a table of the tasks."""
    solved = sum(1 for r in report.results if r.score == 1.0)
    score = "not known (no solutions)" if report.score is None else f"{report.score:.4f}"
    summary = (
        f"<p><b>score {score}</b>: {solved}/{len(report.results)} tasks fully solved "
        f"in {seconds_text(report.seconds)}"
        + (
            f"; stopped early, {len(report.unsolved)} task(s) not done"
            if report.interrupted
            else ""
        )
        + "</p>"
    )
    rows = "".join(_row(r) for r in report.results)
    return (
        f"<div class=arc-ttt-report>{summary}<table><thead><tr><th>task</th><th>score</th>"
        f"<th>test inputs</th><th>time</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _row(result: TaskResult) -> str:
    tests = []
    for i, attempts in enumerate(result.attempts):
        right = None if result.correct is None else result.correct[i]
        verdict = {True: "right", False: "wrong", None: "not known"}[right]
        color = {True: RIGHT, False: WRONG, None: GRID_LINE}[right]
        tests.append(
            f'<span class="test {verdict.replace(" ", "-")}" style="display:inline-block;'
            f'margin:2px;padding:2px;border:2px solid {color}">{_grid(attempts.attempt_1)}'
            f" {_grid(attempts.attempt_2)}<br><small>{verdict}</small></span>"
        )
    return (
        f'<tr data-task-id="{escape(result.task_id)}"><td>{escape(result.task_id)}</td>'
        f"<td>{'unknown' if result.score is None else f'{result.score:.2f}'}</td><td>{''.join(tests)}</td>"
        f"<td>{seconds_text(result.seconds)}</td></tr>"
    )


def _grid(grid: Grid) -> str:
    # Inline styles: a notebook shows the fragment without the run report's stylesheet.
    cells = "".join(
        "<tr>"
        + "".join(
            f'<td style="width:8px;height:8px;padding:0;background:{PALETTE[v]};'
            f'border:1px solid {GRID_LINE}"></td>'
            for v in row
        )
        + "</tr>"
        for row in grid.to_lists()
    )
    return f'<table style="display:inline-table;border-collapse:collapse">{cells}</table>'
