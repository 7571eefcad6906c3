import pytest

from arc_ttt import Grid, TaskCollection, UnknownTaskError
from arc_ttt.domain.task import Example, Task


def task(tid, *demo_colors, test=5):
    train = tuple(Example(Grid([[c]]), Grid([[c, c]])) for c in demo_colors)
    return Task(tid, train, (Grid([[test]]),), (Grid([[test, test]]),))


def test_sorted_by_id_and_duplicates_reported():
    c = TaskCollection("x", (task("b", 1), task("a", 2), task("b", 3)))
    assert c.ids() == ["a", "b"]
    assert c.get("b").train[0].input == Grid([[1]])
    (problem,) = c.problems
    assert problem.task_id == "b" and "duplicate" in str(problem)


def test_unknown_ids_are_named():
    c = TaskCollection("x", (task("a", 1),))
    with pytest.raises(UnknownTaskError, match="'zz' is not in x"):
        c.get("zz")
    with pytest.raises(UnknownTaskError, match="q, r"):
        c.select(["a", "q", "r"])


def test_a_refused_task_is_named_with_its_reason():
    from arc_ttt import InvalidTaskError

    bad = InvalidTaskError(
        "ragged rows: row lengths [1, 2] differ",
        source="f/bad.json",
        task_id="bad",
        field="train[0].input",
    )
    c = TaskCollection("f", (task("a", 1),), (bad,))
    with pytest.raises(
        UnknownTaskError, match=r"'bad' was refused: f/bad.json: task bad: train\[0\]"
    ):
        c.get("bad")
    with pytest.raises(UnknownTaskError) as info:
        c.select(["a", "zz", "bad"])
    assert str(info.value) == (
        "not in f: zz; refused: f/bad.json: task bad: train[0].input: "
        "ragged rows: row lengths [1, 2] differ"
    )
    assert c.refusal("a") is None and c.refusal("bad").endswith("differ")


def test_sample_is_seeded_and_limit_takes_first():
    c = TaskCollection("x", tuple(task(f"t{i:02d}", i % 9 + 1) for i in range(30)))
    assert c.sample(3).ids() == ["t00", "t01", "t02"]
    assert c.sample(5, seed=1).ids() == c.sample(5, seed=1).ids()
    assert c.sample(5, seed=1).ids() != c.sample(5, seed=2).ids()


def test_content_hash_ignores_id_order_and_solutions():
    a = task("a", 1, 2, 3)
    b = Task("b", tuple(reversed(a.train)), a.test_inputs, None)
    assert a.content_hash() == b.content_hash()
    assert a.content_hash() != task("c", 1, 2, 4).content_hash()


def test_excluding_removes_copies_and_near_copies():
    original = task("e1", 1, 2, 3)
    renamed_reordered = Task("copy", tuple(reversed(original.train)), original.test_inputs)
    corrected = Task(
        "fixed", (*original.train[:2], Example(Grid([[3]]), Grid([[9]]))), original.test_inputs
    )
    unrelated = task("other", 4, 6, test=7)
    pool = TaskCollection("pool", (renamed_reordered, corrected, unrelated))
    assert pool.excluding([original]).ids() == ["other"]
    assert pool.excluding([original], near=False).ids() == ["fixed", "other"]
