"""ARC tasks: demonstrations (input -> output pairs), test inputs, and test outputs when known."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from arc_ttt.domain.errors import InvalidTaskError, UnknownTaskError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.picture import task_svg


@dataclass(frozen=True, slots=True)
class Example:
    """One demonstration: an input grid and the output the rule makes of it."""

    input: Grid
    output: Grid


@dataclass(frozen=True, slots=True)
class Task:
    """An ARC task. ``test_outputs`` is ``None`` when the solutions are not known."""

    id: str
    train: tuple[Example, ...]
    test_inputs: tuple[Grid, ...]
    test_outputs: tuple[Grid, ...] | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise InvalidTaskError("task id is empty")
        if not self.train:
            raise InvalidTaskError("no train examples", task_id=self.id, field="train")
        if not self.test_inputs:
            raise InvalidTaskError("no test inputs", task_id=self.id, field="test")
        if self.test_outputs is not None and len(self.test_outputs) != len(self.test_inputs):
            raise InvalidTaskError(
                f"{len(self.test_outputs)} test outputs for {len(self.test_inputs)} test inputs",
                task_id=self.id,
                field="test",
            )

    @property
    def has_solutions(self) -> bool:
        return self.test_outputs is not None

    def grids(self) -> Iterator[Grid]:
        """Every grid of the task, demonstrations first, in a fixed order."""
        for ex in self.train:
            yield ex.input
            yield ex.output
        yield from self.test_inputs
        if self.test_outputs is not None:
            yield from self.test_outputs

    def content_hash(self) -> str:
        """sha256 of the puzzle's content; equal for the same puzzle under any id or order.

        Demonstrations and test inputs are hashed as sorted sets (ARC-AGI-2 re-orders the
        demonstrations of the ARC-AGI-1 tasks it copies); test outputs are left out so a
        challenge and its solved copy hash alike.
        """
        demos = sorted(_grid_digest(e.input) + _grid_digest(e.output) for e in self.train)
        tests = sorted(_grid_digest(g) for g in self.test_inputs)
        return hashlib.sha256(
            "|".join(demos).encode() + b"#" + "|".join(tests).encode()
        ).hexdigest()

    def fingerprints(self) -> frozenset[str]:
        """Digests of each demonstration pair and each test input, for near-duplicate checks."""
        pairs = {"pair:" + _grid_digest(e.input) + _grid_digest(e.output) for e in self.train}
        return frozenset(pairs | {"test:" + _grid_digest(g) for g in self.test_inputs})

    def without_solutions(self) -> Task:
        return Task(self.id, self.train, self.test_inputs, None)

    def _repr_svg_(self) -> str:
        return task_svg(self)


def _grid_digest(grid: Grid) -> str:
    h = hashlib.sha256(f"{grid.height}x{grid.width}:".encode())
    h.update(grid.cells.tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class TaskCollection:
    """Tasks that loaded (sorted by id) and the problems met on the way; nothing good is dropped."""

    name: str
    tasks: tuple[Task, ...]
    problems: tuple[InvalidTaskError, ...] = ()
    _by_id: dict[str, Task] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Task] = {}
        problems = list(self.problems)
        for task in self.tasks:
            if task.id in by_id:
                problems.append(
                    InvalidTaskError(
                        "duplicate task id; the first one is kept",
                        source=self.name,
                        task_id=task.id,
                    )
                )
                continue
            by_id[task.id] = task
        object.__setattr__(self, "tasks", tuple(sorted(by_id.values(), key=lambda t: t.id)))
        object.__setattr__(self, "problems", tuple(problems))
        object.__setattr__(self, "_by_id", by_id)

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._by_id

    def ids(self) -> list[str]:
        return [t.id for t in self.tasks]

    def get(self, task_id: str) -> Task:
        """The task with this id; raises ``UnknownTaskError`` naming the collection, and the
        reason when the id's file or entry was refused as malformed."""
        try:
            return self._by_id[task_id]
        except KeyError:
            reason = self.refusal(task_id)
            if reason is not None:
                raise UnknownTaskError(f"task {task_id!r} was refused: {reason}") from None
            raise UnknownTaskError(
                f"task {task_id!r} is not in {self.name} ({len(self)} tasks)"
            ) from None

    def refusal(self, task_id: str) -> str | None:
        """Why the task with this id was refused while loading (``None`` if it was not)."""
        for problem in self.problems:
            if problem.task_id == task_id:
                return str(problem)
        return None

    def select(self, task_ids: Sequence[str]) -> TaskCollection:
        """The named tasks; every unknown id is reported in one ``UnknownTaskError``, with the
        reason for each one that was refused as malformed."""
        missing = [t for t in task_ids if t not in self._by_id]
        if missing:
            refused = [r for t in missing if (r := self.refusal(t)) is not None]
            unknown = [t for t in missing if self.refusal(t) is None]
            parts = [f"not in {self.name}: {', '.join(unknown)}"] if unknown else []
            parts += [f"refused: {r}" for r in refused]
            raise UnknownTaskError("; ".join(parts))
        return TaskCollection(self.name, tuple(self._by_id[t] for t in task_ids))

    def sample(self, n: int, seed: int | None = None) -> TaskCollection:
        """The first ``n`` tasks by id, or ``n`` drawn at random with ``seed`` when given."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if seed is None:
            chosen: Iterable[Task] = self.tasks[:n]
        else:
            chosen = random.Random(seed).sample(list(self.tasks), min(n, len(self.tasks)))
        return TaskCollection(self.name, tuple(chosen))

    def excluding(self, others: Iterable[Task], *, near: bool = True) -> TaskCollection:
        """These tasks minus those that also appear in ``others``.

        A task appears when its content hash matches (any id, any demonstration order) or, with
        ``near``, when it shares a whole demonstration pair or a test input: ARC-AGI-2 training
        holds ARC-AGI-1 evaluation tasks with a corrected demonstration, which only ``near`` finds.
        """
        hashes: set[str] = set()
        prints: set[str] = set()
        for t in others:
            hashes.add(t.content_hash())
            if near:
                prints |= t.fingerprints()
        kept = tuple(
            t
            for t in self.tasks
            if t.content_hash() not in hashes and not (near and t.fingerprints() & prints)
        )
        return TaskCollection(self.name, kept)
