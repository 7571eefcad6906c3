"""The TaskSource contract: one class, subclassed once per adapter (real and fake alike)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pytest

from arc_ttt import Grid, InvalidTaskError, Task, TaskCollection
from arc_ttt.domain.task import Example
from arc_ttt.ports import TaskSource

GOOD_TASKS = (
    Task("aa01", (Example(Grid([[1, 0]]), Grid([[0, 1]])),), (Grid([[2, 0]]),), (Grid([[0, 2]]),)),
    Task(
        "bb02",
        (Example(Grid([[3]]), Grid([[3, 3]])), Example(Grid([[4]]), Grid([[4, 4]]))),
        (Grid([[5]]), Grid([[6]])),
        (Grid([[5, 5]]), Grid([[6, 6]])),
    ),
)
# ARC JSON objects that must be reported, never loaded.
BAD_TASKS: dict[str, object] = {
    "cc03": {
        "train": [{"input": [[1, 2], [3]], "output": [[1]]}],
        "test": [{"input": [[1]], "output": [[1]]}],
    },
    "dd04": {"train": [], "test": [{"input": [[1]], "output": [[1]]}]},
    "ee05": {
        "train": [{"input": [[10]], "output": [[1]]}],
        "test": [{"input": [[1]], "output": [[1]]}],
    },
}


@dataclass
class SourceCase:
    source: TaskSource
    must_contain: Mapping[str, Task | None]  # None: present, content not checked
    total: int
    bad_ids: set[str] = field(default_factory=set)


class TaskSourceContract:
    @pytest.fixture
    def case(self, tmp_path) -> SourceCase:  # pragma: no cover - overridden
        raise NotImplementedError

    def test_is_a_task_source_with_a_name(self, case):
        assert isinstance(case.source, TaskSource)
        assert case.source.name

    def test_loads_every_good_task_sorted_by_id(self, case):
        collection = case.source.load()
        assert isinstance(collection, TaskCollection)
        assert len(collection) == case.total
        assert collection.ids() == sorted(collection.ids())
        for task_id, expected in case.must_contain.items():
            loaded = collection.get(task_id)
            if expected is not None:
                assert loaded == expected

    def test_reports_each_bad_task_without_losing_good_ones(self, case):
        collection = case.source.load()
        assert all(isinstance(p, InvalidTaskError) for p in collection.problems)
        assert {p.task_id for p in collection.problems} == case.bad_ids
        assert not (case.bad_ids & set(collection.ids()))
        for p in collection.problems:
            assert p.task_id in str(p) and p.reason

    def test_loading_twice_gives_equal_collections(self, case):
        first, second = case.source.load(), case.source.load()
        assert first.ids() == second.ids()
        assert list(first) == list(second)
