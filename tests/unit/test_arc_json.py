"""Every malformed case is rejected with InvalidTaskError naming file, task and field."""

import json

import pytest

from arc_ttt import Grid, InvalidTaskError
from arc_ttt.domain.arc_json import parse_json_text, parse_task, parse_task_collection, task_to_json

GOOD = {
    "train": [{"input": [[1, 0], [0, 1]], "output": [[2, 0], [0, 2]]}],
    "test": [{"input": [[1, 1]], "output": [[2, 2]]}],
}


def bad(path, value):
    """GOOD with the value at ``path`` (a list of keys/indices) replaced, or deleted if value is ...."""
    task = json.loads(json.dumps(GOOD))
    node = task
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return task


CASES = [
    ("ragged rows", bad(["train", 0, "input"], [[1, 0], [0]]), "train[0].input", "ragged rows"),
    ("color 10", bad(["train", 0, "output"], [[10]]), "train[0].output", "color 10"),
    ("color -1", bad(["test", 0, "input"], [[-1]]), "test[0].input", "color -1"),
    ("31 rows", bad(["train", 0, "input"], [[0]] * 31), "train[0].input", "31 x 1"),
    ("empty grid", bad(["train", 0, "input"], []), "train[0].input", "empty grid"),
    ("empty row", bad(["train", 0, "input"], [[]]), "train[0].input", "empty grid"),
    ("no train examples", bad(["train"], []), "train", "no train examples"),
    ("missing test", bad(["test"], ...), "test", "missing 'test'"),
    ("missing train", bad(["train"], ...), "train", "missing 'train'"),
    ("empty test", bad(["test"], []), "test", "no test inputs"),
    ("string cell", bad(["train", 0, "input"], [["1", 0], [0, 1]]), "train[0].input", "'1' (str)"),
    ("string grid", bad(["train", 0, "input"], "1001"), "train[0].input", "list of rows"),
    ("missing output", bad(["train", 0, "output"], ...), "train[0]", "missing 'output'"),
    ("train not a list", bad(["train"], {"a": 1}), "train", "must be a list"),
    ("example not an object", bad(["train", 0], [[1]]), "train[0]", "expected an object"),
    ("huge integer", bad(["train", 0, "input"], [[10**400]]), "train[0].input", "1329 bits"),
    ("huge negative", bad(["test", 0, "input"], [[-(10**30)]]), "test[0].input", "100 bits"),
]


@pytest.mark.parametrize(("case", "obj", "field", "reason"), CASES, ids=[c[0] for c in CASES])
def test_malformed_task_names_source_task_and_field(case, obj, field, reason):
    with pytest.raises(InvalidTaskError) as info:
        parse_task(obj, task_id="abc123", source="tasks/abc123.json")
    err = info.value
    assert err.source == "tasks/abc123.json"
    assert err.task_id == "abc123"
    assert err.field.startswith(field)
    assert reason in str(err)
    assert str(err).startswith("tasks/abc123.json: task abc123: ")


def test_invalid_json_names_line_and_column():
    with pytest.raises(InvalidTaskError, match=r"f.json: task t: invalid JSON at line 2 column"):
        parse_json_text('{"train": [\n,]}', source="f.json", task_id="t")


def test_json_nested_too_deeply_is_an_invalid_task_not_a_recursion_error():
    with pytest.raises(InvalidTaskError, match=r"f.json: task t: JSON nested too deeply"):
        parse_json_text("[" * 50_000 + "]" * 50_000, source="f.json", task_id="t")


def test_an_integer_too_long_to_read_is_an_invalid_task():
    with pytest.raises(InvalidTaskError, match=r"f.json: invalid JSON: .*digits"):
        parse_json_text('{"train": ' + "7" * 5000 + "}", source="f.json")


def test_a_folder_keeps_its_good_task_beside_deep_and_huge_ones(tmp_path):
    from arc_ttt.adapters.file_tasks import JsonDirectoryTaskSource

    (tmp_path / "good.json").write_text(json.dumps(GOOD))
    (tmp_path / "deep.json").write_text("[" * 50_000 + "]" * 50_000)
    (tmp_path / "huge.json").write_text(json.dumps(bad(["train", 0, "input"], [[10**400]])))
    collection = JsonDirectoryTaskSource(tmp_path).load()
    assert collection.ids() == ["good"]
    reasons = {p.task_id: str(p) for p in collection.problems}
    assert sorted(reasons) == ["deep", "huge"]
    assert "nested too deeply" in reasons["deep"] and "1329 bits" in reasons["huge"]


def test_not_an_object():
    with pytest.raises(InvalidTaskError, match="a task is a JSON object, got list"):
        parse_task([1, 2], task_id="t")


def test_good_task_parses_and_round_trips():
    task = parse_task(GOOD, task_id="t")
    assert task.train[0].output == Grid([[2, 0], [0, 2]])
    assert task.test_outputs == (Grid([[2, 2]]),)
    assert task_to_json(task) == GOOD


def test_challenge_without_outputs_has_no_solutions():
    obj = bad(["test", 0, "output"], ...)
    task = parse_task(obj, task_id="t")
    assert task.test_outputs is None and not task.has_solutions
    assert task_to_json(task) == obj


def test_mixed_test_outputs_are_rejected():
    obj = json.loads(json.dumps(GOOD))
    obj["test"].append({"input": [[1]]})
    with pytest.raises(InvalidTaskError, match=r"test\[1\]\.output"):
        parse_task(obj, task_id="t")


def test_collection_keeps_every_good_task_and_reports_each_bad_one():
    challenges = {f"good{i}": GOOD for i in range(3)}
    challenges |= {name: obj for name, obj, _, _ in CASES}
    collection = parse_task_collection(challenges, name="mix", source="mix.json")
    assert collection.ids() == ["good0", "good1", "good2"]
    assert sorted(p.task_id for p in collection.problems) == sorted(c[0] for c in CASES)
    assert all(p.source == "mix.json" for p in collection.problems)


def test_kaggle_solutions_are_attached_and_checked():
    challenges = {"a": bad(["test", 0, "output"], ...), "b": bad(["test", 0, "output"], ...)}
    solutions = {"a": [[[2, 2]]], "b": [[[2, 2]], [[3]]]}
    collection = parse_task_collection(
        challenges, name="k", source="c.json", solutions=solutions, solutions_source="s.json"
    )
    assert collection.get("a").test_outputs == (Grid([[2, 2]]),)
    (problem,) = collection.problems
    assert (
        problem.task_id == "b"
        and problem.source == "s.json"
        and "expected a list of 1" in str(problem)
    )


def test_top_level_must_be_a_mapping():
    with pytest.raises(InvalidTaskError, match="mapping task ids"):
        parse_task_collection([GOOD], name="x", source="x.json")


@pytest.mark.parametrize(
    ("task_id", "reason"),
    [
        ("../../x", "path separator"),
        ("a/b", "path separator"),
        ("a\\b", "path separator"),
        ("..", "starts with a dot"),
        (".hidden", "starts with a dot"),
        ("", "is empty"),
        ("tab\there", "control character"),
        ("x" * 201, "201 characters"),
    ],
)
def test_a_kaggle_task_id_that_cannot_name_a_file_is_refused(task_id, reason):
    collection = parse_task_collection({task_id: GOOD, "00d62c1b": GOOD}, name="k", source="c.json")
    assert collection.ids() == ["00d62c1b"]
    (problem,) = collection.problems
    assert reason in str(problem) and "file names" in str(problem)
    assert str(problem).startswith("c.json: ")


def test_ids_with_other_characters_are_kept():
    odd = "<img src=x onerror=alert(1)>"
    assert parse_task_collection({odd: GOOD}, name="k", source="c.json").ids() == [odd]
