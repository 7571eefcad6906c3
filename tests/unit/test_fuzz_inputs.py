"""Fuzzing what users hand in: ARC task JSON, Kaggle challenges and submission JSON, mutated at
random (bytes flipped, inserted, cut; any node replaced by any JSON value, deep nesting and
huge numbers included). Only the library's own errors may come out, never a traceback from
deeper down. The default run tries a few hundred examples per target; ``pytest -m slow`` runs
the same properties with 2,500 each."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arc_ttt.domain.arc_json import parse_json_text, parse_task, parse_task_collection
from arc_ttt.domain.errors import ArcTTTError
from arc_ttt.domain.scoring import parse_submission, score_submission

GOOD_TASK: dict[str, Any] = {
    "train": [
        {"input": [[1, 0], [0, 1]], "output": [[2, 0], [0, 2]]},
        {"input": [[3]], "output": [[4]]},
    ],
    "test": [{"input": [[5, 5]], "output": [[6, 6]]}],
}
NEST = "\u2063nest"  # stands for 50,000 levels of nested lists in the written file
GOOD_SUBMISSION: dict[str, Any] = {"t1": [{"attempt_1": [[6, 6]], "attempt_2": [[0]]}]}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, list):
        for i, child in enumerate(node):
            found += _paths(child, (*path, i))
    elif isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*path, key))
    return found


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        return [_replaced(c, rest, value) if i == head else c for i, c in enumerate(node)]
    return {k: (_replaced(c, rest, value) if k == head else c) for k, c in node.items()}


@st.composite
def mutated(draw: st.DrawFn, good: Any) -> bytes:
    """``good`` as JSON bytes after a structural or byte-level mutation, sometimes several."""
    obj = good
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["node", "nest", "huge", "drop"]))
        path = draw(st.sampled_from(_paths(obj)))
        if kind == "node":
            obj = _replaced(obj, path, draw(json_values))
        elif kind == "nest":
            obj = _replaced(obj, path, NEST)
        elif kind == "huge":
            obj = _replaced(obj, path, draw(st.sampled_from([10**40, -(10**40), 1e308, 2**63])))
        elif path:  # drop the node: a missing key or a shorter list
            node = obj
            for step in path[:-1]:
                node = node[step]
            if isinstance(node, dict):
                node = {k: v for k, v in node.items() if k != path[-1]}
            else:
                node = [v for i, v in enumerate(node) if i != path[-1]]
            obj = _replaced(obj, path[:-1], node)
    deep = b"[" * 50_000 + b"]" * 50_000  # written as text: json itself cannot build it
    data = bytearray(json.dumps(obj).encode().replace(json.dumps(NEST).encode(), deep))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["flip", "insert", "cut"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[at:]
    return bytes(data)


def _load_task(data: bytes) -> None:
    parse_task(parse_json_text(data, source="t.json", task_id="t"), task_id="t", source="t.json")


def _load_challenges(data: bytes) -> None:
    obj = parse_json_text(data, source="challenges.json")
    parse_task_collection(obj, name="c", source="challenges.json")


def _score(data: bytes) -> None:
    """What ``arc-ttt score`` does with the file (``application.score.score_file``)."""
    obj = parse_json_text(data, source="submission.json")
    submission = parse_submission(obj, source="submission.json")
    task = parse_task(GOOD_TASK, task_id="t1")
    score_submission(submission, [task])


def _only_library_errors(load, data: bytes) -> None:
    with contextlib.suppress(ArcTTTError):
        load(data)


DEFAULT = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize(
    ("load", "good"),
    [(_load_task, GOOD_TASK), (_load_challenges, {"t1": GOOD_TASK}), (_score, GOOD_SUBMISSION)],
    ids=["task", "challenges", "submission"],
)
def test_mutated_files_raise_only_library_errors(load, good):
    @DEFAULT
    @given(mutated(good))
    def check(data):
        _only_library_errors(load, data)

    check()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("load", "good"),
    [(_load_task, GOOD_TASK), (_load_challenges, {"t1": GOOD_TASK}), (_score, GOOD_SUBMISSION)],
    ids=["task", "challenges", "submission"],
)
def test_mutated_files_raise_only_library_errors_at_length(load, good):
    @SLOW
    @given(mutated(good))
    def check(data):
        _only_library_errors(load, data)

    check()


def test_the_unmutated_files_load():
    _load_task(json.dumps(GOOD_TASK).encode())
    _load_challenges(json.dumps({"t1": GOOD_TASK}).encode())
    _score(json.dumps(GOOD_SUBMISSION).encode())
