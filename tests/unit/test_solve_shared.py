"""Shared test-time training with the scripted model: one training run on the demonstrations of
every task (never a test output), every task decoded by that model, the time budget shared
between training and decoding, the model cached so a resumed run does not train again, and the
training recorded in the report and metrics."""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_solver import FixedMemory, make_task, upscale

from arc_ttt import Grid
from arc_ttt.adapters.memory_store import InMemoryCheckpointStore
from arc_ttt.adapters.store_solve_cache import StoreSolveCache
from arc_ttt.application.run_record import summary_record
from arc_ttt.application.shared_ttt import shared_sequences
from arc_ttt.application.solve import Budget, SolveOptions, Solver
from arc_ttt.domain.errors import ModelOutOfMemoryError
from arc_ttt.domain.model_io import ModelRef, TrainOptions
from arc_ttt.domain.task import Task
from arc_ttt.domain.ttt_dataset import TTTSetOptions, build_ttt_set
from arc_ttt.testing import RecordingProgress
from arc_ttt.testing.scripted_model import FakeClock, ScriptedModel

SHARED = SolveOptions(
    ttt="shared", views=2, train=TrainOptions(steps=6), ttt_set=TTTSetOptions(per_subtask=2)
)
SHARED_MODEL = ModelRef("scripted", "shared")


def model(**kwargs) -> ScriptedModel:
    return ScriptedModel(lambda x: [(upscale(x), -0.5)], **kwargs)


def tasks() -> list[Task]:
    return [
        make_task("a"),
        make_task("b", Grid([[1]]), Grid([[2, 3]]), Grid([[4], [5]])),
        make_task("c", Grid([[7, 7]]), Grid([[0, 1], [1, 0]]), Grid([[3, 4, 5]])),
    ]


def solver(m, *, cache=None, clock=None, stop=None, progress=None):
    return Solver(
        m,
        m,
        m,
        progress or RecordingProgress(),
        FixedMemory(),
        clock=clock or FakeClock(),
        cache=cache,
        exporter=m,
        importer=m,
        stop_requested=stop,
    )


def test_one_model_trains_on_every_tasks_demonstrations_then_decodes_every_task():
    m = model()
    report = solver(m).solve(tasks(), SHARED)
    expected = sum(len(build_ttt_set(t.without_solutions(), SHARED.ttt_set, 0)) for t in tasks())
    assert [(c.name, c.sequences) for c in m.adapt_calls] == [("shared", expected)]
    assert report.score == 1.0 and len(report.submission.answers) == 3
    assert m.released == [SHARED_MODEL]  # freed once, after the last task
    shared = report.shared
    assert shared is not None and (shared.tasks, shared.sequences, shared.steps) == (3, expected, 6)
    assert shared.tokens == m.adapt_calls[0].tokens and not shared.from_cache
    assert {r.stopped_because for r in report.results} == {"shared"}
    assert all(r.train_steps == 0 for r in report.results)


def test_the_shared_set_never_holds_a_test_output():
    # Editing every test output changes nothing; editing a demonstration does.
    edited = [replace(t, test_outputs=(Grid([[9, 9, 9]]),)) for t in tasks()]
    assert shared_sequences(edited, SHARED.ttt_set, 0) == shared_sequences(
        tasks(), SHARED.ttt_set, 0
    )
    other_demo = [make_task("a", Grid([[8]]), Grid([[2, 3]]), Grid([[4], [5]])), *tasks()[1:]]
    assert shared_sequences(other_demo, SHARED.ttt_set, 0) != shared_sequences(
        tasks(), SHARED.ttt_set, 0
    )


def test_metrics_record_what_the_shared_training_did():
    report = solver(model()).solve(tasks(), SHARED)
    metrics = summary_record(report)
    shared = metrics["shared_ttt"]
    assert shared["steps"] == 6 and shared["tasks"] == 3 and shared["from_cache"] is False
    assert shared["tokens"] > 0 and metrics["tokens_trained"] == shared["tokens"]
    assert summary_record(solver(model()).solve(tasks(), SolveOptions()))["shared_ttt"] is None


def test_training_takes_its_share_of_the_time_and_every_task_is_still_answered():
    clock = FakeClock()
    m = model(clock=clock, step_seconds=10.0)
    budget = Budget(total_seconds=100.0, train_share=0.4)
    report = solver(m, clock=clock).solve(tasks(), replace(SHARED, budget=budget))
    assert m.adapt_calls[0].options.max_seconds == pytest.approx(40.0)
    assert report.shared is not None and report.shared.stopped_because == "time"
    assert report.shared.steps == 4  # 4 steps of 10 s fill the 40 s
    assert report.score == 1.0  # decoding had the other 60 s


def test_without_time_left_nothing_trains_and_every_task_gets_fallback_attempts():
    class Ticking(FakeClock):
        def __call__(self) -> float:
            self.now += 20.0  # every look at the clock costs more than the whole budget
            return self.now

    m = model()
    budget = Budget(total_seconds=10.0)
    report = solver(m, clock=Ticking()).solve(tasks(), replace(SHARED, budget=budget))
    assert m.adapt_calls == [] and m.prompts_seen == []
    assert report.shared is not None and "no shared training" in report.shared.degradations[0]
    assert len(report.submission.answers) == 3
    assert all(
        r.attempts[0].attempt_1 == t.test_inputs[0]
        for r, t in zip(report.results, tasks(), strict=True)
    )


def test_a_resumed_run_loads_the_cached_model_and_gives_the_same_submission():
    whole = solver(model()).solve(tasks(), SHARED)
    cache = StoreSolveCache(InMemoryCheckpointStore())
    progress = RecordingProgress()
    first = solver(
        model(), cache=cache, progress=progress, stop=lambda: len(progress.events) >= 2
    ).solve(tasks(), SHARED)  # stopped after its first task
    assert first.interrupted and len(first.results) == 1
    again = model()
    resumed = solver(again, cache=cache).solve(tasks(), SHARED)
    assert again.adapt_calls == [] and again.loaded == ["shared"]
    assert resumed.submission == whole.submission
    assert [r.from_cache for r in resumed.results] == [True, False, False]
    assert resumed.shared is not None and resumed.shared.from_cache
    assert resumed.shared.steps == 6 and resumed.shared.tokens == whole.shared.tokens
    done = model()
    solver(done, cache=cache).solve(tasks(), SHARED)  # every task cached: no model at all
    assert done.adapt_calls == [] and done.loaded == [] and done.prompts_seen == []


def test_another_task_set_or_training_option_trains_again():
    cache = StoreSolveCache(InMemoryCheckpointStore())
    solver(model(), cache=cache).solve(tasks(), SHARED)
    for other_tasks, options in (
        (tasks()[:2], SHARED),
        (tasks(), replace(SHARED, train=TrainOptions(steps=5))),
        (tasks(), replace(SHARED, seed=1)),
    ):
        m = model()
        solver(m, cache=cache).solve(other_tasks, options)
        assert [c.name for c in m.adapt_calls] == ["shared"] and m.loaded == []


def test_a_stop_during_shared_training_ends_the_run_with_every_task_unsolved():
    m = model()
    steps = []

    def stop() -> bool:
        return len(steps) >= 2

    m_adapt = m.adapt

    def counting_adapt(*args, on_step=None, **kwargs):
        def step(n, loss):
            steps.append(n)
            on_step(n, loss)

        return m_adapt(*args, on_step=step, **kwargs)

    m.adapt = counting_adapt  # type: ignore[method-assign]
    report = solver(m, stop=stop).solve(tasks(), SHARED)
    assert report.interrupted and report.results == ()
    assert report.unsolved == ("a", "b", "c") and m.prompts_seen == []


def test_shared_training_out_of_memory_halves_the_batch():
    m = model(fail_adapt=[ModelOutOfMemoryError("CUDA out of memory")])
    report = solver(m).solve(tasks(), replace(SHARED, train=TrainOptions(steps=6, batch_size=8)))
    assert [c.options.batch_size for c in m.adapt_calls] == [8, 4]
    assert report.shared is not None and "batch 8 -> 4" in report.shared.degradations[0]
    assert report.score == 1.0


def test_solving_one_task_in_shared_mode_needs_the_shared_model():
    with pytest.raises(ValueError, match="whole task set"):
        solver(model()).solve_task(make_task(), SHARED)
