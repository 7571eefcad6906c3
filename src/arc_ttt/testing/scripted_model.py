"""A fake model for tests and demos: answers by a rule, and records what it was asked.

It serves the Trainer, Generator and Scorer ports without any ML. ``answers(test_input)`` returns
candidate grids with log-probs for the test input of each prompt (in the prompt's own view). These
define a token model: a token prefix weighs the summed probability of the answers that start with
it, so greedy decoding, threshold search and scoring (of whole answers and of prefixes) agree the
way a real model's do; a complete grid that is not an answer scores ``miss_logprob``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from arc_ttt.domain.codec import Encoded, Symbol, decode_grid, encode_target
from arc_ttt.domain.errors import ModelLoadError, UnknownModelError
from arc_ttt.domain.grid import Grid
from arc_ttt.domain.model_io import (
    Candidate,
    DecodeOptions,
    ModelRef,
    TrainingSequence,
    TrainOptions,
    TrainResult,
)

Answers = Callable[[Grid], Sequence[tuple[Grid, float]]]


@dataclass
class AdaptCall:
    name: str
    sequences: int
    tokens: int
    options: TrainOptions


@dataclass
class ScriptedModel:
    """Fake Trainer + Generator + Scorer with a recorded history."""

    answers: Answers
    miss_logprob: float = -30.0
    invalid_tokens: tuple[int, ...] | None = None  # also emit this invalid generation per prompt
    adapt_calls: list[AdaptCall] = field(default_factory=list)
    released: list[ModelRef] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)  # names given to load_adapter
    prompts_seen: list[Encoded] = field(default_factory=list)
    live: set[str] = field(default_factory=set)
    fail_adapt: list[Exception] = field(default_factory=list)  # raised by the next adapt calls
    fail_generate: list[Exception] = field(default_factory=list)  # ... by the next generate calls
    clock: FakeClock | None = None  # advanced by step_seconds per training step
    step_seconds: float = 0.0

    def base(self) -> ModelRef:
        return ModelRef("scripted")

    def adapt(
        self,
        base: ModelRef,
        name: str,
        sequences: Sequence[TrainingSequence],
        options: TrainOptions,
        *,
        on_step: Callable[[int, float], None] | None = None,
    ) -> TrainResult:
        tokens = sum(len(s) for s in sequences)
        self.adapt_calls.append(AdaptCall(name, len(sequences), tokens, options))
        self.live.discard(name)  # an earlier model of this name is replaced, as a real one is
        if self.fail_adapt:
            raise self.fail_adapt.pop(0)
        start = self.clock() if self.clock is not None else 0.0
        steps, reason = 0, "steps" if sequences else "no_data"
        for step in range(1, (options.steps if sequences else 0) + 1):
            late = self.clock is not None and self.clock() - start >= (options.max_seconds or 1e18)
            if late:
                reason = "time"
                break
            if self.step_seconds and self.clock is not None:
                self.clock.advance(self.step_seconds)
            steps = step
            if on_step is not None:
                on_step(step, 1.0 / step)
        self.live.add(name)
        return TrainResult(ModelRef(base.base, name), steps, tokens, 0.0, (), reason)

    def adapter_files(self, model: ModelRef) -> dict[str, bytes]:
        """What this fake learned (nothing but the call): one JSON file."""
        calls = [c for c in self.adapt_calls if c.name == model.adapter]
        if model.adapter not in self.live or not calls:
            raise KeyError(model.adapter)
        last = calls[-1]
        return {"adapter.json": json.dumps({"name": last.name, "tokens": last.tokens}).encode()}

    def load_adapter(self, base: ModelRef, name: str, files: Mapping[str, bytes]) -> ModelRef:
        """Serve files ``adapter_files`` gave as model ``name``; ``ModelLoadError`` for others."""
        try:
            json.loads(files["adapter.json"])["name"]
        except (KeyError, TypeError, ValueError) as e:
            raise ModelLoadError("<adapter files>", f"not this fake's adapter ({e})") from e
        self.loaded.append(name)
        self.live.add(name)
        return ModelRef(base.base, name)

    def release(self, model: ModelRef) -> None:
        self.released.append(model)
        self.live.discard(model.adapter or "")

    def generate(
        self, model: ModelRef, prompts: Sequence[Encoded], options: DecodeOptions
    ) -> list[list[Candidate]]:
        """Greedy: follow the heaviest branch of the answers' token tree (cut at
        ``max_new_tokens``); DFS: the answers above ``min_prob`` that fit, best first."""
        out = []
        self._check_live(model)
        if self.fail_generate:
            raise self.fail_generate.pop(0)
        for prompt in prompts:
            self.prompts_seen.append(prompt)
            table = self._table(prompt)
            if options.strategy == "greedy":
                cands = [_greedy(table, options.max_new_tokens, self.miss_logprob)]
            else:
                floor = math.log(options.min_prob)
                fitting = [
                    (t, lp)
                    for t, lp in table.items()
                    if lp >= floor and len(t) <= options.max_new_tokens
                ]
                fitting.sort(key=lambda a: -a[1])
                cands = [Candidate(t, lp) for t, lp in fitting[: options.max_candidates]]
            if self.invalid_tokens is not None:
                cands.append(Candidate(self.invalid_tokens, self.miss_logprob, complete=False))
            out.append(cands)
        return out

    def score(
        self, model: ModelRef, prompts: Sequence[Encoded], targets: Sequence[Encoded]
    ) -> list[float]:
        """The log of the answers' probability mass under the target's tokens (a complete answer:
        its own log-prob; a prefix: its answers' mass, at most 1); ``miss_logprob`` elsewhere."""
        self._check_live(model)
        return [
            _prefix_logprob(self._table(p), t.tokens, self.miss_logprob)
            for p, t in zip(prompts, targets, strict=True)
        ]

    def _check_live(self, model: ModelRef) -> None:
        """A released (or never adapted) model is unknown, as it is to a real backend."""
        if model.adapter is not None and model.adapter not in self.live:
            raise UnknownModelError(
                f"no adapted model {model.adapter!r} (never adapted, or released)"
            )

    def _table(self, prompt: Encoded) -> dict[tuple[int, ...], float]:
        """The answers to ``prompt``'s test input as token sequences (the first of equal grids)."""
        table: dict[tuple[int, ...], float] = {}
        for grid, logprob in self.answers(test_input_of(prompt)):
            table.setdefault(_target_tokens(grid), min(0.0, logprob))
        return table


def _mass(table: dict[tuple[int, ...], float], prefix: tuple[int, ...]) -> float:
    n = len(prefix)
    return sum(math.exp(lp) for t, lp in table.items() if t[:n] == prefix)


def _prefix_logprob(
    table: dict[tuple[int, ...], float], tokens: tuple[int, ...], miss: float
) -> float:
    if tokens in table:
        return table[tokens]
    mass = _mass(table, tokens)
    return min(0.0, math.log(mass)) if mass > 0 else miss


def _greedy(table: dict[tuple[int, ...], float], max_new_tokens: int, miss: float) -> Candidate:
    """The answer reached by always taking the heaviest next token (lowest id on ties)."""
    if not table:
        return Candidate((int(Symbol.END),), miss)  # nothing to say: an empty (invalid) answer
    prefix: tuple[int, ...] = ()
    while len(prefix) < max_new_tokens:
        nexts = sorted({t[len(prefix)] for t in table if t[: len(prefix)] == prefix})
        token = max(nexts, key=lambda tok: (_mass(table, (*prefix, tok)), -tok))
        prefix = (*prefix, token)
        if prefix in table:
            return Candidate(prefix, table[prefix])
    return Candidate(prefix, _prefix_logprob(table, prefix, miss), complete=False)


@dataclass
class FakeClock:
    """A clock that moves only when told: for time budgets in tests."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def test_input_of(prompt: Encoded) -> Grid:
    """The test input grid of a prompt: the tokens between its last INPUT and OUTPUT markers."""
    tokens = list(prompt.tokens)
    start = len(tokens) - 1 - tokens[::-1].index(Symbol.INPUT)
    return decode_grid([*tokens[start + 1 : -1], int(Symbol.END)])


def _target_tokens(grid: Grid) -> tuple[int, ...]:
    return encode_target(grid, 0).tokens
