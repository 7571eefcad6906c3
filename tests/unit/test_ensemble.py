"""The ensemble use case with canned sources: which source is asked about which task, the two
attempts it submits, what it records, and that no source and no selection sees a test output."""

import pytest

from arc_ttt import Grid
from arc_ttt.application.ensemble import Ensemble, EnsembleOptions
from arc_ttt.application.solve import Budget, SolveOptions
from arc_ttt.domain.task import Example, Task
from arc_ttt.testing import RecordingProgress
from arc_ttt.testing.canned_candidates import CannedCandidateSource

RIGHT, WRONG, OTHER = Grid([[5, 5]]), Grid([[6]]), Grid([[7]])


class FixedMemory:
    def current_bytes(self):
        return 100

    def peak_bytes(self):
        return 200


def task(tid, outputs=(RIGHT,)):
    return Task(tid, (Example(Grid([[1]]), Grid([[1, 1]])),), (Grid([[5]]),), outputs)


def ensemble(*sources, **kw):
    progress = RecordingProgress()
    return Ensemble(list(sources), progress, FixedMemory(), **kw), progress


def test_the_model_is_asked_only_about_tasks_without_an_exact_fit():
    search = CannedCandidateSource(
        {"solved": [[RIGHT]], "open": [[WRONG]]}, name="search", exact=frozenset({"solved"})
    )
    neural = CannedCandidateSource({"open": [[RIGHT, OTHER]]}, name="neural")
    solver, progress = ensemble(search, neural)
    report = solver.solve([task("solved"), task("open")], SolveOptions())
    assert neural.asked == ["open"] and search.asked == ["solved", "open"]
    assert [r.task_id for r in report.results] == ["solved", "open"]
    solved, open_ = report.results
    assert solved.attempts[0].attempt_1 == RIGHT and solved.correct == (True,)
    assert open_.sources.keys() == {"search", "neural"} and solved.sources.keys() == {"search"}
    assert [e for e, _ in progress.events].count("advance") == 2 and report.score == 1.0


def test_without_the_skip_every_source_answers_every_task():
    search = CannedCandidateSource({"t": [[RIGHT]]}, name="search", exact=frozenset({"t"}))
    neural = CannedCandidateSource({"t": [[OTHER]]}, name="neural")
    solver, _ = ensemble(search, neural, options=EnsembleOptions(skip_when_exact=frozenset()))
    (result,) = solver.solve([task("t")], SolveOptions()).results
    assert neural.asked == ["t"]
    assert (result.attempts[0].attempt_1, result.attempts[0].attempt_2) == (RIGHT, OTHER)


def test_each_attempt_records_its_source_and_program():
    search = CannedCandidateSource({"t": [[WRONG]]}, name="search")
    neural = CannedCandidateSource({"t": [[RIGHT, WRONG]]}, name="neural")
    (result,) = ensemble(search, neural)[0].solve([task("t")], SolveOptions()).results
    first, second = result.provenance[0]
    # WRONG has a vote from each source, RIGHT one: votes across sources come first.
    assert result.attempts[0].attempt_1 == WRONG
    assert [p["source"] for p in first] == ["search", "neural"]
    assert [p["source"] for p in second] == ["neural"]


def test_a_task_no_source_answers_gets_its_test_input_twice():
    (result,) = ensemble(CannedCandidateSource({}))[0].solve([task("t")], SolveOptions()).results
    assert result.attempts[0].attempt_1 == result.attempts[0].attempt_2 == Grid([[5]])
    assert result.provenance[0][0][0]["source"] == "fallback"


def test_test_outputs_never_change_what_is_submitted():
    def run(outputs):
        search = CannedCandidateSource({"t": [[WRONG, OTHER]]}, name="search")
        neural = CannedCandidateSource({"t": [[OTHER, RIGHT]]}, name="neural")
        (result,) = ensemble(search, neural)[0].solve([task("t", outputs)], SolveOptions()).results
        return result.attempts, result.provenance

    assert run((RIGHT,)) == run((WRONG,)) == run(None)


def test_a_stop_request_ends_the_run_with_the_tasks_done():
    asked = []

    def stop():
        return len(asked) >= 1

    source = CannedCandidateSource({"a": [[RIGHT]], "b": [[RIGHT]]})
    source.asked = asked
    solver, _ = ensemble(source, stop_requested=stop)
    report = solver.solve([task("a"), task("b")], SolveOptions(budget=Budget(total_seconds=60)))
    assert report.interrupted and [r.task_id for r in report.results] == ["a"]
    assert report.unsolved == ("b",)


def test_sources_are_named_once():
    with pytest.raises(ValueError, match="named twice"):
        ensemble(CannedCandidateSource({}), CannedCandidateSource({}))
