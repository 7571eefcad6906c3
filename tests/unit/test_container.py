"""The container wires the use cases; tests swap adapters for fakes."""

import pytest
from pydantic import ValidationError

from arc_ttt import Grid
from arc_ttt.adapters.memory_tasks import InMemoryCatalog, InMemoryTaskSource
from arc_ttt.container import build_container
from arc_ttt.domain.task import Example, Task
from arc_ttt.settings import Settings

TASK = Task("t1", (Example(Grid([[1]]), Grid([[2]])),), (Grid([[3]]),), (Grid([[4]]),))


def test_use_cases_run_on_a_fake_catalog():
    container = build_container(Settings())
    fake = InMemoryCatalog({"fake/set": InMemoryTaskSource("fake/set", [TASK])})
    with container.catalog.override(fake):
        (summary,) = container.datasets()
        assert (summary.name, summary.tasks, summary.with_solutions) == ("fake/set", 1, 1)
        assert container.find_task(dataset="fake/set", task_id="t1") == TASK
        report = container.score(
            submission_text=b'{"t1": [{"attempt_1": [[4]], "attempt_2": [[0]]}]}',
            dataset="fake/set",
            source="s.json",
        )
        assert report.total == 1.0


def test_settings_come_from_the_environment_with_validation(monkeypatch):
    monkeypatch.setenv("ARC_TTT_RENDER__CELL_SIZE", "24")
    monkeypatch.setenv("ARC_TTT_LOG_LEVEL", "DEBUG")
    settings = build_container().settings()
    assert settings.render.cell_size == 24 and settings.log_level == "DEBUG"
    monkeypatch.setenv("ARC_TTT_RENDER__CELL_SIZE", "0")
    with pytest.raises(ValidationError, match="cell_size"):
        Settings()


def test_unknown_settings_are_refused():
    with pytest.raises(ValidationError, match="typo"):
        Settings(typo=1)


@pytest.mark.parametrize(
    ("path", "method", "expected"),
    [
        ("default", "auto", "full"),
        ("builtin", "auto", "full"),
        ("/models/qwen", "auto", "lora"),
        ("builtin", "lora", "lora"),
        ("/models/qwen", "full", "full"),
    ],
)
def test_auto_method_trains_the_small_builtin_in_full_and_folders_with_lora(path, method, expected):
    settings = Settings(model={"path": path}, ttt={"method": method})
    assert build_container(settings).solve_options().train.method == expected
