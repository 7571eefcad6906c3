"""The Generator + Scorer contract: one class, subclassed once per model adapter (real and fake).

A subclass provides the fixtures ``backend`` (an object implementing ``Generator`` and
``Scorer``) and ``model`` (a ``ModelRef`` it serves); it may override ``prompts``,
``greedy_options`` and ``dfs_options``. Nothing here knows about torch.

"The greedy candidate ranks first under its own score" is checked where it is a theorem: at the
first token where any candidate leaves the greedy path, the greedy prefix scores at least as
high as the candidate's prefix. A whole greedy answer may still score below a DFS candidate
(greedy decoding is locally, not globally, optimal); DFS must then rank that better one first.
"""

from __future__ import annotations

import math

import pytest

from arc_ttt.domain.codec import Encoded, Symbol, encode_prompt
from arc_ttt.domain.continuation import answer_grid_index, encode_continuation
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import Candidate, DecodeOptions, ModelRef
from arc_ttt.domain.task import Example
from arc_ttt.ports.model import Generator, Scorer

TOLERANCE = 1e-3  # log-prob agreement between incremental decoding and one teacher-forced pass
END = int(Symbol.END)


def contract_prompts() -> list[Encoded]:
    """Prompts of different lengths: bare test inputs and one with a demonstration."""
    a, b, c = Grid([[1, 2], [3, 4]]), Grid([[5, 6, 7], [8, 9, 0], [1, 1, 2]]), Grid([[3]])
    return [
        encode_prompt((), a),
        encode_prompt((), b),
        encode_prompt((Example(a, b),), c),
        encode_prompt((), Grid([[2, 0, 4, 4]])),
    ]


class GeneratorContract:
    @pytest.fixture
    def backend(self):  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def model(self) -> ModelRef:  # pragma: no cover - overridden
        raise NotImplementedError

    @pytest.fixture
    def prompts(self) -> list[Encoded]:
        return contract_prompts()

    @pytest.fixture
    def greedy_options(self) -> DecodeOptions:
        return DecodeOptions(strategy="greedy", max_new_tokens=24, batch_size=3)

    @pytest.fixture
    def dfs_options(self) -> DecodeOptions:
        return DecodeOptions(strategy="dfs", min_prob=0.02, max_candidates=4, max_new_tokens=24)

    @staticmethod
    def _score(backend, model, prompt: Encoded, tokens) -> float:
        target = encode_continuation(tokens, answer_grid_index(prompt))
        return backend.score(model, [prompt], [target])[0]

    def test_implements_generator_and_scorer(self, backend):
        assert isinstance(backend, Generator)
        assert isinstance(backend, Scorer)

    def test_greedy_gives_one_candidate_per_prompt(self, backend, model, prompts, greedy_options):
        out = backend.generate(model, prompts, greedy_options)
        assert len(out) == len(prompts)
        for candidates in out:
            assert len(candidates) == 1
            (c,) = candidates
            assert isinstance(c, Candidate)
            assert 0 < len(c.tokens) <= greedy_options.max_new_tokens
            assert c.complete == (c.tokens[-1] == END)
            assert END not in c.tokens[:-1]

    def test_log_probs_are_never_positive(
        self, backend, model, prompts, greedy_options, dfs_options
    ):
        greedy = backend.generate(model, prompts, greedy_options)
        dfs = backend.generate(model, prompts, dfs_options)
        for c in [c for cs in greedy + dfs for c in cs]:
            assert c.logprob <= 0.0
        targets = [
            encode_continuation(cs[0].tokens, answer_grid_index(p))
            for p, cs in zip(prompts, greedy, strict=True)
        ]
        assert all(s <= 0.0 for s in backend.score(model, prompts, targets))

    def test_same_inputs_give_the_same_candidates(
        self, backend, model, prompts, greedy_options, dfs_options
    ):
        for options in (greedy_options, dfs_options):
            assert backend.generate(model, prompts, options) == backend.generate(
                model, prompts, options
            )

    def test_dfs_candidates_are_complete_distinct_above_threshold_and_best_first(
        self, backend, model, prompts, dfs_options
    ):
        floor = math.log(dfs_options.min_prob) - TOLERANCE
        for candidates in backend.generate(model, prompts, dfs_options):
            assert len(candidates) <= dfs_options.max_candidates
            assert len({c.tokens for c in candidates}) == len(candidates)
            assert [c.logprob for c in candidates] == sorted(
                (c.logprob for c in candidates), reverse=True
            )
            for c in candidates:
                assert c.complete and c.tokens[-1] == END and END not in c.tokens[:-1]
                assert c.logprob >= floor

    def test_every_candidate_logprob_is_its_score(
        self, backend, model, prompts, greedy_options, dfs_options
    ):
        greedy = backend.generate(model, prompts, greedy_options)
        dfs = backend.generate(model, prompts, dfs_options)
        for prompt, candidates in zip(
            prompts, [g + d for g, d in zip(greedy, dfs, strict=True)], strict=True
        ):
            for c in candidates:
                assert self._score(backend, model, prompt, c.tokens) == pytest.approx(
                    c.logprob, abs=TOLERANCE
                )

    def test_greedy_ranks_first_under_its_own_score(
        self, backend, model, prompts, greedy_options, dfs_options
    ):
        greedy = backend.generate(model, prompts, greedy_options)
        dfs = backend.generate(model, prompts, dfs_options)
        for prompt, [g], candidates in zip(prompts, greedy, dfs, strict=True):
            for c in candidates:
                if c.tokens == g.tokens:
                    continue
                split = next(
                    (i for i, (a, b) in enumerate(zip(g.tokens, c.tokens, strict=False)) if a != b),
                    None,
                )
                if (
                    split is None
                ):  # one is a prefix of the other: only possible past greedy's budget
                    continue
                mine = self._score(backend, model, prompt, g.tokens[: split + 1])
                theirs = self._score(backend, model, prompt, c.tokens[: split + 1])
                assert mine >= theirs - TOLERANCE
            if g.complete and g.logprob >= math.log(dfs_options.min_prob) + TOLERANCE:
                # Above the threshold, DFS finds greedy's answer or better ones filling its list.
                found = [c.tokens for c in candidates]
                assert g.tokens in found or len(found) == dfs_options.max_candidates
                assert candidates[0].logprob >= g.logprob - TOLERANCE
