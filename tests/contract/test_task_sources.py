import json

import pytest
from task_source import BAD_TASKS, GOOD_TASKS, SourceCase, TaskSourceContract

from arc_ttt import Grid
from arc_ttt.adapters.bundled_tasks import BundledTaskSource
from arc_ttt.adapters.file_tasks import (
    JsonDirectoryTaskSource,
    JsonFileTaskSource,
    KaggleTaskSource,
)
from arc_ttt.adapters.memory_tasks import InMemoryTaskSource
from arc_ttt.domain.arc_json import task_to_json

GOOD = {t.id: t for t in GOOD_TASKS}


class TestInMemorySource(TaskSourceContract):
    @pytest.fixture
    def case(self, tmp_path):
        return SourceCase(InMemoryTaskSource("mem", reversed(GOOD_TASKS)), GOOD, len(GOOD))


class TestJsonDirectorySource(TaskSourceContract):
    @pytest.fixture
    def case(self, tmp_path):
        (tmp_path / "nested").mkdir()
        for t in GOOD_TASKS:
            (tmp_path / "nested" / f"{t.id}.json").write_text(json.dumps(task_to_json(t)))
        for tid, obj in BAD_TASKS.items():
            (tmp_path / f"{tid}.json").write_text(json.dumps(obj))
        (tmp_path / "ff06.json").write_text('{"train": [')  # invalid JSON
        (tmp_path / "notes.txt").write_text("not a task")
        return SourceCase(JsonDirectoryTaskSource(tmp_path), GOOD, len(GOOD), {*BAD_TASKS, "ff06"})


class TestKaggleSource(TaskSourceContract):
    @pytest.fixture
    def case(self, tmp_path):
        challenges = {t.id: task_to_json(t.without_solutions()) for t in GOOD_TASKS} | BAD_TASKS
        solutions = {t.id: [g.to_lists() for g in t.test_outputs] for t in GOOD_TASKS}
        (tmp_path / "c.json").write_text(json.dumps(challenges))
        (tmp_path / "s.json").write_text(json.dumps(solutions))
        source = KaggleTaskSource(tmp_path / "c.json", tmp_path / "s.json")
        return SourceCase(source, GOOD, len(GOOD), set(BAD_TASKS))


class TestJsonFileSource(TaskSourceContract):
    @pytest.fixture
    def case(self, tmp_path):
        task = GOOD_TASKS[0]
        (tmp_path / f"{task.id}.json").write_text(json.dumps(task_to_json(task)))
        return SourceCase(JsonFileTaskSource(tmp_path / f"{task.id}.json"), {task.id: task}, 1)


class TestBundledSource(TaskSourceContract):
    @pytest.fixture
    def case(self, tmp_path):
        return SourceCase(BundledTaskSource("arc-agi-1/training"), {"007bbfb7": None}, 400)

    def test_known_task_content(self, case):
        task = case.source.load().get("007bbfb7")
        assert task.train[0].input == Grid([[0, 7, 7], [7, 7, 7], [0, 7, 7]])
        assert task.has_solutions and task.test_outputs[0].shape == (9, 9)
