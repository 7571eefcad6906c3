"""The flags commands share mean the same everywhere: every command's ``--help``, read from the
installed ``arc-ttt``, shows them with the same metavar."""

from __future__ import annotations

import re

import pytest

from cli_runs import arc_ttt, needs_arc_ttt

pytestmark = needs_arc_ttt

# Commands that take a set of tasks, and those that take one task by id.
TASK_SETS = ("solve", "evaluate", "score", "infer", "compare-models")
ONE_TASK = ("show", "explain")
# Commands that take a model as a flag: default, builtin or a folder.
MODEL_FLAG = ("solve", "evaluate", "export")


def _help(command: str) -> str:
    result = arc_ttt(command, "--help")
    assert result.returncode == 0, result.stderr
    return re.sub(r"\s+", " ", result.stdout)


@pytest.mark.parametrize("command", TASK_SETS + ONE_TASK)
def test_every_command_that_reads_tasks_takes_dataset_and_solutions(command):
    text = _help(command)
    assert "--dataset D" in text, command
    assert "--solutions FILE" in text, command


@pytest.mark.parametrize("command", TASK_SETS)
def test_every_command_that_reads_a_task_set_chooses_tasks_alike(command):
    text = _help(command)
    assert "--tasks ID,ID" in text, command
    assert "--limit N" in text, command


@pytest.mark.parametrize("command", MODEL_FLAG)
def test_every_model_flag_takes_default_builtin_and_a_folder(command):
    text = _help(command)
    assert re.search(r"--model PATH default \| builtin \| (a local model )?folder", text), command


def test_compare_models_takes_default_and_builtin_as_models():
    assert "'default'" in _help("compare-models") and "builtin" in _help("compare-models")


def test_score_lists_per_task_scores_with_per_task():
    text = _help("score")
    assert "--per-task" in text


def test_score_scores_only_the_chosen_tasks(tmp_path):
    import json

    import arc_ttt as lib

    tasks = lib.load_tasks("arc-agi-1/training")
    first, second, third = tasks.ids()[:3]
    right = {
        i: [{"attempt_1": g.to_lists(), "attempt_2": [[0]]} for g in tasks.get(i).test_outputs]
        for i in (first, second)
    }
    right[third] = [{"attempt_1": [[0]], "attempt_2": [[0]]} for _ in tasks.get(third).test_inputs]
    path = tmp_path / "submission.json"
    path.write_text(json.dumps(right))
    base = ("score", str(path), "--dataset", "arc-agi-1/training", "--json")
    chosen = json.loads(arc_ttt(*base, "--tasks", f"{first},{second}").stdout)
    assert (chosen["tasks"], chosen["score"], chosen["unknown_tasks"]) == (2, 1.0, [third])
    limited = json.loads(arc_ttt(*base, "--limit", "3").stdout)
    assert (limited["tasks"], limited["solved"]) == (3, 2)
    unknown = arc_ttt(*base, "--tasks", "nope")
    assert unknown.returncode == 2 and "not in arc-agi-1/training: nope" in unknown.stderr
