"""The solve use case with a scripted model: selection, inverse mapping, attempts, TTT calls."""

import pytest

from arc_ttt import Grid
from arc_ttt.application.solve import SolveOptions, Solver
from arc_ttt.domain.codec import Symbol
from arc_ttt.domain.model_io import DecodeOptions
from arc_ttt.domain.task import Example, Task
from arc_ttt.testing import RecordingProgress
from arc_ttt.testing.scripted_model import ScriptedModel
from upscale_tasks import upscale  # equivariant: a view's answer maps back exactly


class FixedMemory:
    def current_bytes(self):
        return 100

    def peak_bytes(self):
        return 200


def make_task(tid="up", *inputs) -> Task:
    inputs = inputs or (Grid([[1, 2], [0, 3]]), Grid([[4, 0, 5]]), Grid([[6], [7]]))
    train = tuple(Example(g, upscale(g)) for g in inputs[:-1])
    return Task(tid, train, (inputs[-1],), (upscale(inputs[-1]),))


def solver(model, progress=None):
    return Solver(model, model, model, progress or RecordingProgress(), FixedMemory())


def test_inverse_mapping_restores_orientation_and_colors():
    task = make_task()
    model = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    result = solver(model).solve_task(task, SolveOptions(views=6))
    assert result.attempts[0].attempt_1 == upscale(task.test_inputs[0])
    assert result.correct == (True,)
    ((best, *_),) = result.candidates
    assert best.votes == 6  # all six views agreed once mapped back


def test_most_consistent_candidate_across_views_wins():
    task = make_task()
    distractor = Grid([[9, 9], [9, 9]])
    original_input = task.test_inputs[0]

    def answers(x):
        # Only the un-augmented view proposes the distractor, and it is very sure of it.
        extra = [(distractor, -0.01)] if x == original_input else []
        return [*extra, (upscale(x), -1.0)]

    model = ScriptedModel(answers)
    opts = SolveOptions(views=4, decode=DecodeOptions(strategy="dfs", max_candidates=2))
    result = solver(model).solve_task(task, opts)
    assert result.attempts[0].attempt_1 == upscale(original_input)
    assert result.attempts[0].attempt_2 == distractor


def test_product_of_experts_decides_between_candidates_with_equal_votes():
    task = make_task()
    # Both grids are unchanged by every symmetry and by color permutations that keep 0.
    a, b = Grid([[0]]), Grid([[0, 0], [0, 0]])
    original = task.test_inputs[0]

    def answers(x):
        # Every view proposes both; the original view prefers a, the three others clearly prefer b.
        return [(a, -0.1), (b, -0.3)] if x == original else [(b, -0.2), (a, -5.0)]

    model = ScriptedModel(answers)
    dfs = DecodeOptions(strategy="dfs", max_candidates=2, min_prob=1e-3)
    with_poe = solver(model).solve_task(task, SolveOptions(views=4, decode=dfs))
    without = solver(model).solve_task(
        task, SolveOptions(views=4, decode=dfs, product_of_experts=False)
    )
    assert [c.votes for c in with_poe.candidates[0]] == [4, 4]
    assert with_poe.attempts[0].attempt_1 == b  # -0.3 - 3 * 0.2 = -0.9 beats -0.1 - 3 * 5 = -15.1
    assert with_poe.candidates[0][0].poe_score == pytest.approx(-0.9)
    assert without.attempts[0].attempt_1 == a  # tie on votes: best single generation wins


def test_attempts_are_distinct_when_two_candidates_exist_and_fallback_is_the_input():
    task = make_task()
    model = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    attempts = solver(model).solve_task(task, SolveOptions(views=3)).attempts[0]
    assert attempts.attempt_1 != attempts.attempt_2
    assert attempts.attempt_2 == task.test_inputs[0]
    nothing = ScriptedModel(lambda x: [])
    only = solver(nothing).solve_task(task, SolveOptions(views=2)).attempts[0]
    assert only.attempt_1 == only.attempt_2 == task.test_inputs[0]


def test_invalid_generations_are_dropped_and_counted():
    model = ScriptedModel(
        lambda x: [(upscale(x), -0.5)],
        invalid_tokens=(1, 2, int(Symbol.ROW), 3, int(Symbol.ROW), int(Symbol.END)),
    )
    result = solver(model).solve_task(make_task(), SolveOptions(views=3))
    assert result.invalid_generations == 3
    assert result.correct == (True,)


def test_per_task_ttt_adapts_a_fresh_adapter_per_task_and_releases_it():
    model = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    progress = RecordingProgress()
    tasks = [make_task("a"), make_task("b")]
    report = solver(model, progress).solve(tasks, SolveOptions(views=2))
    assert [c.name for c in model.adapt_calls] == ["task-a", "task-b"]
    assert all(c.sequences == 2 * 8 for c in model.adapt_calls)  # 2 demos x 8 copies
    assert [m.adapter for m in model.released] == ["task-a", "task-b"] and not model.live
    assert report.score == 1.0 and set(report.submission.answers) == {"a", "b"}
    assert [e[0] for e in progress.events] == ["start", "advance", "advance", "finish"]
    assert report.results[0].peak_memory_bytes == 200 and report.results[0].tokens_trained > 0


def test_no_ttt_decodes_with_the_base_model():
    model = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    result = solver(model).solve_task(make_task(), SolveOptions(ttt="none", views=2))
    assert model.adapt_calls == [] and result.stopped_because == "no_training"


def test_the_model_never_sees_test_outputs():
    task = make_task()
    model = ScriptedModel(lambda x: [(upscale(x), -0.5)])
    solver(model).solve_task(task, SolveOptions(views=4))
    assert len(model.prompts_seen) == 4
    for prompt in model.prompts_seen:
        # every completed output in a prompt is a demonstration; the last slot is left open
        assert prompt.tokens.count(Symbol.END) == len(task.train)
        assert prompt.tokens.count(Symbol.OUTPUT) == len(task.train) + 1
        assert prompt.tokens[-1] == Symbol.OUTPUT


@pytest.mark.parametrize("views", [1, 8])
def test_report_without_known_solutions_has_no_score(views):
    task = make_task().without_solutions()
    report = solver(ScriptedModel(lambda x: [(upscale(x), -0.5)])).solve(
        [task], SolveOptions(views=views)
    )
    assert report.score is None and report.results[0].correct is None
