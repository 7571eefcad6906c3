"""Reading a run folder back: the writer's records round-trip; damage is named by file and line."""

from __future__ import annotations

import json

import pytest

from arc_ttt.adapters.run_reader import read_run
from arc_ttt.application.run_record import task_record
from arc_ttt.application.solve import TaskResult
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.past_run import (
    DamagedRunFileError,
    NotARunFolderError,
    parse_results,
    parse_run,
)
from arc_ttt.domain.scoring import Attempts

SETTINGS = json.dumps({"dataset": "arc-agi-1/training", "tasks": ["a", "b"], "seed": 0})
METRICS = json.dumps({"seconds": 9.5, "score": 0.5, "peak_memory_bytes": 1000})


def record(task_id: str = "a", correct=(True,), **kw) -> str:
    result = TaskResult(
        task_id=task_id,
        attempts=(Attempts(Grid([[1]]), Grid([[2, 2]])),)
        * (1 if correct is None else len(correct)),
        seconds=1.25,
        correct=correct,
        **kw,
    )
    return json.dumps(task_record(result))


def test_a_written_result_reads_back_as_it_was():
    text = record("a", (True, False), train_steps=5, degradations=("views 4 -> 2",)) + "\n"
    (t,) = parse_results(text + "\n")  # a trailing blank line is fine
    assert t.task_id == "a" and t.correct == (True, False) and t.score == 0.5
    assert t.attempts == ((Grid([[1]]), Grid([[2, 2]])),) * 2
    assert t.train_steps == 5 and t.seconds == 1.25 and t.degradations == ("views 4 -> 2",)


def test_a_run_knows_its_missing_tasks_score_and_median():
    run = parse_run(
        "r", settings_text=SETTINGS, metrics_text=METRICS, results_text=record("a") + "\n"
    )
    assert run.planned == ("a", "b") and run.missing == ("b",)
    assert run.score == 1.0 and run.solved == 1 and run.seconds == 9.5
    assert run.median_task_seconds == 1.25 and run.dataset == "arc-agi-1/training"


def test_unknown_solutions_give_no_score():
    run = parse_run("r", settings_text=SETTINGS, metrics_text="{}", results_text=record("a", None))
    assert run.score is None and run.solved == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "results.jsonl: line 2: invalid JSON at column 2"),
        ("[1, 2]", "results.jsonl: line 2: a result is a JSON object, got list"),
        ('{"attempts": []}', "line 2: 'task_id' must be a non-empty string"),
        ('{"task_id": "b", "seconds": 1}', "line 2: task 'b': 'attempts' must be a non-empty"),
        (
            '{"task_id": "b", "attempts": [{"attempt_1": [[1]]}]}',
            "line 2: task 'b': attempts[0] has no 'attempt_2'",
        ),
        (
            '{"task_id": "b", "attempts": [{"attempt_1": [[1]], "attempt_2": [[12]]}]}',
            "line 2: task 'b': attempts[0]: cell [0][0] has color 12",
        ),
        (
            '{"task_id": "b", "attempts": [{"attempt_1": [[1]], "attempt_2": [[1]]}], '
            '"correct": [true, false]}',
            "'correct' must be null or one boolean per test input",
        ),
        (
            '{"task_id": "b", "seconds": "slow", '
            '"attempts": [{"attempt_1": [[1]], "attempt_2": [[1]]}]}',
            "'seconds' must be a number, got 'slow'",
        ),
        (
            '{"task_id": "b", "peak_gpu_bytes": "lots", '
            '"attempts": [{"attempt_1": [[1]], "attempt_2": [[1]]}]}',
            "'peak_gpu_bytes' must be a number or null, got 'lots'",
        ),
    ],
)
def test_a_damaged_results_line_is_named_by_line_and_field(line, message):
    with pytest.raises(DamagedRunFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_results(record("a") + "\n" + line + "\n")


def test_a_task_recorded_twice_is_damage():
    with pytest.raises(DamagedRunFileError, match="line 2: task 'a' is recorded twice"):
        parse_results(record("a") + "\n" + record("a"))


def test_damaged_settings_and_metrics_are_named():
    with pytest.raises(DamagedRunFileError, match=r"settings.json: line 2: invalid JSON"):
        parse_run("r", settings_text='{"dataset": 1,\n x}', metrics_text="{}", results_text="")
    with pytest.raises(DamagedRunFileError, match=r"settings\.json: 'dataset' must be"):
        parse_run("r", settings_text="{}", metrics_text="{}", results_text="")
    with pytest.raises(DamagedRunFileError, match=r"metrics\.json: 'seconds' must be a number"):
        parse_run("r", settings_text=SETTINGS, metrics_text='{"seconds": "x"}', results_text="")


def write_run(folder, results: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(SETTINGS)
    (folder / "metrics.json").write_text(METRICS)
    (folder / "results.jsonl").write_text(record("a") + "\n" if results is None else results)


def test_read_run_reads_a_folder(tmp_path):
    write_run(tmp_path / "run")
    run = read_run(tmp_path / "run", label="runs/x")
    assert run.folder == "runs/x" and [t.task_id for t in run.tasks] == ["a"]
    assert run.environment == {}


def test_read_run_names_the_damaged_file_by_its_path(tmp_path):
    write_run(tmp_path, results=record("a") + "\n{oops\n")
    with pytest.raises(DamagedRunFileError) as e:
        read_run(tmp_path)
    assert str(e.value).startswith(f"{tmp_path / 'results.jsonl'}: line 2: invalid JSON")
    (tmp_path / "results.jsonl").write_bytes(b"\xff\xfe")
    with pytest.raises(DamagedRunFileError, match=r"results\.jsonl: not UTF-8 text"):
        read_run(tmp_path)


def test_read_run_refuses_what_is_not_a_finished_run(tmp_path):
    with pytest.raises(NotARunFolderError, match="does not exist"):
        read_run(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotARunFolderError, match="is a file, not a run folder"):
        read_run(tmp_path / "file")
    with pytest.raises(NotARunFolderError, match=r"is not a run folder \(no settings.json\)"):
        read_run(tmp_path)
    (tmp_path / "settings.json").write_text(SETTINGS)
    with pytest.raises(NotARunFolderError, match=r"no results\.jsonl: the run has not finished"):
        read_run(tmp_path)
