import pytest

from arc_ttt import (
    Grid,
    InvalidSubmissionError,
    MissingSolutionsError,
    parse_submission,
    score_submission,
)
from arc_ttt.domain.task import Example, Task

DEMO = (Example(Grid([[1]]), Grid([[2]])),)
ONE = Task("one", DEMO, (Grid([[1]]),), (Grid([[2]]),))
TWO = Task("two", DEMO, (Grid([[1]]), Grid([[3]])), (Grid([[2]]), Grid([[4]])))


def sub(**entries):
    return parse_submission(
        {k: [{"attempt_1": a, "attempt_2": b} for a, b in v] for k, v in entries.items()}
    )


def test_perfect_submission_scores_one():
    report = score_submission(
        sub(one=[([[2]], [[0]])], two=[([[2]], [[0]]), ([[4]], [[0]])]), [ONE, TWO]
    )
    assert report.total == 1.0 and report.solved == 2


def test_second_attempt_counts():
    report = score_submission(sub(one=[([[0]], [[2]])]), [ONE])
    assert report.total == 1.0


def test_one_of_two_test_outputs_wrong_counts_half():
    report = score_submission(
        sub(one=[([[2]], [[2]])], two=[([[2]], [[2]]), ([[0]], [[5]])]), [ONE, TWO]
    )
    by_id = {t.task_id: t for t in report.tasks}
    assert by_id["two"].score == 0.5 and by_id["two"].correct == (True, False)
    assert report.total == pytest.approx(0.75)
    assert report.solved == 1


def test_missing_tasks_score_zero_and_unknown_ones_are_reported():
    report = score_submission(sub(one=[([[2]], [[2]])], stranger=[([[1]], [[1]])]), [ONE, TWO])
    assert report.total == 0.5
    assert report.missing_tasks == ("two",)
    assert report.unknown_tasks == ("stranger",)


def test_wrong_shape_is_just_wrong():
    assert score_submission(sub(one=[([[2, 2]], [[2], [2]])]), [ONE]).total == 0.0


def test_entry_count_must_match_test_inputs():
    with pytest.raises(InvalidSubmissionError, match="task two: 1 entries for 2 test inputs"):
        score_submission(sub(two=[([[2]], [[2]])]), [TWO])


def test_tasks_without_solutions_cannot_be_scored():
    with pytest.raises(MissingSolutionsError, match="one"):
        score_submission(sub(one=[([[2]], [[2]])]), [ONE.without_solutions()])


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "expected an object of task ids"),
        ({"t": []}, "task t: expected a non-empty list"),
        ({"t": [[[1]]]}, r"task t\[0\]: expected an object"),
        ({"t": [{"attempt_1": [[1]]}]}, r"task t\[0\]: missing attempt_2"),
        (
            {"t": [{"attempt_1": [[1]], "attempt_2": [[1, 2], [3]]}]},
            r"task t\[0\]\.attempt_2: ragged rows",
        ),
        ({"t": [{"attempt_1": [[11]], "attempt_2": [[1]]}]}, r"task t\[0\]\.attempt_1: .*color 11"),
    ],
)
def test_malformed_submissions_name_the_place(obj, message):
    with pytest.raises(InvalidSubmissionError, match=message):
        parse_submission(obj, source="s.json")


def test_submission_json_round_trip():
    s = sub(one=[([[2]], [[0]])])
    assert parse_submission(s.to_json()) == s
