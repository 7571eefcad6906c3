"""The Trainer contract: one class, subclassed once per training adapter (real and fake).

A subclass provides ``backend`` (a ``Trainer`` that is also a ``Scorer``, so a trained model can
be compared by what it predicts), ``options`` (a few quick steps) and ``memory_failure`` (an
``on_step`` callback that makes the backend run out of memory the way it really would).
Nothing here knows about torch.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from arc_ttt.domain.codec import encode_prompt, encode_target
from arc_ttt.domain.errors import ArcTTTError, ModelOutOfMemoryError, SolveInterruptedError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import ModelRef, TrainOptions
from arc_ttt.ports.model import Trainer
from tiny_models import recolor_sequences

TASK_A = recolor_sequences(12, 1)
TASK_B = recolor_sequences(12, 2)
PROMPTS = [encode_prompt((), Grid([[1, 2], [3, 4]])), encode_prompt((), Grid([[5]]))]
TARGETS = [encode_target(Grid([[2, 3], [4, 5]]), 1), encode_target(Grid([[6]]), 1)]


class TrainerContract:
    @pytest.fixture
    def backend(self):  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def options(self) -> TrainOptions:
        return TrainOptions(steps=3, batch_size=4, learning_rate=1e-2, warmup_steps=1)

    @pytest.fixture
    def memory_failure(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def _scores(self, backend, model):
        return backend.score(model, PROMPTS, TARGETS)

    def test_is_a_trainer(self, backend):
        assert isinstance(backend, Trainer)

    def test_trains_exactly_the_steps_it_is_given(self, backend, options):
        seen = []
        result = backend.adapt(
            backend.base(), "steps", TASK_A, options, on_step=lambda s, loss: seen.append(s)
        )
        try:
            assert (result.steps, result.stopped_because) == (options.steps, "steps")
            assert seen == list(range(1, options.steps + 1))
            assert result.tokens > 0
        finally:
            backend.release(result.model)

    def test_each_task_starts_from_the_base(self, backend, options):
        alone = backend.adapt(backend.base(), "b", TASK_B, options)
        expected = self._scores(backend, alone.model)
        backend.release(alone.model)
        first = backend.adapt(backend.base(), "a", TASK_A, options)
        backend.release(first.model)
        after = backend.adapt(backend.base(), "b", TASK_B, options)
        try:
            assert self._scores(backend, after.model) == pytest.approx(expected, abs=1e-6)
            assert after.losses == pytest.approx(alone.losses, abs=1e-6)
        finally:
            backend.release(after.model)

    def test_the_same_seed_gives_the_same_model(self, backend, options):
        results = []
        for name in ("one", "two"):
            r = backend.adapt(backend.base(), name, TASK_A, replace(options, seed=7))
            results.append((r.steps, r.tokens, r.losses, self._scores(backend, r.model)))
            backend.release(r.model)
        assert results[0][:2] == results[1][:2]
        assert results[0][2] == pytest.approx(results[1][2], abs=1e-6)
        assert results[0][3] == pytest.approx(results[1][3], abs=1e-6)

    def test_a_released_model_is_gone_and_releasing_again_is_harmless(self, backend, options):
        result = backend.adapt(backend.base(), "gone", TASK_A, options)
        backend.release(result.model)
        backend.release(result.model)
        with pytest.raises(ArcTTTError):
            self._scores(backend, result.model)
        assert len(self._scores(backend, backend.base())) == len(PROMPTS)  # the base stays

    def test_running_out_of_memory_is_a_model_out_of_memory_error(
        self, backend, options, memory_failure
    ):
        with pytest.raises(ModelOutOfMemoryError):
            backend.adapt(backend.base(), "oom", TASK_A, options, on_step=memory_failure)
        with pytest.raises(ArcTTTError):  # nothing half-trained is left under that name
            self._scores(backend, ModelRef(backend.base().base, "oom"))
        retry = backend.adapt(backend.base(), "oom", TASK_A, options)  # and it can try again
        assert retry.steps == options.steps
        backend.release(retry.model)

    def test_what_on_step_raises_ends_training_and_propagates(self, backend, options):
        def stop(step, loss):
            if step == 2:
                raise SolveInterruptedError("stop requested")

        with pytest.raises(SolveInterruptedError):
            backend.adapt(
                backend.base(), "stopped", TASK_A, replace(options, steps=5), on_step=stop
            )

    def test_a_time_cap_stops_training_early(self, backend, options):
        result = backend.adapt(
            backend.base(), "late", TASK_A, replace(options, steps=10_000, max_seconds=0.5)
        )
        try:
            assert result.stopped_because == "time"
            assert 1 <= result.steps < 10_000
        finally:
            backend.release(result.model)
