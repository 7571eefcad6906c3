"""Decoding one test input inside a solve: prompts under K augmented views, generation, the
answers mapped back and pooled by grid, every candidate scored under every view (product of
experts), within the deadline; smaller on out-of-memory (``oom_policy``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from arc_ttt.application.oom_policy import smaller_decoding
from arc_ttt.application.solve_options import SolveOptions
from arc_ttt.domain.augmentation import Augmentation
from arc_ttt.domain.codec import Encoded, decode_grid, encode_prompt, encode_target
from arc_ttt.domain.errors import GridDecodeError, ModelOutOfMemoryError
from arc_ttt.domain.model_io import ModelRef
from arc_ttt.domain.selection import CandidatePool
from arc_ttt.domain.task import Task
from arc_ttt.domain.views import choose_views
from arc_ttt.ports.model import Generator, Scorer


class DecodeStep:
    def __init__(
        self,
        generator: Generator,
        scorer: Scorer,
        clock: Callable[[], float],
        *,
        always_score: bool,
    ) -> None:
        """``always_score``: score across views even when selection does not use it (a cache
        keeps the scores, so selection can change later)."""
        self._generator = generator
        self._scorer = scorer
        self._clock = clock
        self._always_score = always_score

    def decode_input(
        self,
        model: ModelRef,
        puzzle: Task,
        index: int,
        options: SolveOptions,
        *,
        deadline: float | None,
        notes: list[str],
    ) -> tuple[CandidatePool, int]:
        """Candidates for test input ``index`` and the count of invalid generations; an empty
        pool (fallback attempts) when time is up or decoding keeps running out of memory."""
        current = options
        for attempt in range(options.budget.oom_retries + 1):
            decode = current.decode
            if deadline is not None:
                left = deadline - self._clock()
                if left <= 0:
                    notes.append(f"test input {index}: no time left to decode; fallback attempts")
                    return CandidatePool(), 0
                if decode.max_seconds is None or left < decode.max_seconds:
                    current = replace(current, decode=replace(decode, max_seconds=left))
            try:
                return self.candidates(model, puzzle, index, current, deadline)
            except ModelOutOfMemoryError as e:
                smaller = (
                    None if attempt == options.budget.oom_retries else smaller_decoding(current)
                )
                if smaller is None:
                    notes.append(f"test input {index}: decoding out of memory ({e}); fallback")
                    return CandidatePool(), 0
                notes.append(
                    f"test input {index}: decoding out of memory ({e}); views {current.views} -> "
                    f"{smaller.views}, batch {current.decode.batch_size} -> "
                    f"{smaller.decode.batch_size}"
                )
                current = smaller
        return CandidatePool(), 0  # pragma: no cover - the loop always returns

    def candidates(
        self,
        model: ModelRef,
        puzzle: Task,
        index: int,
        options: SolveOptions,
        deadline: float | None = None,
    ) -> tuple[CandidatePool, int]:
        views = choose_views(puzzle, options.views, options.seed)
        seen = [view.apply_task(puzzle) for view in views]
        prompts = [encode_prompt(v.train, v.test_inputs[index]) for v in seen]
        generated = self._generator.generate(model, prompts, options.decode)
        pool, invalid = CandidatePool(), 0
        for view, candidates in zip(views, generated, strict=True):
            for cand in candidates:
                try:
                    grid = view.invert_grid(decode_grid(cand.tokens))
                except GridDecodeError:
                    invalid += 1  # an invalid grid is dropped, never submitted
                    continue
                pool.add(grid, cand.logprob)
        wanted = options.product_of_experts or self._always_score
        in_time = deadline is None or self._clock() < deadline
        if wanted and len(pool) > 0 and in_time:
            self._score_across_views(model, pool, views, prompts, len(puzzle.train))
        return pool, invalid

    def _score_across_views(
        self,
        model: ModelRef,
        pool: CandidatePool,
        views: Sequence[Augmentation],
        prompts: Sequence[Encoded],
        n_train: int,
    ) -> None:
        pairs = [(g, v) for g in pool.grids() for v in range(len(views))]
        targets = [encode_target(views[v].apply_grid(g), 2 * n_train + 1) for g, v in pairs]
        scores = self._scorer.score(model, [prompts[v] for _, v in pairs], targets)
        for (grid, v), logprob in zip(pairs, scores, strict=True):
            pool.set_view_score(grid, v, logprob)
