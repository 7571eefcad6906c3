"""Candidates written by another solver: ARC Prize ``submission.json`` or ``arc_ttt.candidates/1``.

``arc_ttt.candidates/1`` (docs/search.md, "Candidates files")::

    {"format": "arc_ttt.candidates/1",
     "solver": "my-solver",                       # optional, recorded in provenance
     "tasks": {"<task id>": [                     # one list per test input, in order
         [{"grid": [[...]], "score": 0.9, "program": "..."}, ...],   # best first
         ...]}}

Each candidate needs ``grid``; ``score`` (a number) and ``program`` (a string) are optional;
any other keys are kept in the provenance. A task whose entry is bad is reported (named by
file, task and field) and left out; the good tasks are kept.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arc_ttt.domain.candidates import Candidate
from arc_ttt.domain.errors import InvalidCandidatesError, InvalidGridError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.scoring import ATTEMPT_KEYS

FORMAT = "arc_ttt.candidates/1"
SOURCE = "file"


@dataclass(frozen=True)
class CandidatesFile:
    """Parsed candidates: task id -> per test input, candidates best first; and the problems."""

    tasks: Mapping[str, tuple[tuple[Candidate, ...], ...]]
    problems: tuple[InvalidCandidatesError, ...] = ()
    format: str = FORMAT


def parse_candidates(obj: Any, *, source: str) -> CandidatesFile:
    """Parse a decoded file of either format. A file that is neither raises
    ``InvalidCandidatesError``; a bad task is in ``problems`` and left out."""
    if not isinstance(obj, Mapping):
        raise InvalidCandidatesError(
            f"expected a JSON object (a submission or {FORMAT}), got {type(obj).__name__}",
            source=source,
        )
    if "format" in obj:
        if obj["format"] != FORMAT:
            raise InvalidCandidatesError(
                f"unknown format {obj['format']!r}, expected {FORMAT!r}",
                source=source,
                field="format",
            )
        tasks = obj.get("tasks")
        if not isinstance(tasks, Mapping):
            raise InvalidCandidatesError(
                "expected an object of task ids", source=source, field="tasks"
            )
        solver = obj.get("solver")
        extra = {"solver": str(solver)} if solver is not None else {}
        return _parse_tasks(tasks, source, FORMAT, extra, _ranked_entry)
    return _parse_tasks(obj, source, "submission", {}, _attempts_entry)


def _parse_tasks(
    tasks: Mapping[Any, Any], source: str, fmt: str, extra: Mapping[str, Any], entry: Any
) -> CandidatesFile:
    good: dict[str, tuple[tuple[Candidate, ...], ...]] = {}
    problems = []
    name = source.rsplit("/", 1)[-1]
    for task_id, tests in tasks.items():
        tid = str(task_id)
        try:
            if not isinstance(tests, list) or not tests:
                raise _BadEntryError("expected a non-empty list with one entry per test input", "")
            good[tid] = tuple(
                entry(e, f"[{i}]", {"file": name, "format": fmt, **extra})
                for i, e in enumerate(tests)
            )
        except _BadEntryError as e:
            problems.append(
                InvalidCandidatesError(e.reason, source=source, task_id=tid, field=e.field)
            )
    return CandidatesFile(good, tuple(problems), fmt)


class _BadEntryError(Exception):
    def __init__(self, reason: str, field: str) -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


def _grid(value: Any, field: str) -> Grid:
    try:
        return Grid(value)
    except (InvalidGridError, TypeError, ValueError) as e:
        raise _BadEntryError(str(e), field) from e


def _attempts_entry(entry: Any, where: str, base: Mapping[str, Any]) -> tuple[Candidate, ...]:
    if not isinstance(entry, Mapping):
        raise _BadEntryError("expected an object with attempt_1 and attempt_2", where)
    found = [k for k in ATTEMPT_KEYS if k in entry]
    if not found:
        raise _BadEntryError("missing attempt_1 and attempt_2", where)
    out: list[Candidate] = []
    for rank, key in enumerate(found):
        grid = _grid(entry[key], f"{where}.{key}")
        if all(c.grid != grid for c in out):
            out.append(
                Candidate(grid, SOURCE, -float(rank), {**base, "rank": rank, "attempt": key})
            )
    return tuple(out)


def _ranked_entry(entry: Any, where: str, base: Mapping[str, Any]) -> tuple[Candidate, ...]:
    if not isinstance(entry, list):
        raise _BadEntryError("expected a list of candidates, best first", where)
    out: list[Candidate] = []
    for rank, item in enumerate(entry):
        at = f"{where}[{rank}]"
        if not isinstance(item, Mapping) or "grid" not in item:
            raise _BadEntryError("expected an object with a 'grid'", at)
        grid = _grid(item["grid"], f"{at}.grid")
        score = item.get("score", -float(rank))
        if isinstance(score, bool) or not isinstance(score, int | float) or math.isnan(score):
            raise _BadEntryError(f"score must be a number, got {score!r}", f"{at}.score")
        program = item.get("program")
        if program is not None and not isinstance(program, str):
            raise _BadEntryError(
                f"program must be a string, got {type(program).__name__}", f"{at}.program"
            )
        kept = {k: v for k, v in item.items() if k not in ("grid", "score")}
        if all(c.grid != grid for c in out):
            out.append(Candidate(grid, SOURCE, float(score), {**base, **kept, "rank": rank}))
    return tuple(out)
