"""Reading and writing ARC JSON: ``{"train": [{"input", "output"}...], "test": [{"input"[, "output"]}...]}``.

Every problem raises ``InvalidTaskError`` naming the source, the task id and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from arc_ttt.domain.errors import InvalidGridError, InvalidTaskError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.task import Example, Task, TaskCollection


def parse_json_text(text: str | bytes, *, source: str, task_id: str = "") -> Any:
    """``json.loads`` whose failure says where, as an ``InvalidTaskError``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidTaskError(
            f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}",
            source=source,
            task_id=task_id,
        ) from e
    except UnicodeDecodeError as e:
        raise InvalidTaskError(f"not UTF-8 text: {e}", source=source, task_id=task_id) from e
    except RecursionError as e:
        raise InvalidTaskError(
            "JSON nested too deeply (an ARC file nests 3 levels of lists)",
            source=source,
            task_id=task_id,
        ) from e
    except ValueError as e:  # e.g. an integer of more digits than Python converts
        raise InvalidTaskError(f"invalid JSON: {e}", source=source, task_id=task_id) from e


def parse_task(obj: Any, *, task_id: str, source: str = "") -> Task:
    """Build a ``Task`` from a decoded ARC JSON object."""

    def fail(reason: str, field: str = "") -> InvalidTaskError:
        return InvalidTaskError(reason, source=source, task_id=task_id, field=field)

    if not isinstance(obj, Mapping):
        raise fail(f"a task is a JSON object, got {type(obj).__name__}")
    for key in ("train", "test"):
        if key not in obj:
            raise fail(f"missing {key!r}", key)
        if not isinstance(obj[key], list):
            raise fail(f"{key!r} must be a list, got {type(obj[key]).__name__}", key)
    if not obj["train"]:
        raise fail("no train examples", "train")
    if not obj["test"]:
        raise fail("no test inputs", "test")

    def grid(pair: Any, where: str, key: str) -> Grid:
        if not isinstance(pair, Mapping):
            raise fail(
                f"expected an object with 'input' and 'output', got {type(pair).__name__}", where
            )
        if key not in pair:
            raise fail(f"missing {key!r}", where)
        try:
            return Grid(pair[key])
        except InvalidGridError as e:
            raise fail(str(e), f"{where}.{key}") from e

    train = tuple(
        Example(grid(p, f"train[{i}]", "input"), grid(p, f"train[{i}]", "output"))
        for i, p in enumerate(obj["train"])
    )
    test_inputs = tuple(grid(p, f"test[{i}]", "input") for i, p in enumerate(obj["test"]))
    has_output = [isinstance(p, Mapping) and "output" in p for p in obj["test"]]
    test_outputs = None
    if all(has_output):
        test_outputs = tuple(grid(p, f"test[{i}]", "output") for i, p in enumerate(obj["test"]))
    elif any(has_output):
        missing = has_output.index(False)
        raise fail(
            "some test inputs have an output and this one does not", f"test[{missing}].output"
        )
    return Task(task_id, train, test_inputs, test_outputs)


def parse_task_collection(
    challenges: Any, *, name: str, source: str, solutions: Any = None, solutions_source: str = ""
) -> TaskCollection:
    """Parse ``{task_id: task}`` (Kaggle style) with optional ``{task_id: [output, ...]}`` solutions.

    Keeps every good task; each bad one becomes a problem in the result.
    """
    if not isinstance(challenges, Mapping):
        raise InvalidTaskError(
            f"expected an object mapping task ids to tasks, got {type(challenges).__name__}",
            source=source,
        )
    if solutions is not None and not isinstance(solutions, Mapping):
        raise InvalidTaskError(
            f"expected an object mapping task ids to output lists, got {type(solutions).__name__}",
            source=solutions_source,
        )
    tasks: list[Task] = []
    problems: list[InvalidTaskError] = []
    for task_id, obj in challenges.items():
        try:
            unsafe = unsafe_id_reason(str(task_id))
            if unsafe is not None:
                raise InvalidTaskError(
                    f"task id {str(task_id)!r} {unsafe}; ids become file names in caches and "
                    "run folders",
                    source=source,
                    task_id=str(task_id),
                )
            task = parse_task(obj, task_id=str(task_id), source=source)
            if solutions is not None and task_id in solutions:
                task = _with_solutions(task, solutions[task_id], solutions_source)
            tasks.append(task)
        except InvalidTaskError as e:
            problems.append(e)
    return TaskCollection(name, tuple(tasks), tuple(problems))


def unsafe_id_reason(task_id: str) -> str | None:
    """Why a task id cannot name a file safely (``None`` when it can): a path separator, a
    leading dot (``..`` climbs out of a folder), a control character, empty or too long."""
    if not task_id:
        return "is empty"
    if len(task_id) > 200:
        return f"is {len(task_id)} characters long (at most 200)"
    if "/" in task_id or "\\" in task_id:
        return "holds a path separator"
    if task_id.startswith("."):
        return "starts with a dot"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in task_id):
        return "holds a control character"
    return None


def _with_solutions(task: Task, outputs: Any, source: str) -> Task:
    if not isinstance(outputs, list) or len(outputs) != len(task.test_inputs):
        got = len(outputs) if isinstance(outputs, list) else type(outputs).__name__
        raise InvalidTaskError(
            f"expected a list of {len(task.test_inputs)} output grids, got {got}",
            source=source,
            task_id=task.id,
            field="solutions",
        )
    grids = []
    for i, rows in enumerate(outputs):
        try:
            grids.append(Grid(rows))
        except InvalidGridError as e:
            raise InvalidTaskError(
                str(e), source=source, task_id=task.id, field=f"solutions[{i}]"
            ) from e
    return Task(task.id, task.train, task.test_inputs, tuple(grids))


def task_to_json(task: Task) -> dict[str, Any]:
    """The task as ARC JSON (test outputs included when known)."""
    test: list[dict[str, Any]] = []
    for i, g in enumerate(task.test_inputs):
        entry: dict[str, Any] = {"input": g.to_lists()}
        if task.test_outputs is not None:
            entry["output"] = task.test_outputs[i].to_lists()
        test.append(entry)
    return {
        "train": [{"input": e.input.to_lists(), "output": e.output.to_lists()} for e in task.train],
        "test": test,
    }
