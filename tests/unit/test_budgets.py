"""Budgets and failure recovery in the solver, with the scripted model and a fake clock: time
shared over tasks, fallback attempts once time is up, out-of-memory back-off in training and
decoding, a host-memory budget, and interruption between steps."""

from __future__ import annotations

from dataclasses import replace

from test_solver import FixedMemory, make_task, upscale

from arc_ttt import Grid
from arc_ttt.application.solve import Budget, SolveOptions, Solver
from arc_ttt.application.solve_options import end_reserve
from arc_ttt.domain.errors import ModelOutOfMemoryError
from arc_ttt.domain.model_io import TrainOptions
from arc_ttt.testing import RecordingProgress
from arc_ttt.testing.scripted_model import FakeClock, ScriptedModel

OPTIONS = SolveOptions(views=2, train=TrainOptions(steps=8, batch_size=8))


def model(**kwargs) -> ScriptedModel:
    return ScriptedModel(lambda x: [(upscale(x), -0.5)], **kwargs)


def solver(m, clock=None, memory=None, stop=None):
    return Solver(
        m,
        m,
        m,
        RecordingProgress(),
        memory or FixedMemory(),
        clock=clock or FakeClock(),
        stop_requested=stop,
    )


def tasks(n: int):
    return [
        make_task(f"t{i:02d}", Grid([[i % 9 + 1]]), Grid([[1, 2]]), Grid([[3], [i % 7]]))
        for i in range(n)
    ]


def oom(what: str = "CUDA out of memory") -> ModelOutOfMemoryError:
    return ModelOutOfMemoryError(what)


def test_training_out_of_memory_halves_the_batch_and_records_it():
    m = model(fail_adapt=[oom()])
    result = solver(m).solve_task(make_task(), OPTIONS)
    assert [c.options.batch_size for c in m.adapt_calls] == [8, 4]
    assert [c.options.grad_accumulation for c in m.adapt_calls] == [1, 2]
    assert result.correct == (True,) and result.train_steps == 8
    assert len(result.degradations) == 1 and "batch 8 -> 4" in result.degradations[0]


def test_training_that_keeps_failing_falls_back_to_the_base_model():
    m = model(fail_adapt=[oom(), oom(), oom()])
    result = solver(m).solve_task(make_task(), replace(OPTIONS, budget=Budget(oom_retries=2)))
    assert len(m.adapt_calls) == 3
    assert result.train_steps == 0 and result.correct == (True,)  # the base model still decodes
    assert "TTT skipped" in result.degradations[-1]
    assert m.prompts_seen  # decoding happened, with the base


def test_decoding_out_of_memory_halves_views_and_batch():
    m = model(fail_generate=[oom()])
    result = solver(m).solve_task(make_task(), replace(OPTIONS, views=4))
    assert result.correct == (True,)
    assert "views 4 -> 2" in result.degradations[0]


def test_decoding_that_keeps_failing_submits_fallback_attempts():
    m = model(fail_generate=[oom(), oom(), oom()])
    task = make_task()
    result = solver(m).solve_task(task, OPTIONS)
    assert result.attempts[0].attempt_1 == task.test_inputs[0]
    assert "fallback" in result.degradations[-1]


def test_a_host_memory_budget_stops_training_as_out_of_memory():
    m = model()
    opts = replace(OPTIONS, budget=Budget(host_memory_bytes=50, oom_retries=1))
    result = solver(m, memory=FixedMemory()).solve_task(make_task(), opts)  # uses 100 bytes
    assert "host memory budget exceeded" in result.degradations[0]
    assert "TTT skipped" in result.degradations[-1]


def test_the_time_budget_is_shared_out_and_every_task_gets_attempts():
    clock = FakeClock()
    m = model(clock=clock, step_seconds=1.0)
    opts = replace(
        OPTIONS, train=TrainOptions(steps=64), budget=Budget(total_seconds=60, train_share=0.6)
    )
    report = solver(m, clock=clock).solve(tasks(20), opts)
    assert len(report.results) == 20 and report.seconds <= 60
    assert all(len(r.attempts) == 1 for r in report.results)
    # A task's share is the time left over the tasks left (3 s at first, more as tasks finish
    # early); 60% of it trains: a few 1 s steps, never the 64 asked for.
    assert all(r.stopped_because == "time" for r in report.results)
    assert [r.train_steps for r in report.results][:3] == [2, 2, 2]
    assert max(r.train_steps for r in report.results) <= 20


def test_once_the_time_is_used_up_the_rest_get_fallback_attempts_without_model_calls():
    clock = FakeClock()
    m = model(clock=clock, step_seconds=100.0)  # the first task's first step eats everything
    opts = replace(OPTIONS, budget=Budget(total_seconds=60))
    report = solver(m, clock=clock).solve(tasks(5), opts)
    assert len(report.results) == 5 and len(m.adapt_calls) == 1
    later = report.results[1:]
    assert all("time budget used up" in r.degradations[0] for r in later)
    assert all(
        r.attempts[0].attempt_1 == t.test_inputs[0]
        for r, t in zip(later, tasks(5)[1:], strict=True)
    )


def test_a_per_task_cap_limits_training():
    clock = FakeClock()
    m = model(clock=clock, step_seconds=1.0)
    opts = replace(OPTIONS, train=TrainOptions(steps=64), budget=Budget(task_seconds=10))
    result = solver(m, clock=clock).solve(tasks(1), opts).results[0]
    assert result.train_steps == 6 and result.stopped_because == "time"


def test_a_stop_request_ends_the_run_after_the_current_step():
    calls = {"steps": 0}
    m = model()
    stop_after = 8 * 2 + 3  # two tasks of 8 steps, then 3 steps into the third

    def stop() -> bool:
        return calls["steps"] >= stop_after

    def counting(step, loss):
        calls["steps"] += 1

    original = m.adapt

    def adapt(*args, on_step=None, **kwargs):
        def both(step, loss):
            counting(step, loss)
            if on_step is not None:
                on_step(step, loss)

        return original(*args, on_step=both, **kwargs)

    m.adapt = adapt  # type: ignore[method-assign]
    report = solver(m, stop=stop).solve(tasks(5), OPTIONS)
    assert report.interrupted
    assert [r.task_id for r in report.results] == ["t00", "t01"]
    assert report.unsolved == ("t02", "t03", "t04")
    assert calls["steps"] == stop_after  # the step that saw the request finished, no more


def test_the_time_limit_counts_from_the_process_start_and_keeps_time_for_the_end():
    budget = Budget(total_seconds=60.0, task_seconds=10.0)
    later = budget.after_startup(8.0)  # 8 s of imports and loading went by before the solve
    assert later.total_seconds == 60.0 - 8.0 - end_reserve(60.0)
    assert end_reserve(60.0) == 1.0 + 0.02 * 60.0
    assert later.task_seconds == 10.0 and budget.total_seconds == 60.0
    assert Budget().after_startup(8.0) == Budget()  # no limit, nothing to count
    gone = budget.after_startup(75.0)  # start-up took longer than the limit
    assert 0 < gone.total_seconds <= 1e-3  # the solve then only writes fallback attempts
