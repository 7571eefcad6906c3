"""The InferenceEngine contract: what every engine (torch eager, ONNX Runtime) must do.

A subclass provides the fixtures ``engine`` (a fresh engine serving the recolor model) and
``prompts`` (prompts it answers with complete grids).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace

import pytest

from arc_ttt.domain.codec import Symbol, decode_grid
from arc_ttt.domain.errors import InferenceRequestError, ModelRuntimeError
from arc_ttt.ports.inference import InferenceEngine

ROW = int(Symbol.ROW)


class InferenceEngineContract:
    def test_is_an_inference_engine(self, engine):
        assert isinstance(engine, InferenceEngine)

    def test_predict_answers_every_prompt_in_order(self, engine, prompts):
        batch = engine.predict(prompts)
        alone = [engine.predict([p])[0] for p in prompts]
        assert len(batch) == len(prompts)
        assert [p.tokens for p in batch] == [p.tokens for p in alone]
        assert all(p.complete and p.grid is not None and p.logprob <= 0 for p in batch)

    def test_recolor_answers_are_right(self, engine, recolor_cases):
        prompts, expected = recolor_cases
        grids = [p.grid for p in engine.predict(prompts)]
        assert sum(g == e for g, e in zip(grids, expected, strict=True)) >= len(prompts) - 1

    def test_stream_yields_the_rows_of_the_predicted_grid(self, engine, prompts):
        for prompt in prompts[:4]:
            grid = engine.predict([prompt])[0].grid
            rows = list(engine.stream(prompt))
            assert grid is not None and rows == [tuple(r) for r in grid.to_lists()]

    def test_stream_is_lazy_and_stops_at_the_budget(self, engine, prompts):
        tokens = tuple(engine.predict([prompts[0]])[0].tokens)
        end = tokens.index(ROW)  # a complete grid closes its first row
        # A budget that ends on the first row's separator: exactly that row, then nothing.
        rows = engine.stream(prompts[0], max_new_tokens=end + 1)
        assert tuple(next(rows)) == tokens[:end]
        assert list(rows) == []
        # One token short of it: the row is not finished, so nothing is yielded.
        assert list(engine.stream(prompts[0], max_new_tokens=end)) == []

    def test_async_gives_the_same_answers_without_blocking(self, engine, prompts):
        expected = [p.tokens for p in engine.predict(prompts)]

        async def main():
            ticks = 0

            async def ticker():
                nonlocal ticks
                while True:
                    ticks += 1
                    await asyncio.sleep(0)

            tick = asyncio.create_task(ticker())
            answers = await asyncio.gather(*(engine.predict_async([p]) for p in prompts))
            tick.cancel()
            return [a[0].tokens for a in answers], ticks

        answers, ticks = asyncio.run(main())
        assert answers == expected
        assert ticks > 0  # the loop ran while the engine decoded

    def test_eight_threads_get_what_sequential_calls_get(self, engine, prompts):
        requests = [prompts[i % len(prompts)] for i in range(20)]
        sequential = [engine.predict([p])[0].tokens for p in requests]
        results: dict[int, list] = {}
        errors = []
        start = threading.Barrier(8)

        def worker(t: int) -> None:
            try:
                start.wait()
                results[t] = [engine.predict([p])[0].tokens for p in requests]
            except Exception as e:  # surfaced below
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert all(results[t] == sequential for t in range(8))

    @pytest.mark.parametrize(
        ("bad", "message"),
        [
            (
                lambda p: replace(p, tokens=(), rows=(), cols=(), grid_index=(), is_output=()),
                "empty",
            ),
            (lambda p: replace(p, tokens=(*p.tokens[:-1], 99)), "token 99"),
            (
                lambda p: replace(
                    p,
                    tokens=p.tokens[:-1],
                    rows=p.rows[:-1],
                    cols=p.cols[:-1],
                    grid_index=p.grid_index[:-1],
                    is_output=p.is_output[:-1],
                ),
                "OUTPUT",
            ),
            (lambda p: replace(p, rows=p.rows[:-1]), "positions"),
        ],
    )
    def test_a_bad_request_fails_alone(self, engine, prompts, bad, message):
        with pytest.raises(InferenceRequestError, match=message):
            engine.predict([prompts[0], bad(prompts[1])])
        assert engine.predict([prompts[1]])[0].complete  # still serving

    def test_a_too_long_prompt_is_refused(self, engine, prompts):
        long = prompts[0]
        for _ in range(12):
            long = long + long
        with pytest.raises(InferenceRequestError, match="limit"):
            engine.predict([long])
        with pytest.raises(InferenceRequestError, match="max_new_tokens"):
            engine.predict([prompts[0]], max_new_tokens=0)

    def test_stats_count_requests_not_warmup(self, engine, prompts):
        engine.warmup()
        assert engine.stats().requests == 0
        for p in prompts[:5]:
            engine.predict([p])
        s = engine.stats()
        assert s.requests == 5 and s.tokens > 0 and s.tokens_per_second > 0
        assert 0 < s.p50 <= s.p95 <= s.p99
        engine.reset_stats()
        assert engine.stats().requests == 0

    def test_close_releases_and_refuses_later_calls(self, engine, prompts):
        engine.close()
        engine.close()  # twice is harmless
        with pytest.raises(ModelRuntimeError, match="closed"):
            engine.predict(prompts[:1])

    def test_grids_decode_from_the_tokens(self, engine, prompts):
        for p in engine.predict(prompts):
            assert p.grid == decode_grid(p.tokens)
