"""Use case: explain a task, i.e. the programs the search finds for it, best first, each with the
demonstrations it reproduces and the outputs it gives for the test inputs.

Which demonstrations a program fits is read off the search itself: the demonstration inputs
ride along as extra test inputs, so every finding also carries its grid for each of them (the
search never looks at test outputs, so this changes nothing it decides).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.grid import Grid
from arc_ttt.domain.search import Finding, SearchOptions, SearchResult
from arc_ttt.domain.task import Task

Search = Callable[..., SearchResult]


@dataclass(frozen=True)
class ExplainedProgram:
    """One finding: its provenance, which demonstrations it reproduces, its test outputs."""

    finding: Finding
    fits: tuple[bool, ...]  # per demonstration
    test_outputs: tuple[Grid, ...]

    def to_record(self) -> dict[str, Any]:
        return {
            **self.finding.describe(),
            "fits": list(self.fits),
            "fits_all": all(self.fits),
            "test_outputs": [g.to_lists() for g in self.test_outputs],
        }


@dataclass(frozen=True)
class Explanation:
    task_id: str
    programs: tuple[ExplainedProgram, ...]
    result: SearchResult

    def to_record(self) -> dict[str, Any]:
        r = self.result
        return {
            "task_id": self.task_id,
            "stopped_because": r.stopped_because,
            "seconds": round(r.seconds, 3),
            "states": r.states,
            "depth_reached": r.depth_reached,
            "programs": [p.to_record() for p in self.programs],
        }


def explain(task: Task, options: SearchOptions, search: Search) -> Explanation:
    """Search ``task`` (its test outputs unused) with ``search`` (``arc_ttt.domain.search.search``
    or a stand-in) and explain every finding."""
    n = len(task.train)
    riding = Task(task.id, task.train, tuple(e.input for e in task.train) + task.test_inputs)
    result = search(riding, options)
    programs = []
    for f in result.findings:
        fits = tuple(f.outputs[i] == task.train[i].output for i in range(n))
        programs.append(ExplainedProgram(_trimmed(f, n), fits, f.outputs[n:]))
    return Explanation(task.id, tuple(programs), result)


def _trimmed(f: Finding, n: int) -> Finding:
    return Finding(f.program, f.outputs[n:], f.kind, f.agreement)


def explanation_text(e: Explanation) -> str:
    """The explanation for a terminal: one block per program, test outputs as digit rows."""
    r = e.result
    lines = [
        f"task {e.task_id}: {len(e.programs)} program(s), search {r.stopped_because} after "
        f"{r.seconds:.1f} s ({r.states} states, depth {r.depth_reached})"
    ]
    if not e.programs:
        lines.append("no program found")
    for k, p in enumerate(e.programs, start=1):
        d = p.finding.describe()
        fitted = [str(i + 1) for i, ok in enumerate(p.fits) if ok]
        lines.append(
            f"{k}. {d['program']}  [{d['kind']}, depth {d['depth']}, cost {d['cost']}, "
            f"agreement {d['agreement']}]"
        )
        lines.append(
            f"   fits demonstrations: {', '.join(fitted) or 'none'} ({len(fitted)}/{len(p.fits)})"
        )
        for t, grid in enumerate(p.test_outputs, start=1):
            lines.append(f"   test {t} output ({grid.height}x{grid.width}):")
            lines.extend(f"     {row}" for row in str(grid).splitlines())
    return "\n".join(lines)
