"""``CandidateSource`` over a file another solver wrote (``submission.json`` or
``arc_ttt.candidates/1``, see ``arc_ttt.domain.candidates_file``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from arc_ttt.domain.arc_json import parse_json_text
from arc_ttt.domain.candidates import CandidateBudget, Effort, Proposals
from arc_ttt.domain.candidates_file import CandidatesFile, parse_candidates
from arc_ttt.domain.errors import InvalidCandidatesError, InvalidTaskError
from arc_ttt.domain.task import Task

log = logging.getLogger(__name__)


class FileCandidateSource:
    """Reads the file once, at construction: a missing or unreadable file, or one in neither
    format, raises ``InvalidCandidatesError``; bad tasks are logged (``problems``) and left
    out. A task the file lacks gets no candidates."""

    name = "file"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        source = str(self.path)
        try:
            text = self.path.read_bytes()
        except OSError as e:
            raise InvalidCandidatesError(f"cannot read: {e.strerror or e}", source=source) from e
        try:
            obj = parse_json_text(text, source=source)
        except InvalidTaskError as e:
            raise InvalidCandidatesError(e.reason, source=source) from e
        self.file: CandidatesFile = parse_candidates(obj, source=source)
        for problem in self.file.problems:
            log.warning("candidates file: skipped %s", problem)

    @property
    def problems(self) -> tuple[InvalidCandidatesError, ...]:
        return self.file.problems

    def propose(self, task: Task, budget: CandidateBudget) -> Proposals:
        start = time.monotonic()
        found = self.file.tasks.get(task.id)
        n = len(task.test_inputs)
        notes: tuple[str, ...] = ()
        if found is None:
            tests: tuple[tuple, ...] = ((),) * n
            notes = (f"{self.path.name} has no candidates for task {task.id}",)
        else:
            tests = tuple(found[i] if i < len(found) else () for i in range(n))
            if len(found) != n:
                notes = (
                    f"{self.path.name}: task {task.id} has {len(found)} entries for {n} test "
                    "input(s); extra entries ignored, missing ones empty",
                )
        effort = Effort(time.monotonic() - start, "read", notes=notes)
        return Proposals(task.id, self.name, tests, effort)

    def propose_many(self, tasks: Sequence[Task], budget: CandidateBudget) -> Iterator[Proposals]:
        for task in tasks:
            yield self.propose(task, budget)
